"""API: the roster of a held session (学员通讯录, SPEC §5) — list with masked ID numbers,
template, import (upload → report → commit), entry by hand, pass/fail, removal. Same scope
helpers and actions (cme.holding.rosters) as the pages."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, ImportRecordOut, Pages, file_response
from cme.core import idnumbers
from cme.core.errors import PermissionDenied
from cme.core.exports import XLSX, xlsx_download
from cme.holding import rosters
from cme.holding.actions import can_hold
from cme.holding.models import Attendee, RosterImport
from cme.holding.queries import attendee_for, roster_import_for, session_for

router = Router(tags=["学员通讯录"])


class AttendeeOut(Schema):
    """A roster entry; the ID number only ever as `id_number_masked`."""

    id: int
    session_id: int
    person_id: int
    name: str
    id_type: str
    id_number_masked: str
    unit_name: str
    department: str
    title: str
    phone: str
    email: str
    source: str
    checked_in_at: datetime | None
    passed: bool | None = Field(..., description="true 合格 / false 不合格 / null 未考核")

    @staticmethod
    def resolve_name(attendee: Attendee) -> str:
        return attendee.person.name

    @staticmethod
    def resolve_id_type(attendee: Attendee) -> str:
        return attendee.person.id_type

    @staticmethod
    def resolve_id_number_masked(attendee: Attendee) -> str:
        return idnumbers.mask(attendee.person.id_number)


class AttendeeIn(Schema):
    name: str
    id_type: str = Field("", description="证件类型，默认居民身份证")
    id_number: str
    sex: str = Field("", description="男/女；居民身份证可省略")
    unit_name: str = Field(
        "", description="工作单位全称；与系统登记的单位名称一致时，新学员归入该单位"
    )
    department: str = ""
    title: str = Field("", description="职称全称，无职称填“无”")
    phone: str = ""
    email: str = ""
    passed: bool | None = Field(None, description="考核结果：true 合格 / false 不合格")

    def values(self) -> dict[str, str]:
        data = self.dict()
        data["passed"] = "" if self.passed is None else rosters.passed_label(self.passed)
        return data


class AttendeePatch(Schema):
    passed: bool | None = Field(..., description="true 合格 / false 不合格 / null 未考核")


class RosterImportOut(ImportRecordOut):
    session_id: int


class PassAllOut(Schema):
    changed: int


def _holder_session(user, session_id: int):
    session = session_for(user, session_id)
    if not can_hold(user, session.project):
        raise PermissionDenied("只有举办单位可以修改学员通讯录。")
    return session


@router.get(
    "/sessions/{session_id}/roster",
    response={200: list[AttendeeOut], **ERRORS},
    summary="学员通讯录",
)
@paginate(Pages)
def list_roster(
    request: HttpRequest, session_id: int, q: str = "", passed: bool | None = None
) -> QuerySet[Attendee]:
    """本期学员（证件号码脱敏）；q 按姓名包含，passed 按考核结果。举办单位及其上级卫生健康行政部门可查看。"""
    qs = session_for(current_user(request), session_id).attendees.select_related("person")
    if q.strip():
        qs = qs.filter(person__name__icontains=q.strip())
    if passed is not None:
        qs = qs.filter(passed=passed)
    return qs.order_by("id")


@router.get(
    "/sessions/{session_id}/roster/template",
    response={**ERRORS},
    openapi_extra=file_response("学员通讯录模板（xlsx）", XLSX),
    summary="下载学员通讯录模板",
)
def roster_template(request: HttpRequest, session_id: int) -> HttpResponse:
    session_for(current_user(request), session_id)
    return xlsx_download("学员通讯录模板.xlsx", rosters.roster_template())


@router.post(
    "/sessions/{session_id}/roster/imports",
    response={201: RosterImportOut, **ERRORS},
    summary="上传学员通讯录",
)
def upload_roster(
    request: HttpRequest, session_id: int, file: File[UploadedFile]
) -> Status[RosterImport]:
    """上传学员通讯录（multipart，字段 file；.xlsx/.xls/.csv），检查后返回报告，逐行列出错误；
    确认前不写入任何数据。执行情况报告提交后不能再导入（ROSTER_LOCKED）。"""
    user = current_user(request)
    record = rosters.preview_roster_import(_holder_session(user, session_id), file, actor=user)
    return Status(201, record)


@router.get(
    "/roster-imports/{import_id}", response={200: RosterImportOut, **ERRORS}, summary="导入报告"
)
def get_roster_import(request: HttpRequest, import_id: int) -> RosterImport:
    return roster_import_for(current_user(request), import_id)


@router.post(
    "/roster-imports/{import_id}/commit",
    response={200: RosterImportOut, **ERRORS},
    summary="确认导入学员通讯录",
)
def commit_roster_import(request: HttpRequest, import_id: int) -> RosterImport:
    """确认导入：由后台任务全部写入，或有错误时一条也不写；state 为 committing 时，
    用 GET /roster-imports/{id} 查询，直到 committed 或 invalid。"""
    user = current_user(request)
    return rosters.queue_roster_import_commit(roster_import_for(user, import_id), actor=user)


@router.post(
    "/sessions/{session_id}/attendees",
    response={201: AttendeeOut, **ERRORS},
    summary="手工录入学员",
)
def add_attendee(request: HttpRequest, session_id: int, payload: AttendeeIn) -> Status[Attendee]:
    """与导入相同的校验；人员库中还没有的学员按所填信息登记。"""
    user = current_user(request)
    session = _holder_session(user, session_id)
    return Status(201, rosters.add_attendee(session, payload.values(), actor=user))


@router.post(
    "/sessions/{session_id}/roster/pass-all",
    response={200: PassAllOut, **ERRORS},
    summary="全部合格",
)
def pass_all(request: HttpRequest, session_id: int) -> dict[str, int]:
    user = current_user(request)
    return {"changed": rosters.pass_everyone(_holder_session(user, session_id), actor=user)}


@router.patch("/attendees/{attendee_id}", response={200: AttendeeOut, **ERRORS}, summary="考核结果")
def set_passed(request: HttpRequest, attendee_id: int, payload: AttendeePatch) -> Attendee:
    user = current_user(request)
    return rosters.set_passed(attendee_for(user, attendee_id), payload.passed, actor=user)


@router.delete("/attendees/{attendee_id}", response={204: None, **ERRORS}, summary="移除学员")
def remove_attendee(request: HttpRequest, attendee_id: int) -> Status[None]:
    user = current_user(request)
    rosters.remove_attendee(attendee_for(user, attendee_id), actor=user)
    return Status(204, None)
