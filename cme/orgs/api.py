"""API: regions (GB/T 2260), organisations in the caller's scope, review chains."""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages
from cme.core.errors import NotFound, PermissionDenied
from cme.orgs import actions
from cme.orgs.chains import review_chain
from cme.orgs.models import Organisation, Region
from cme.orgs.permissions import can_edit_org
from cme.orgs.queries import org_for, orgs_visible_to
from cme.orgs.regions import scope_prefix
from cme.people.actions import clear_out

router = Router(tags=["机构"])


class RegionOut(Schema):
    code: str
    name: str
    full_name: str
    level: str
    parent: str | None

    @staticmethod
    def resolve_parent(region: Region) -> str | None:
        return region.parent_id


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region: str | None
    region_name: str
    licensing_authority: OrgRef | None
    parent: OrgRef | None
    grade: str
    licence_status: str
    inspection_result: str
    name_compliant: bool
    first_class_prevention: bool
    uscc: str | None
    national_account: str | None
    provincial_account: str | None
    science_head: str
    phone: str
    email: str
    status: str

    @staticmethod
    def resolve_kind_label(org: Organisation) -> str:
        return org.get_kind_display()

    @staticmethod
    def resolve_region(org: Organisation) -> str | None:
        return org.region_id

    @staticmethod
    def resolve_region_name(org: Organisation) -> str:
        return org.region.name if org.region else ""


class ChainStep(Schema):
    id: int
    name: str
    kind: str
    level: str

    @staticmethod
    def resolve_level(org: Organisation) -> str:
        return org.authority_level


@router.get("/regions", response={200: list[RegionOut], **ERRORS}, summary="行政区划列表")
def list_regions(
    request: HttpRequest,
    parent: str | None = None,
    level: Literal["province", "city", "county"] | None = None,
) -> QuerySet[Region]:
    """行政区划：按上级代码（parent）或层级（level）筛选。"""
    qs = Region.objects.select_related("parent__parent")
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    return qs


@router.get("/regions/{code}", response={200: RegionOut, **ERRORS}, summary="行政区划详情")
def get_region(request: HttpRequest, code: str) -> Region:
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    if region is None:
        raise NotFound("未找到行政区划代码“{c}”。".format(c=code))
    return region


def _region_prefix(code: str) -> str:
    """A region's own code covers everything inside it (430100 → 4301); else a raw prefix."""
    region = Region.objects.filter(code=code).first() if len(code) == 6 else None
    return scope_prefix(region.code, region.level) if region else code


@router.get("/organisations", response={200: list[OrganisationOut], **ERRORS}, summary="单位列表")
@paginate(Pages)
def list_organisations(
    request: HttpRequest,
    q: str = "",
    kind: Organisation.Kind | None = None,
    region: str = "",
) -> QuerySet[Organisation]:
    """本人可见范围内的单位：q 按名称包含，kind 类别，region 行政区划（含下级）。"""
    qs = orgs_visible_to(current_user(request))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if kind:
        qs = qs.filter(kind=kind)
    if region.strip():
        qs = qs.filter(region__code__startswith=_region_prefix(region.strip()))
    return qs


@router.get(
    "/organisations/{org_id}", response={200: OrganisationOut, **ERRORS}, summary="单位详情"
)
def get_organisation(request: HttpRequest, org_id: int) -> Organisation:
    return org_for(current_user(request), org_id)


@router.get(
    "/organisations/{org_id}/review-chain",
    response={200: list[ChainStep], **ERRORS},
    summary="单位的审核链",
)
def get_review_chain(
    request: HttpRequest, org_id: int, national: bool = False
) -> list[Organisation]:
    """该单位申报项目的审核链，由近及远；national=true 时包括全国继委会办公室。"""
    return review_chain(org_for(current_user(request), org_id), national=national)


class ClearedOut(Schema):
    transferred_out: int
    status: str


class OrganisationPatch(Schema):
    """Only the fields given change; the others keep their values."""

    kind: Literal[tuple(Organisation.Kind.values)] | None = None
    region: str | None = Field(None, description="行政区划代码（GB/T 2260）")
    grade: Literal[tuple(Organisation.Grade.values)] | None = None
    licence_status: Literal[tuple(Organisation.LicenceStatus.values)] | None = None
    inspection_result: Literal[tuple(Organisation.Inspection.values)] | None = None
    name_compliant: bool | None = None
    first_class_prevention: bool | None = None
    uscc: str | None = None
    national_account: str | None = None
    provincial_account: str | None = None
    science_head: str | None = None
    phone: str | None = None
    email: str | None = None


@router.patch(
    "/organisations/{org_id}", response={200: OrganisationOut, **ERRORS}, summary="修改单位信息"
)
def patch_organisation(request: HttpRequest, org_id: int, payload: OrganisationPatch):
    """该单位的发证机构修改执业许可、校验结果、名称是否规范、一级防保单位等信息。"""
    user = current_user(request)
    org = org_for(user, org_id)
    if not can_edit_org(user, org):
        raise PermissionDenied("只有该单位的发证机构可以修改单位信息。")
    fields = payload.dict(exclude_unset=True)
    if "region" in fields:
        region = Region.objects.filter(code=fields["region"] or "").first()
        if region is None:
            raise NotFound("行政区划代码“{c}”不存在。".format(c=fields["region"]))
        fields["region"] = region
    for blankable in ("uscc", "national_account", "provincial_account"):
        if blankable in fields and not (fields[blankable] or "").strip():
            fields[blankable] = None
    actions.update_organisation(org, actor=user, **fields)
    return org_for(user, org_id)


@router.post(
    "/organisations/{org_id}/clear-out",
    response={200: ClearedOut, **ERRORS},
    summary="人员全部调出 / 注销",
)
def clear_out_organisation(
    request: HttpRequest,
    org_id: int,
    comment: Form[str] = "",
    deregister: Form[bool] = False,
    proof: File[UploadedFile] = None,
):
    """本单位管理员将全部人员调出（deregister=true 时同时注销单位）；原单位无人管理时，
    发证机构凭注销证明（proof，PDF/JPG/PNG）代为调出。全部成功或全部不变。"""
    user = current_user(request)
    org = org_for(user, org_id)
    moved = clear_out(org, actor=user, proof=proof, note=comment, deregister=deregister)
    org.refresh_from_db()
    return {"transferred_out": moved, "status": org.status}
