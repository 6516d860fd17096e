"""Reads, each starting from one scoped queryset; single objects 404 outside the scope.

A unit sees its own plans and reports; an authority sees the submitted plans and the
reports of the units in its subtree (the city its own, the province every city's), never
another city's."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cme.accounts.scope import acting_org, in_scope, is_authority, one_or_404
from cme.orgs.models import Organisation
from cme.plans.models import AnnualWorkReport, PlanImport, PlanRow, TrainingPlan
from cme.plans.permissions import is_plan_unit, is_work_reporter


def plans_visible_to(user) -> QuerySet[TrainingPlan]:
    qs = TrainingPlan.objects.select_related("unit", "city").annotate(
        row_count=Count("rows"),
        approved_count=Count("rows", filter=Q(rows__decision=PlanRow.Decision.APPROVED)),
        pending_count=Count("rows", filter=Q(rows__decision=PlanRow.Decision.PENDING)),
    )
    if is_plan_unit(user):
        return qs.filter(unit=acting_org(user))
    if is_authority(user):
        return in_scope(qs, user, "unit").exclude(state=TrainingPlan.State.DRAFT)
    return qs.none()


def plan_for(user, pk: int) -> TrainingPlan:
    return one_or_404(plans_visible_to(user), pk)


def review_queue_for(user) -> QuerySet[TrainingPlan]:
    """Plans sent to the user's city, waiting for its decisions first, oldest first."""
    return (
        plans_visible_to(user).filter(city=acting_org(user)).order_by("state", "submitted_at", "id")
    )


def rows_visible_to(user) -> QuerySet[PlanRow]:
    return PlanRow.objects.select_related("plan__unit", "plan__city", "project").filter(
        plan__in=plans_visible_to(user).values("pk")
    )


def row_for(user, pk: int) -> PlanRow:
    return one_or_404(rows_visible_to(user), pk)


def plan_import_for(user, pk: int) -> PlanImport:
    qs = PlanImport.objects.select_related("plan__unit").filter(
        plan__in=plans_visible_to(user).values("pk")
    )
    return one_or_404(qs, pk)


def work_reports_visible_to(user) -> QuerySet[AnnualWorkReport]:
    """A reporter (a unit, or a county bureau) sees its own; the city and the province the
    reports sent within their subtree."""
    qs = AnnualWorkReport.objects.select_related("unit", "city", "submitted_by")
    if is_work_reporter(user):
        return qs.filter(unit=acting_org(user))
    if is_authority(user):
        return in_scope(qs, user, "unit")
    return qs.none()


def work_report_for(user, pk: int) -> AnnualWorkReport:
    return one_or_404(work_reports_visible_to(user), pk)


def expected_reporters(city: Organisation) -> QuerySet[Organisation]:
    """Who owes the city a work report (003 §七): the units it licenses directly and its
    county bureaus, active ones only."""
    return (
        Organisation.objects.filter(
            licensing_authority=city, parent__isnull=True, status=Organisation.Status.ACTIVE
        )
        .exclude(kind__in=[Organisation.Kind.BRANCH, Organisation.Kind.DISTANCE])
        .order_by("-kind", "name")
    )


@dataclass(frozen=True)
class ReportStatus:
    org: Organisation
    report: AnnualWorkReport | None

    @property
    def status(self) -> str:
        if self.report is None:
            return "missing"
        return "late" if self.report.late else "submitted"

    @property
    def label(self) -> str:
        return {"missing": "未报送", "late": "逾期报送", "submitted": "已报送"}[self.status]


def work_report_status(city: Organisation, year: int) -> list[ReportStatus]:
    """Every expected reporter with its report of `year`, or None: two queries."""
    reports = {r.unit_id: r for r in AnnualWorkReport.objects.filter(city=city, year=year)}
    return [ReportStatus(org, reports.get(org.pk)) for org in expected_reporters(city)]
