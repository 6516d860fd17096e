"""API: integrity alerts (诚信预警, SPEC §8): the authority's list, one alert with the
records it names, the decision that closes it, and a scan of the caller's subtree."""

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages, Year
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.integrity import actions
from cme.integrity.models import IntegrityAlert
from cme.integrity.permissions import can_view_alerts
from cme.integrity.queries import alert_for, alerts_visible_to
from cme.integrity.rules import RULES
from cme.supervision.queries import sanction_for

router = Router(tags=["诚信预警"])


class FlaggedRecordOut(Schema):
    kind: str = Field(..., description="credit / session / lesson / roster / unit / certificate")
    id: int
    label: str
    person_id: int | None = None
    session_id: int | None = None
    number: str | None = Field(None, description="证书编号（kind=certificate）")


class AlertOut(Schema):
    id: int
    rule: str
    rule_title: str
    year: int
    authority: OrgRef
    person_id: int | None
    unit_id: int | None
    session_id: int | None
    certificate_id: int | None
    summary: str
    records: list[FlaggedRecordOut]
    state: str
    decision: str
    reason: str
    action_taken: str
    sanction_id: int | None
    decided_at: datetime.datetime | None
    found_at: datetime.datetime
    last_seen_at: datetime.datetime


class DecideIn(Schema):
    decision: IntegrityAlert.Decision = Field(
        ..., description="dismissed 无问题 / confirmed 已核实"
    )
    reason: str
    action_taken: str = ""
    sanction_id: int | None = Field(None, description="相关处理决定ID（已核实时可填）")


class ScanIn(Schema):
    year: Year


class ScanOut(Schema):
    year: int
    found: dict[str, int]
    created: dict[str, int]


def _authority(user) -> None:
    if not can_view_alerts(user):
        raise PermissionDenied("诚信预警仅供主管部门查看和处理。")


@router.get("/integrity/alerts", response={200: list[AlertOut], **ERRORS}, summary="诚信预警列表")
@paginate(Pages)
def list_alerts(
    request: HttpRequest,
    rule: str | None = None,
    state: IntegrityAlert.State | None = None,
    year: Year | None = None,
) -> QuerySet[IntegrityAlert]:
    """本辖区的诚信预警：rule 规则编号（如 OVERLAP_CITIES）；state open/closed；year 年度。"""
    user = current_user(request)
    _authority(user)
    qs = alerts_visible_to(user)
    if rule:
        if rule not in RULES:
            raise DomainError(
                "RULE_UNKNOWN",
                "预警规则{r}不存在，可选：{a}。".format(r=rule, a="、".join(RULES)),
                field="rule",
            )
        qs = qs.filter(rule=rule)
    if state:
        qs = qs.filter(state=state)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


@router.get(
    "/integrity/alerts/{alert_id}", response={200: AlertOut, **ERRORS}, summary="诚信预警详情"
)
def get_alert(request: HttpRequest, alert_id: int) -> IntegrityAlert:
    user = current_user(request)
    _authority(user)
    return alert_for(user, alert_id)


@router.post(
    "/integrity/alerts/{alert_id}/decide",
    response={200: AlertOut, **ERRORS},
    summary="处理诚信预警",
)
def decide_alert(request: HttpRequest, alert_id: int, payload: DecideIn) -> IntegrityAlert:
    """作出结论（无问题/已核实），须填写理由；系统不会自动作废任何记录。"""
    user = current_user(request)
    _authority(user)
    alert = alert_for(user, alert_id)
    sanction = None
    if payload.sanction_id is not None:
        try:
            sanction = sanction_for(user, payload.sanction_id)
        except NotFound:
            raise NotFound("在您的管理范围内没有该处理决定。") from None
    return actions.decide_alert(
        alert,
        actor=user,
        decision=payload.decision,
        reason=payload.reason,
        action_taken=payload.action_taken,
        sanction=sanction,
    )


@router.post("/integrity/scan", response={200: ScanOut, **ERRORS}, summary="扫描本辖区诚信预警")
def scan(request: HttpRequest, payload: ScanIn) -> dict:
    """按全部规则扫描本辖区某年度的记录；已发出的预警不会重复。"""
    user = current_user(request)
    _authority(user)
    result = actions.scan_scope(actor=user, year=payload.year)
    return {"year": result.year, "found": result.found, "created": result.created}
