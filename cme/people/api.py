"""API: persons (ID numbers always masked), staff import, transfers (003 §十八)."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.accounts.scope import acting_org, manages_staff
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, ImportRecordOut, OrgRef, Pages, file_response
from cme.core import idnumbers
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.exports import xlsx_download
from cme.orgs.models import Organisation
from cme.orgs.queries import org_for
from cme.people import actions, imports
from cme.people.models import Person, StaffImport, Transfer, UnitHistory
from cme.people.queries import (
    import_for,
    pending_transfer_for,
    person_for,
    persons_visible_to,
    transfer_for,
    transfer_to_accept,
    transfers_visible_to,
)

router = Router(tags=["人员"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- schemas -----------------------------------------------------------------------------------


class PersonOut(Schema):
    """A person; the ID number only ever as `id_number_masked`."""

    id: int
    name: str
    id_type: str
    id_type_label: str
    id_number_masked: str
    sex: str
    title: str
    title_level: int
    department: str
    phone: str
    unit: OrgRef | None

    @staticmethod
    def resolve_id_type_label(person: Person) -> str:
        return person.get_id_type_display()

    @staticmethod
    def resolve_id_number_masked(person: Person) -> str:
        return idnumbers.mask(person.id_number)


class UnitHistoryOut(Schema):
    unit: OrgRef
    started_at: datetime
    ended_at: datetime | None
    via: str


class PersonDetailOut(PersonOut):
    unit_history: list[UnitHistoryOut]

    @staticmethod
    def resolve_unit_history(person: Person) -> list[UnitHistory]:
        return list(person.unit_history.select_related("unit"))


class PersonIn(Schema):
    name: str
    id_type: str = Field("", description="证件类型，默认居民身份证")
    id_number: str
    sex: str = Field("", description="男/女；居民身份证可省略")
    title: str = Field("", description="职称全称，无职称填“无”")
    department: str = ""
    phone: str = ""


class PersonPatch(Schema):
    """Only the fields given change; the ID type and number are not edited here."""

    name: str | None = None
    sex: str | None = None
    title: str | None = None
    department: str | None = None
    phone: str | None = None


class RevealOut(Schema):
    id_number: str


class StaffImportOut(ImportRecordOut):
    unit: OrgRef


class TransferPersonOut(Schema):
    id: int
    name: str
    id_number_masked: str

    @staticmethod
    def resolve_id_number_masked(person: Person) -> str:
        return idnumbers.mask(person.id_number)


class TransferOut(Schema):
    id: int
    person: TransferPersonOut
    from_unit: OrgRef
    to_unit: OrgRef | None
    state: str
    state_label: str
    note: str
    by_authority: bool
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_state_label(transfer: Transfer) -> str:
        return transfer.get_state_display()


class TransferOutIn(Schema):
    id_number: str = Field(..., description="调出人员的完整证件号码")
    to_unit_id: int | None = Field(None, description="指定调入单位；留空则任何单位凭证件号码调入")
    note: str = Field("", max_length=255)


class IdNumberIn(Schema):
    id_number: str


class AcceptIn(Schema):
    id_number: str = Field("", description="未指定调入单位的调动：须提供该人员的完整证件号码")


# --- persons -----------------------------------------------------------------------------------


@router.get("/persons", response={200: list[PersonOut], **ERRORS}, summary="人员列表")
@paginate(Pages)
def list_persons(request: HttpRequest, q: str = "", unit: int | None = None) -> QuerySet[Person]:
    """本人可见范围内的人员：q 按姓名包含，unit 单位ID。"""
    qs = persons_visible_to(current_user(request))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    return qs


@router.get("/persons/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="人员详情")
def get_person(request: HttpRequest, person_id: int) -> Person:
    return person_for(current_user(request), person_id)


@router.post(
    "/persons/{person_id}/reveal-id",
    response={200: RevealOut, **ERRORS},
    summary="查看完整证件号码",
)
def reveal_id(request: HttpRequest, person_id: int) -> dict[str, str]:
    """完整证件号码：仅本人、本单位管理员和系统管理员；每次查看都记入审计。"""
    user = current_user(request)
    return {"id_number": actions.reveal_id_number(person_for(user, person_id), actor=user)}


@router.post("/units/{unit_id}/persons", response={201: PersonOut, **ERRORS}, summary="录入人员")
def add_person(request: HttpRequest, unit_id: int, payload: PersonIn) -> Status[Person]:
    """本单位录入一名人员。"""
    user = current_user(request)
    person = actions.add_person(org_for(user, unit_id), payload.dict(), actor=user)
    return Status(201, person)


@router.patch("/persons/{person_id}", response={200: PersonOut, **ERRORS}, summary="修改人员信息")
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    user = current_user(request)
    person = person_for(user, person_id)
    # Unchanged fields are passed as they are, so the whole row is checked as in the form.
    current = {
        "name": person.name,
        "sex": person.sex,
        "title": person.title,
        "department": person.department,
        "phone": person.phone,
    }
    values = current | payload.dict(exclude_unset=True, exclude_none=True)
    return actions.update_person(person, values, actor=user)


# --- staff import ------------------------------------------------------------------------------


@router.get(
    "/units/{unit_id}/staff-import/template",
    response={**ERRORS},
    openapi_extra=file_response("人员名单导入模板（xlsx）", XLSX),
    summary="下载人员名单导入模板",
)
def staff_template(request: HttpRequest, unit_id: int) -> HttpResponse:
    org_for(current_user(request), unit_id)
    return xlsx_download("人员名单导入模板.xlsx", imports.staff_template())


@router.post(
    "/units/{unit_id}/staff-imports",
    response={201: StaffImportOut, **ERRORS},
    summary="上传人员名单",
)
def upload_staff_import(
    request: HttpRequest, unit_id: int, file: File[UploadedFile]
) -> Status[StaffImport]:
    """上传名单（multipart，字段 file），检查后返回报告；确认前不写入任何人员。"""
    user = current_user(request)
    record = imports.preview_staff_import(org_for(user, unit_id), file, actor=user)
    return Status(201, record)


@router.get(
    "/staff-imports/{import_id}", response={200: StaffImportOut, **ERRORS}, summary="导入报告"
)
def get_staff_import(request: HttpRequest, import_id: int) -> StaffImport:
    return import_for(current_user(request), import_id)


@router.post(
    "/staff-imports/{import_id}/commit",
    response={200: StaffImportOut, **ERRORS},
    summary="确认导入",
)
def commit_staff_import(request: HttpRequest, import_id: int) -> StaffImport:
    """确认导入：由后台任务全部写入，或有错误时一条也不写；state 为 committing 时，
    用 GET /staff-imports/{id} 查询，直到 committed 或 invalid。"""
    user = current_user(request)
    return imports.queue_staff_import_commit(import_for(user, import_id), actor=user)


# --- transfers ---------------------------------------------------------------------------------

# Literal paths (/transfers/out, /transfers/lookup) are declared before /transfers/{transfer_id}:
# Django tries the URL patterns in this order.


@router.get("/transfers", response={200: list[TransferOut], **ERRORS}, summary="调动记录列表")
@paginate(Pages)
def list_transfers(request: HttpRequest, state: Transfer.State | None = None) -> QuerySet[Transfer]:
    """调出或调入本人辖区的调动记录。"""
    qs = transfers_visible_to(current_user(request))
    return qs.filter(state=state) if state else qs


@router.post("/transfers/out", response={201: TransferOut, **ERRORS}, summary="人员调出")
def transfer_out(request: HttpRequest, payload: TransferOutIn) -> Status[Transfer]:
    """调出：按完整证件号码找到本单位人员。"""
    user = current_user(request)
    person = actions.find_person_by_id(payload.id_number)
    if person is None or not persons_visible_to(user).filter(pk=person.pk).exists():
        raise NotFound("本单位没有该证件号码的人员。")
    to_unit = None
    if payload.to_unit_id is not None:
        to_unit = Organisation.objects.filter(pk=payload.to_unit_id).first()
        if to_unit is None:
            raise DomainError("TRANSFER_TARGET", "调入单位不存在。", field="to_unit_id")
    transfer = actions.transfer_out(person, actor=user, to_unit=to_unit, note=payload.note)
    return Status(201, transfer)


def _pending_for(user, id_number: str) -> Transfer:
    if not manages_staff(user) or acting_org(user) is None:
        raise PermissionDenied("只有单位管理员可以调入人员。")
    return pending_transfer_for(acting_org(user), id_number)


@router.post(
    "/transfers/lookup", response={200: TransferOut, **ERRORS}, summary="按证件号码查找待调入人员"
)
def lookup_transfer(request: HttpRequest, payload: IdNumberIn) -> Transfer:
    """调入前查找：已调出、等待调入本单位（或未指定调入单位）的人员。"""
    return _pending_for(current_user(request), payload.id_number)


@router.get(
    "/transfers/{transfer_id}", response={200: TransferOut, **ERRORS}, summary="调动记录详情"
)
def get_transfer(request: HttpRequest, transfer_id: int) -> Transfer:
    return transfer_for(current_user(request), transfer_id)


@router.post(
    "/transfers/{transfer_id}/accept", response={200: TransferOut, **ERRORS}, summary="人员调入"
)
def accept_transfer(
    request: HttpRequest, transfer_id: int, payload: AcceptIn | None = None
) -> Transfer:
    """调入本单位。未指定调入单位的调动须同时提供该人员的完整证件号码。"""
    user = current_user(request)
    id_number = payload.id_number if payload and payload.id_number else ""
    if id_number and not manages_staff(user):
        raise PermissionDenied("只有单位管理员可以调入人员。")
    org = acting_org(user)
    if org is None:
        raise PermissionDenied("只有单位管理员可以调入人员。")
    transfer = transfer_to_accept(user, org, transfer_id, id_number)
    return actions.transfer_in(transfer, actor=user, unit=org)


@router.post(
    "/transfers/{transfer_id}/cancel", response={200: TransferOut, **ERRORS}, summary="撤销调出"
)
def cancel_transfer(request: HttpRequest, transfer_id: int) -> Transfer:
    """撤销调出（尚未被调入时）。"""
    user = current_user(request)
    return actions.cancel_transfer(transfer_for(user, transfer_id), actor=user)
