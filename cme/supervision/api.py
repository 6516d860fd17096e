"""API: sanctions (处理决定) and quotas of new declarations (SPEC §8; 000 §三.4).

A sanctioned person appears only with a masked ID number; the whole number is accepted
in a POST body, never in a URL."""

import datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages, ReasonIn, Year
from cme.core import idnumbers
from cme.core.errors import NotFound, PermissionDenied
from cme.orgs.queries import org_for
from cme.people.models import Person
from cme.projects.models import Level
from cme.supervision import actions, quotas
from cme.supervision.models import Sanction
from cme.supervision.permissions import can_record_sanctions, can_set_quotas
from cme.supervision.queries import (
    person_by_id_number,
    sanction_for,
    sanctionable_units,
    sanctions_visible_to,
)

router = Router(tags=["监督管理"])


# --- schemas -----------------------------------------------------------------------------------


class SanctionPersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    unit: OrgRef | None

    @staticmethod
    def resolve_id_number_masked(person: Person) -> str:
        return idnumbers.mask(person.id_number)


class SanctionOut(Schema):
    id: int
    kind: str
    kind_label: str
    organisation: OrgRef | None
    person: SanctionPersonOut | None
    from_year: int
    to_year: int
    reason: str
    decided_by: OrgRef
    decided_on: datetime.date
    has_evidence: bool
    status: str = Field(..., description="revoked / pending / in_force / expired")
    revoked_at: datetime.datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_kind_label(sanction: Sanction) -> str:
        return sanction.get_kind_display()

    @staticmethod
    def resolve_has_evidence(sanction: Sanction) -> bool:
        return bool(sanction.evidence)


class SanctionIn(Schema):
    kind: Sanction.Kind
    organisation_id: int | None = Field(None, description="被处理单位ID（处理单位时）")
    id_number: str = Field("", description="被处理人员的完整证件号码（处理人员时）")
    from_year: int | None = Field(None, description="留空：暂停、取消资格、缩减名额为下一年度")
    to_year: int | None = Field(None, description="留空同起始年度；取消单位资格1～3年")
    reason: str
    decided_on: datetime.date | None = Field(None, description="决定日期，默认今天")


class QuotaRowOut(Schema):
    unit: OrgRef
    approved: int
    completed: int
    execution_rate: float | None
    below_average: bool
    cut_by_sanction: bool
    computed_quota: int | None
    quota: int | None
    reason: str


class QuotaTableOut(Schema):
    year: int
    level: str
    rate_year: int
    average_execution_rate: float | None
    items: list[QuotaRowOut]


class QuotaComputeIn(Schema):
    year: Year
    level: Level
    rate_year: int
    base_quota: int | None = Field(None, description="留空取政策参数 quota.base_new_projects")
    cut_ratio: float | None = Field(
        None, description="如0.2；留空取政策参数 quota.cut_ratio_below_average"
    )


class QuotaSetIn(Schema):
    year: Year
    level: Level
    quota: int = Field(..., ge=0)
    reason: str


class QuotaOut(Schema):
    unit: OrgRef
    year: int
    level: str
    quota: int
    computed_quota: int | None
    reason: str


def _authority(user) -> None:
    if not can_record_sanctions(user):
        raise PermissionDenied("处理决定仅供主管部门查看和录入。")


def _rate(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _table_out(table: quotas.QuotaTable) -> dict:
    return {
        "year": table.year,
        "level": table.level,
        "rate_year": table.rate_year,
        "average_execution_rate": _rate(table.average),
        "items": [
            {
                "unit": r.unit,
                "approved": r.execution.approved if r.execution else 0,
                "completed": r.execution.completed if r.execution else 0,
                "execution_rate": _rate(r.rate),
                "below_average": r.below_average,
                "cut_by_sanction": r.cut_by_sanction,
                "computed_quota": r.quota.computed_quota if r.quota else None,
                "quota": r.quota.quota if r.quota else None,
                "reason": r.quota.reason if r.quota else "",
            }
            for r in table.rows
        ],
    }


# --- sanctions ---------------------------------------------------------------------------------


@router.get("/sanctions", response={200: list[SanctionOut], **ERRORS}, summary="处理决定列表")
@paginate(Pages)
def list_sanctions(
    request: HttpRequest,
    kind: Sanction.Kind | None = None,
    year: Year | None = None,
    active: bool | None = None,
) -> QuerySet[Sanction]:
    """本辖区的处理决定：kind 处理类型；year 执行年度；active=true 未撤销且未到期。"""
    user = current_user(request)
    _authority(user)
    qs = sanctions_visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if year is not None:
        qs = qs.filter(from_year__lte=year, to_year__gte=year)
    if active is not None:
        current = Q(revoked_at__isnull=True, to_year__gte=timezone.localdate().year)
        qs = qs.filter(current) if active else qs.exclude(current)
    return qs


@router.post("/sanctions", response={201: SanctionOut, **ERRORS}, summary="录入处理决定")
def create_sanction(request: HttpRequest, payload: SanctionIn) -> Status[Sanction]:
    """对本辖区单位（organisation_id）或人员（id_number，完整证件号码）作出处理决定。"""
    user = current_user(request)
    _authority(user)
    organisation = None
    if payload.organisation_id is not None:
        organisation = sanctionable_units(user).filter(pk=payload.organisation_id).first()
        if organisation is None:
            raise NotFound("在您的管理范围内没有该单位。")
    person = None
    if payload.id_number.strip():
        person = person_by_id_number(user, payload.id_number)
        if person is None:
            raise NotFound("在您的管理范围内没有找到该证件号码的人员。")
    sanction = actions.record_sanction(
        actor=user,
        kind=payload.kind,
        organisation=organisation,
        person=person,
        from_year=payload.from_year,
        to_year=payload.to_year,
        reason=payload.reason,
        decided_on=payload.decided_on or timezone.localdate(),
    )
    return Status(201, sanction)


@router.get(
    "/sanctions/{sanction_id}", response={200: SanctionOut, **ERRORS}, summary="处理决定详情"
)
def get_sanction(request: HttpRequest, sanction_id: int) -> Sanction:
    user = current_user(request)
    _authority(user)
    return sanction_for(user, sanction_id)


@router.post(
    "/sanctions/{sanction_id}/revoke",
    response={200: SanctionOut, **ERRORS},
    summary="撤销处理决定",
)
def revoke_sanction(request: HttpRequest, sanction_id: int, payload: ReasonIn) -> Sanction:
    """作出决定的主管部门或其上级部门撤销，须填写理由。"""
    user = current_user(request)
    _authority(user)
    return actions.revoke_sanction(
        sanction_for(user, sanction_id), actor=user, reason=payload.reason
    )


# --- quotas ------------------------------------------------------------------------------------


@router.get("/quotas", response={200: QuotaTableOut, **ERRORS}, summary="申报名额")
def list_quotas(
    request: HttpRequest, year: Year, level: Level = Level.PROVINCIAL, rate_year: int | None = None
) -> dict:
    """某年度、级别各单位的执行率、平均执行率、计算名额与调整后名额（省继教办）。"""
    return _table_out(quotas.quota_table(current_user(request), year, level, rate_year))


@router.post("/quotas/compute", response={200: QuotaTableOut, **ERRORS}, summary="计算申报名额")
def compute_quotas(request: HttpRequest, payload: QuotaComputeIn) -> dict:
    """按 rate_year 年度的执行率计算 year 年度的名额；省继教办调整过的名额保留。"""
    user = current_user(request)
    quotas.compute_quotas(
        payload.year,
        payload.level,
        base_quota=payload.base_quota,
        cut_ratio=None if payload.cut_ratio is None else str(payload.cut_ratio),
        rate_year=payload.rate_year,
        actor=user,
    )
    return _table_out(quotas.quota_table(user, payload.year, payload.level))


@router.post("/quotas/{unit_id}", response={200: QuotaOut, **ERRORS}, summary="调整单位申报名额")
def set_quota(request: HttpRequest, unit_id: int, payload: QuotaSetIn) -> dict:
    """省继教办设定某单位的名额，须填写理由；重新计算时保留。"""
    user = current_user(request)
    if not can_set_quotas(user):
        raise PermissionDenied("只有省继教办可以调整申报名额。")
    unit = org_for(user, unit_id)
    record = quotas.set_quota(
        unit, payload.year, payload.level, payload.quota, actor=user, reason=payload.reason
    )
    return {
        "unit": unit,
        "year": record.year,
        "level": record.level,
        "quota": record.quota,
        "computed_quota": record.computed_quota,
        "reason": record.reason,
    }
