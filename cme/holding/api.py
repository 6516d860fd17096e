"""API: a project's sessions, their pre-event reports, and the reports an authority has
received (SPEC §5). Same scope helpers and actions as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.accounts.scope import is_authority
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.uploads import validate_scan
from cme.holding import actions
from cme.holding.models import HeldSession, PreReport
from cme.holding.queries import pre_reports_for_authority, session_for
from cme.orgs.models import Region
from cme.projects.queries import project_for

router = Router(tags=["项目举办"])


class HeldSessionIn(Schema):
    starts_on: date
    ends_on: date
    region: str = Field(..., description="举办地区划代码，如 430102")
    address: str
    expected_participants: int = Field(..., ge=1)
    credits: Decimal = Field(..., description="拟授学分，一位小数", examples=[2.0])
    mode: str = Field(
        "offline", description="offline 线下 / online 线上（须上传书面申请，请使用页面）"
    )


class RequirementOut(Schema):
    kind: str
    authority: OrgRef
    due_on: date
    days: int
    submitted_at: datetime | None = None
    late: bool | None = None
    status: str = Field(..., description="done 已报备 / late 逾期报备 / missing 未报备")


class SessionOut(Schema):
    id: int
    project_id: int
    number: int
    starts_on: date
    ends_on: date
    region: str = Field(..., alias="region_id")
    place: str
    address: str
    mode: str
    expected_participants: int
    credits: Decimal

    @staticmethod
    def resolve_place(session: HeldSession) -> str:
        return session.region.full_name + session.address


class SessionDetailOut(SessionOut):
    pre_reports: list[RequirementOut]
    can_award_credits: bool
    award_reason: str

    @staticmethod
    def resolve_pre_reports(session: HeldSession) -> list[dict]:
        reports = {r.kind: r for r in session.pre_reports.all()}
        rows = []
        for req in actions.required_pre_reports(session):
            report = reports.get(req.kind)
            status = "missing" if report is None else ("late" if report.late else "done")
            rows.append(
                {
                    "kind": req.kind,
                    "authority": req.authority,
                    "due_on": req.due_on,
                    "days": req.days,
                    "submitted_at": report.submitted_at if report else None,
                    "late": report.late if report else None,
                    "status": status,
                }
            )
        return rows

    @staticmethod
    def resolve_can_award_credits(session: HeldSession) -> bool:
        return actions.can_award_credits(session)[0]

    @staticmethod
    def resolve_award_reason(session: HeldSession) -> str:
        return actions.can_award_credits(session)[1]


class PreReportOut(Schema):
    id: int
    session_id: int
    session_number: int
    project_number: str | None
    project_name: str
    sponsor: OrgRef
    starts_on: date
    ends_on: date
    place: str
    kind: str
    authority: OrgRef
    due_on: date
    submitted_at: datetime
    late: bool
    note: str

    @staticmethod
    def resolve_session_number(r: PreReport) -> int:
        return r.session.number

    @staticmethod
    def resolve_project_number(r: PreReport) -> str | None:
        return r.session.project.number

    @staticmethod
    def resolve_project_name(r: PreReport) -> str:
        return r.session.project.name

    @staticmethod
    def resolve_sponsor(r: PreReport):
        return r.session.project.sponsor

    @staticmethod
    def resolve_starts_on(r: PreReport) -> date:
        return r.session.starts_on

    @staticmethod
    def resolve_ends_on(r: PreReport) -> date:
        return r.session.ends_on

    @staticmethod
    def resolve_place(r: PreReport) -> str:
        return r.session.region.full_name + r.session.address


@router.get(
    "/projects/{project_id}/sessions",
    response={200: list[SessionOut], **ERRORS},
    summary="项目的举办期次",
)
def list_sessions(request: HttpRequest, project_id: int) -> QuerySet[HeldSession]:
    project = project_for(current_user(request), project_id)
    return project.held_sessions.select_related("region__parent__parent")


@router.post(
    "/projects/{project_id}/sessions",
    response={201: SessionDetailOut, **ERRORS},
    summary="安排举办期次",
)
def create_session(request: HttpRequest, project_id: int, payload: HeldSessionIn):
    """不超过批准的期数（SESSIONS_OVER_APPROVED）；线上举办须附书面申请（ONLINE_NEEDS_APPLICATION）。"""
    user = current_user(request)
    project = project_for(user, project_id)
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise DomainError("REGION", "举办地区划代码无效。", field="region")
    values = payload.dict()
    values["region"] = region
    session = actions.add_session(project, actor=user, **values)
    return Status(201, session)


@router.get(
    "/sessions/{session_id}", response={200: SessionDetailOut, **ERRORS}, summary="期次详情"
)
def get_session(request: HttpRequest, session_id: int) -> HeldSession:
    return session_for(current_user(request), session_id)


@router.post(
    "/sessions/{session_id}/pre-reports/{kind}",
    response={200: SessionDetailOut, **ERRORS},
    summary="举办前报备",
)
def submit_pre_report(
    request: HttpRequest,
    session_id: int,
    kind: str,
    notice: File[UploadedFile],
    schedule: File[UploadedFile],
    note: Form[str] = "",
) -> HeldSession:
    """kind：province 向举办地省级继教委报备 / city 向市卫健委报送举办报备表；multipart 上传
    notice 会议通知、schedule 课程安排（PDF/JPG/PNG，不超过10MB）。晚于最迟报备日期的报备
    照收并标记逾期。"""
    user = current_user(request)
    session = session_for(user, session_id)
    if kind not in PreReport.Kind.values:
        raise NotFound()
    for name, upload in (("notice", notice), ("schedule", schedule)):
        try:
            validate_scan(upload)
        except ValidationError as exc:
            raise DomainError("FILE_TYPE", exc.messages[0], field=name) from None
    actions.submit_pre_report(
        session, actor=user, kind=kind, notice=notice, schedule=schedule, note=note
    )
    return session_for(user, session_id)


@router.get(
    "/pre-reports", response={200: list[PreReportOut], **ERRORS}, summary="收到的举办前报备"
)
@paginate(Pages)
def received_pre_reports(
    request: HttpRequest, late: bool | None = None, month: str | None = None
) -> QuerySet[PreReport]:
    """本机构收到的报备（省、全国继教办含下级）；late=true 只看逾期；month=YYYY-MM 举办月份。"""
    user = current_user(request)
    if not is_authority(user):
        raise PermissionDenied("只有卫生健康行政部门可以查看举办报备。")
    qs = pre_reports_for_authority(user)
    if late is not None:
        qs = qs.filter(late=late)
    if month:
        try:
            first = date.fromisoformat(month + "-01")
        except ValueError:
            raise DomainError("MONTH", "月份格式应为 YYYY-MM。", field="month") from None
        qs = qs.filter(session__starts_on__year=first.year, session__starts_on__month=first.month)
    return qs
