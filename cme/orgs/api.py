"""API: regions (GB/T 2260), organisations in the caller's scope, review chains."""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages
from cme.core.errors import NotFound
from cme.orgs.chains import review_chain
from cme.orgs.models import Organisation, Region
from cme.orgs.queries import org_for, orgs_visible_to
from cme.orgs.regions import scope_prefix

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
