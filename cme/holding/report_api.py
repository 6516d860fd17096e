"""API: a session's lessons and changes, the leader change, the execution report and its
review, the learners' evaluations and the user's reminders (SPEC §5). Same scope helpers and
actions as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import paginate

from cme.accounts.scope import is_authority
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.idnumbers import validate_resident_id
from cme.core.uploads import validate_document, validate_scan
from cme.credits.awards import plan_awards
from cme.holding import changes, reports
from cme.holding.changes import LessonRow
from cme.holding.models import Attendee, ExecutionReport
from cme.holding.queries import report_for, reports_for_reviewer, session_for
from cme.holding.reminders import reminders_for
from cme.people.models import Person
from cme.projects.queries import project_for

router = Router(tags=["变更与执行情况"])


class ReportLessonIn(Schema):
    topic: str
    teacher_name: str
    hours: Decimal = Field(..., ge=0, le=999, description="学时")
    teacher_title: str = ""
    teacher_title_level: int = Field(0, description="0 无 … 4 副高级 5 正高级")
    teacher_unit: str = ""
    planned_id: int | None = Field(None, description="原计划课程 id；新增课程为空")


class LessonsIn(Schema):
    lessons: list[ReportLessonIn]
    confirm_beyond: bool = Field(
        False, description="超出变更范围时确认仍保存（本期次将不授予学分）"
    )


class ReportChangeOut(Schema):
    planned_hours: Decimal
    actual_hours: Decimal
    ratios: dict[str, Decimal] = Field(..., description="teachers/content/hours，占批准学时%")
    limit_percent: Decimal | None
    within_limit: bool
    lower_titles: list[str]


class LessonOut(ReportLessonIn):
    id: int


class LessonsOut(Schema):
    lessons: list[LessonOut]
    change: ReportChangeOut


def _lessons_out(session) -> dict:
    return {"lessons": list(session.lessons.all()), "change": changes.session_summary(session)}


@router.get(
    "/sessions/{session_id}/lessons", response={200: LessonsOut, **ERRORS}, summary="实际课程安排"
)
def get_lessons(request: HttpRequest, session_id: int):
    return _lessons_out(session_for(current_user(request), session_id))


@router.post(
    "/sessions/{session_id}/lessons/preview",
    response={200: ReportChangeOut, **ERRORS},
    summary="计算变更比例（不保存）",
)
def preview_lessons(request: HttpRequest, session_id: int, payload: LessonsIn):
    session = session_for(current_user(request), session_id)
    return changes.measure(session.project, [LessonRow(**row.dict()) for row in payload.lessons])


@router.put(
    "/sessions/{session_id}/lessons", response={200: LessonsOut, **ERRORS}, summary="变更课程安排"
)
def put_lessons(request: HttpRequest, session_id: int, payload: LessonsIn):
    """超出变更范围（CHANGE_BEYOND_LIMIT）须 confirm_beyond=true；新教师职称低于原教师时拒绝
    （REPLACEMENT_TEACHER_TITLE）。"""
    user = current_user(request)
    session = session_for(user, session_id)
    rows = [LessonRow(**row.dict()) for row in payload.lessons]
    changes.save_lessons(session, rows, actor=user, confirm_beyond=payload.confirm_beyond)
    return _lessons_out(session)


class LeaderChangeOut(Schema):
    id: int
    previous: str
    new: str
    reason: str
    filed_with: OrgRef
    filed_at: datetime

    @staticmethod
    def resolve_previous(change) -> str:
        return change.previous.name

    @staticmethod
    def resolve_new(change) -> str:
        return change.new.name


@router.post(
    "/projects/{project_id}/leader-changes",
    response={201: LeaderChangeOut, **ERRORS},
    summary="变更项目负责人（不可抗力）",
)
def post_leader_change(
    request: HttpRequest,
    project_id: int,
    new_leader_id_number: Form[str],
    reason: Form[str],
    evidence: File[UploadedFile],
):
    user = current_user(request)
    project = project_for(user, project_id)
    try:
        validate_scan(evidence)
    except ValidationError as exc:
        raise DomainError("FILE_TYPE", exc.messages[0], field="evidence") from None
    number = validate_resident_id(new_leader_id_number, field="new_leader_id_number")
    new_leader = Person.objects.filter(id_number=number).first()
    if new_leader is None:
        raise DomainError(
            "LEADER_UNKNOWN", "平台中没有该证件号码的人员。", field="new_leader_id_number"
        )
    change = changes.replace_leader(
        project, actor=user, new_leader=new_leader, reason=reason, evidence=evidence
    )
    return 201, change


# --- the execution report ----------------------------------------------------------------------


class ReportIn(Schema):
    effect_analysis: str | None = None
    problems: str | None = None
    respondents: int | None = Field(None, ge=0)
    evaluation_counts: dict[str, dict[str, int]] | None = Field(
        None, description='{"q1": {"是": 40, "基本是": 8, "否": 2}, … "q7": {…}}'
    )
    effect_levels: dict[str, str] | None = Field(None, description='{"1": "参与度…", …}')
    textbook_name: str | None = None
    textbook_written_on: str | None = None
    textbook_authors: str | None = None
    textbook_form: str | None = Field(None, description="text 文字教材 / av 音像教材")
    textbook_words: int | None = None
    textbook_hours: Decimal | None = None
    textbook_outline: str | None = None


class ReportOut(Schema):
    id: int
    session_id: int
    state: str
    state_label: str
    due_on: date
    late: bool
    submitted_at: datetime | None
    reviewer: OrgRef
    review_due_on: date | None
    return_reason: str
    effect_analysis: str
    problems: str
    respondents: int
    evaluation_counts: dict
    percentages: dict
    effect_levels: dict
    has_schedule: bool
    has_exam: bool
    textbook_name: str
    textbook_form: str
    textbook_outline: str
    problems_before_submit: list[str]
    credits_blocked: list[str]

    @staticmethod
    def resolve_state_label(r: ExecutionReport) -> str:
        return r.get_state_display()

    @staticmethod
    def resolve_percentages(r: ExecutionReport) -> dict:
        return reports.percentages(r.evaluation_counts or {}, r.respondents)

    @staticmethod
    def resolve_has_schedule(r: ExecutionReport) -> bool:
        return bool(r.schedule)

    @staticmethod
    def resolve_has_exam(r: ExecutionReport) -> bool:
        return bool(r.exam)

    @staticmethod
    def resolve_problems_before_submit(r: ExecutionReport) -> list[str]:
        return reports.report_problems(r) if r.state in reports.EDITABLE else []

    @staticmethod
    def resolve_credits_blocked(r: ExecutionReport) -> list[str]:
        return plan_awards(r.session).blocked


@router.get(
    "/sessions/{session_id}/report", response={200: ReportOut, **ERRORS}, summary="执行情况"
)
def get_report(request: HttpRequest, session_id: int):
    return report_for(session_for(current_user(request), session_id))


@router.post(
    "/sessions/{session_id}/report", response={200: ReportOut, **ERRORS}, summary="开始填报执行情况"
)
def open_report(request: HttpRequest, session_id: int):
    """期次结束后才能填报（REPORT_TOO_EARLY）；最迟报送日期为结束后14天（政策参数）。"""
    user = current_user(request)
    return reports.open_report(session_for(user, session_id), actor=user)


@router.patch(
    "/sessions/{session_id}/report", response={200: ReportOut, **ERRORS}, summary="保存执行情况"
)
def patch_report(request: HttpRequest, session_id: int, payload: ReportIn):
    user = current_user(request)
    report = report_for(session_for(user, session_id))
    values = payload.dict(exclude_none=True)
    return reports.save_report(report, actor=user, **values)


@router.post(
    "/sessions/{session_id}/report/files",
    response={200: ReportOut, **ERRORS},
    summary="上传日程表、考试试题",
)
def upload_report_files(
    request: HttpRequest,
    session_id: int,
    schedule: File[UploadedFile] = None,
    exam: File[UploadedFile] = None,
):
    """multipart：schedule 项目活动日程表、exam 考试试题（PDF/图片/Word/Excel，不超过10MB）。"""
    user = current_user(request)
    report = report_for(session_for(user, session_id))
    values = {}
    for name, upload in (("schedule", schedule), ("exam", exam)):
        if upload is None:
            continue
        try:
            validate_document(upload)
        except ValidationError as exc:
            raise DomainError("FILE_TYPE", exc.messages[0], field=name) from None
        values[name] = upload
    return reports.save_report(report, actor=user, **values)


@router.post(
    "/sessions/{session_id}/report/submit",
    response={200: ReportOut, **ERRORS},
    summary="报送执行情况",
)
def submit_report(request: HttpRequest, session_id: int):
    """不完整时返回 REPORT_INCOMPLETE 并列出缺项；逾期报送照收并标记。报送后学分记录待审核。"""
    user = current_user(request)
    report = report_for(session_for(user, session_id))
    reports.submit_report(report, actor=user)
    report.refresh_from_db()
    return report


class ReportDecisionIn(Schema):
    approve: bool
    reason: str = ""


@router.post(
    "/sessions/{session_id}/report/decision",
    response={200: ReportOut, **ERRORS},
    summary="审核执行情况",
)
def decide_report(request: HttpRequest, session_id: int, payload: ReportDecisionIn):
    """approve=true 通过（学分生效、发放电子证书）；false 退回（须填 reason）。已被他人处理时返回 CONFLICT。"""
    user = current_user(request)
    report = report_for(session_for(user, session_id))
    return reports.decide_report(report, actor=user, approve=payload.approve, reason=payload.reason)


@router.get(
    "/execution-reports", response={200: list[ReportOut], **ERRORS}, summary="待我审核的执行情况"
)
@paginate(Pages)
def report_queue(request: HttpRequest, state: str = ExecutionReport.State.SUBMITTED):
    user = current_user(request)
    if not is_authority(user):
        raise PermissionDenied("只有卫生健康行政部门可以审核执行情况。")
    qs = reports_for_reviewer(user)
    return qs.filter(state=state) if state in ExecutionReport.State.values else qs


class EvaluationIn(Schema):
    answers: dict[str, str | list[str]] = Field(
        ..., description='{"q1": "是", … "q6": "满意", "q7": ["开阔思路", "提高理论水平"]}'
    )


class EvaluationOut(Schema):
    attendee_id: int
    answers: dict


@router.post(
    "/attendances/{attendee_id}/evaluation",
    response={200: EvaluationOut, **ERRORS},
    summary="学员填写评估",
)
def post_evaluation(request: HttpRequest, attendee_id: int, payload: EvaluationIn):
    """本人填写；第7题最多选2项（EVALUATION_Q7_TWO）。"""
    user = current_user(request)
    person = getattr(user, "person", None)
    attendee = Attendee.objects.filter(pk=attendee_id, person=person).first() if person else None
    if attendee is None:
        raise NotFound()
    return reports.submit_evaluation(attendee, actor=user, answers=payload.answers)


class ReminderOut(Schema):
    text: str
    url: str
    due_on: date | None
    overdue: bool


@router.get("/reminders", response={200: list[ReminderOut], **ERRORS}, summary="我的待办提醒")
def my_reminders(request: HttpRequest):
    return reminders_for(current_user(request))
