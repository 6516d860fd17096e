"""API: the figures of the authorities' desk (issue 7 §1, §9), the same functions as the
pages, over the caller's scope."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from cme.accounts.scope import is_authority
from cme.api.auth import current_user
from cme.api.schemas import ERRORS, Year
from cme.core.errors import PermissionDenied
from cme.stats import figures, tallies

router = Router(tags=["统计分析"])


class RatesOut(Schema):
    id: int
    name: str
    declared: int = Field(..., description="已提交的申报")
    decided: int = Field(..., description="已审结（批准或未通过）")
    approved: int = Field(..., description="批准（含已公布、举办中、已完成、未执行、已废止）")
    completed: int = Field(..., description="已完成：举办并报告、执行情况审核通过")
    approval_rate: Decimal | None = Field(None, description="批准率 %：批准 ÷ 已审结")
    execution_rate: Decimal | None = Field(None, description="执行率 %：完成 ÷ 批准")


class MonthOut(Schema):
    month: int
    credits: Decimal
    records: int


class AuditRowOut(Schema):
    unit_id: int
    name: str
    state: str
    state_label: str
    staff: int
    qualified: int
    share: Decimal | None = Field(None, description="达标率 %；未提交的为 null")


class OverdueOut(Schema):
    reports: int = Field(..., description="执行情况逾期未报送的期次")
    reviews: int = Field(..., description="执行情况逾期未审核的报告")


class DashboardOut(Schema):
    year: int
    declarations: dict[str, dict[str, int]] = Field(..., description="{级别: {状态: 项目数}}")
    areas: list[RatesOut] = Field(..., description="下一级地区（或直属单位）的批准率与执行率")
    behind: list[RatesOut] = Field(..., description="执行率最低的单位")
    credits_by_month: list[MonthOut]
    credits_counted_at: datetime | None = Field(
        ..., description="学分统计时间（每十分钟更新）；null：首次统计进行中，学分数字暂为0"
    )
    audits: list[AuditRowOut] = Field(..., description="各单位学分审核进度，达标率低的在前")
    overdue: OverdueOut


def _authority(request: HttpRequest):
    user = current_user(request)
    if not is_authority(user):
        raise PermissionDenied("统计分析只对卫生健康行政部门开放。")
    return user


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


def _rates(r: figures.Rates) -> dict:
    return {
        "id": r.id,
        "name": r.name,
        "declared": r.declared,
        "decided": r.decided,
        "approved": r.approved,
        "completed": r.completed,
        "approval_rate": r.approval_rate,
        "execution_rate": r.execution_rate,
    }


@router.get("/stats/dashboard", response={200: DashboardOut, **ERRORS}, summary="统计首页数据")
def dashboard(request: HttpRequest, year: Year | None = None, today: date | None = None):
    """本辖区某年度的申报、批准率与执行率、每月学分、学分审核进度和逾期事项。"""
    user = _authority(request)
    year = _year(year)
    overdue = figures.overdue(user, today or timezone.localdate())
    return {
        "year": year,
        "declarations": figures.declarations(user, year),
        "areas": [_rates(r) for r in figures.area_rates(user, year)],
        "behind": [_rates(r) for r in figures.behind(user, year)],
        "credits_by_month": [
            {"month": m, "credits": a, "records": n}
            for m, a, n in figures.credits_by_month(user, year)
        ],
        "credits_counted_at": tallies.counted(year),
        "audits": [{**r.__dict__, "share": r.share} for r in figures.audit_progress(user, year)],
        "overdue": {
            "reports": overdue.missing.count() + overdue.late.count(),
            "reviews": overdue.reviews.count(),
        },
    }


@router.get(
    "/stats/units", response={200: list[RatesOut], **ERRORS}, summary="各单位批准率与执行率"
)
def units(request: HttpRequest, year: Year | None = None, level: str = ""):
    user = _authority(request)
    return [_rates(r) for r in figures.unit_rates(user, _year(year), level)]
