"""API: city-level training plans (003 §十一) — a unit's plans and rows, the Excel import
(upload → report → commit), submission; the city's row decisions — and the annual work
reports (003 §七) with the city's list of who has not reported. Same scoped queries and
actions as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from cme.accounts.scope import acting_org
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, ImportRecordOut, OrgRef, Year
from cme.core.errors import PermissionDenied
from cme.core.exports import xlsx_download
from cme.plans import actions, imports
from cme.plans.models import AnnualWorkReport, PlanImport, PlanRow, TrainingPlan
from cme.plans.permissions import can_edit_plan, is_city_reviewer
from cme.plans.queries import (
    plan_for,
    plan_import_for,
    plans_visible_to,
    row_for,
    work_report_status,
    work_reports_visible_to,
)

router = Router(tags=["市级培训计划与年度工作总结"])


class PlanRowOut(Schema):
    id: int
    number: int = Field(..., description="序号")
    name: str = Field(..., description="培训名称")
    content: str = Field(..., description="培训内容")
    audience: str = Field(..., description="培训对象")
    starts_on: date
    ends_on: date
    place: str = Field(..., description="培训地点")
    participants: int = Field(..., description="培训人数")
    organiser: str = Field(..., description="承办单位")
    mode: str = Field(
        ..., description="培训方式：offline 线下 / online 线上 / blended 线上线下结合"
    )
    credits: Decimal = Field(..., description="拟授学分")
    note: str
    decision: str = Field(..., description="pending 待审核 / approved 同意 / refused 不同意")
    reason: str
    project_id: int | None = Field(None, description="同意后立项的市级项目")
    project_number: str | None = None

    @staticmethod
    def resolve_project_number(row: PlanRow) -> str | None:
        return row.project.number if row.project_id else None


class PlanRowIn(Schema):
    number: int | None = Field(None, description="序号，不填时按顺序编号")
    name: str
    content: str
    audience: str
    starts_on: date
    ends_on: date
    place: str
    participants: int
    organiser: str
    mode: str = Field(
        ..., description="offline / online / blended，或中文：线下 / 线上 / 线上线下结合"
    )
    credits: str = Field(..., description='拟授学分，最多一位小数，如 "2.5"')
    note: str = ""

    def values(self) -> dict[str, str]:
        return {k: "" if v is None else str(v) for k, v in self.dict().items()}


class PlanOut(Schema):
    id: int
    unit: OrgRef
    city: OrgRef
    year: int
    half: int = Field(..., description="1 上半年 / 2 下半年")
    due_on: date
    state: str = Field(..., description="draft 草稿 / submitted 已提交 / decided 已审核")
    submitted_at: datetime | None
    late: bool
    rows: list[PlanRowOut]

    @staticmethod
    def resolve_rows(plan: TrainingPlan) -> list[PlanRow]:
        return list(plan.rows.select_related("project"))


class PlanIn(Schema):
    year: Year
    half: int = Field(..., description="1 上半年 / 2 下半年")


class PlanDecisionIn(Schema):
    row_id: int
    approve: bool
    reason: str = Field("", description="不同意时必填")


class DecisionsIn(Schema):
    decisions: list[PlanDecisionIn]


class PlanImportOut(ImportRecordOut):
    plan_id: int


class WorkReportOut(Schema):
    id: int
    unit: OrgRef
    city: OrgRef
    year: int
    text: str
    has_file: bool
    due_on: date
    submitted_at: datetime
    late: bool

    @staticmethod
    def resolve_has_file(report: AnnualWorkReport) -> bool:
        return bool(report.file)


class ReportStatusOut(Schema):
    unit: OrgRef
    status: str = Field(..., description="submitted 已报送 / late 逾期报送 / missing 未报送")
    submitted_at: datetime | None


def _editable(user, plan_id: int) -> TrainingPlan:
    plan = plan_for(user, plan_id)
    if not can_edit_plan(user, plan):
        raise PermissionDenied("该培训计划当前不能修改。")
    return plan


@router.get("/city-plans", response={200: list[PlanOut], **ERRORS}, summary="培训计划列表")
def list_plans(request: HttpRequest, year: Year | None = None, state: str = ""):
    """单位看到本单位的计划；市卫生健康委看到本市单位已报送的计划。"""
    qs = plans_visible_to(current_user(request))
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    return qs[:200]


@router.post("/city-plans", response={201: PlanOut, **ERRORS}, summary="新建培训计划")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[TrainingPlan]:
    user = current_user(request)
    return Status(201, actions.start_plan(actor=user, year=payload.year, half=payload.half))


@router.get("/city-plans/template", response={**ERRORS}, summary="下载计划申报表模板")
def plan_template(request: HttpRequest) -> HttpResponse:
    current_user(request)
    return xlsx_download("市级继续医学教育计划申报表.xlsx", imports.plan_template())


@router.get("/city-plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="培训计划")
def get_plan(request: HttpRequest, plan_id: int) -> TrainingPlan:
    return plan_for(current_user(request), plan_id)


@router.post("/city-plans/{plan_id}/rows", response={201: PlanRowOut, **ERRORS}, summary="添加条目")
def add_row(request: HttpRequest, plan_id: int, payload: PlanRowIn) -> Status[PlanRow]:
    user = current_user(request)
    return Status(201, actions.save_row(_editable(user, plan_id), payload.values(), actor=user))


@router.put("/plan-rows/{row_id}", response={200: PlanRowOut, **ERRORS}, summary="修改条目")
def edit_row(request: HttpRequest, row_id: int, payload: PlanRowIn) -> PlanRow:
    user = current_user(request)
    row = row_for(user, row_id)
    return actions.save_row(row.plan, payload.values(), actor=user, row=row)


@router.delete("/plan-rows/{row_id}", response={204: None, **ERRORS}, summary="删除条目")
def delete_row(request: HttpRequest, row_id: int) -> Status[None]:
    user = current_user(request)
    actions.delete_row(row_for(user, row_id), actor=user)
    return Status(204, None)


@router.post(
    "/city-plans/{plan_id}/imports",
    response={201: PlanImportOut, **ERRORS},
    summary="上传计划申报表",
)
def upload_plan(request: HttpRequest, plan_id: int, file: File[UploadedFile]) -> Status[PlanImport]:
    """上传计划申报表（multipart，字段 file），逐行检查后返回报告；确认前不写入任何数据。"""
    user = current_user(request)
    plan = _editable(user, plan_id)
    return Status(201, imports.preview_plan_import(plan, file, actor=user))


@router.get(
    "/plan-imports/{import_id}", response={200: PlanImportOut, **ERRORS}, summary="导入报告"
)
def get_plan_import(request: HttpRequest, import_id: int) -> PlanImport:
    return plan_import_for(current_user(request), import_id)


@router.post(
    "/plan-imports/{import_id}/commit",
    response={200: PlanImportOut, **ERRORS},
    summary="确认导入计划申报表",
)
def commit_plan_import(request: HttpRequest, import_id: int) -> PlanImport:
    """以文件内容替换草稿中的条目（按序号对应），全部写入或一条也不写。"""
    user = current_user(request)
    return imports.commit_plan_import(plan_import_for(user, import_id), actor=user)


@router.post("/city-plans/{plan_id}/submit", response={200: PlanOut, **ERRORS}, summary="报送")
def submit_plan(request: HttpRequest, plan_id: int) -> TrainingPlan:
    """逾期报送照常受理，并标记 late。"""
    user = current_user(request)
    return actions.submit_plan(plan_for(user, plan_id), actor=user)


@router.post(
    "/city-plans/{plan_id}/decisions", response={200: PlanOut, **ERRORS}, summary="逐条审核"
)
def decide(request: HttpRequest, plan_id: int, payload: DecisionsIn) -> TrainingPlan:
    """市卫生健康委逐条同意或不同意；同意的条目立即立项为已批准的市级项目。"""
    user = current_user(request)
    plan = plan_for(user, plan_id)
    actions.decide_rows(
        plan, [(d.row_id, d.approve, d.reason) for d in payload.decisions], actor=user
    )
    return plan_for(user, plan_id)


@router.post(
    "/city-plans/{plan_id}/approve-all", response={200: PlanOut, **ERRORS}, summary="全部同意"
)
def approve_all(request: HttpRequest, plan_id: int) -> TrainingPlan:
    user = current_user(request)
    actions.approve_all(plan_for(user, plan_id), actor=user)
    return plan_for(user, plan_id)


@router.get("/work-reports", response={200: list[WorkReportOut], **ERRORS}, summary="年度工作总结")
def list_work_reports(request: HttpRequest, year: Year | None = None):
    qs = work_reports_visible_to(current_user(request))
    return qs.filter(year=year)[:500] if year else qs[:500]


@router.post("/work-reports", response={201: WorkReportOut, **ERRORS}, summary="报送年度工作总结")
def submit_work_report(
    request: HttpRequest,
    year: Form[Year],
    text: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Status[AnnualWorkReport]:
    """multipart：year、text 和/或 file（PDF或Word）；再次报送替换内容，报送时间以首次为准。"""
    user = current_user(request)
    return Status(201, actions.submit_work_report(actor=user, year=year, text=text, file=file))


@router.get(
    "/work-reports/status",
    response={200: list[ReportStatusOut], **ERRORS},
    summary="工作总结收取情况",
)
def report_status(request: HttpRequest, year: Year | None = None) -> list[dict]:
    """本市应报送的委属单位和区县：已报送、逾期报送或未报送。仅市卫生健康委。"""
    user = current_user(request)
    if not is_city_reviewer(user):
        raise PermissionDenied("工作总结收取情况仅供市州卫生健康委查看。")
    statuses = work_report_status(acting_org(user), year or timezone.localdate().year)
    return [
        {
            "unit": s.org,
            "status": s.status,
            "submitted_at": s.report.submitted_at if s.report else None,
        }
        for s in statuses
    ]
