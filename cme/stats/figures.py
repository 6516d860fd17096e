"""The figures of an authority's desk (issue 7 §1; SPEC §8), each over the user's scope
and one year, each from one aggregate query. Pages, exports and the API read these.

Scope is the one of every list: rows whose unit lies in the user's subtree
(`accounts.scope.in_scope`). "Areas" are the next level down from the user's
organisation: a province sees its cities, a city its counties and the units it licenses
directly (直属), a county its units.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, F, Q, QuerySet, Sum

from cme.accounts.scope import acting_org, in_scope, scope_path
from cme.audits.models import AnnualAudit
from cme.holding.models import ExecutionReport, HeldSession
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.policy.access import for_year
from cme.projects.models import Level, Project, State
from cme.stats import tallies
from cme.stats.models import CreditTally
from cme.supervision.quotas import AFTER_APPROVAL

ZERO = Decimal("0.0")
# A declaration counts once it has been submitted; these are the states it can be in then.
DECLARED = [s for s in State.values if s != State.DRAFT]
DECIDED = [*AFTER_APPROVAL, State.REJECTED]


def percent(part: int | Fraction, whole: int) -> Decimal | None:
    """A share as a percentage with one decimal; None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


# --- declarations -------------------------------------------------------------------------------


def declarations(user, year: int) -> dict[str, dict[str, int]]:
    """{level: {state: count}} of the year's submitted declarations in scope."""
    rows = (
        in_scope(Project.objects.filter(year=year, state__in=DECLARED), user, "sponsor")
        .values("level", "state")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = {level: {} for level in Level.values}
    for r in rows:
        table[r["level"]][r["state"]] = r["n"]
    return table


def projects(user, year: int, *, level: str = "", state: str = "", unit: int | None = None):
    """The projects behind a declarations figure."""
    qs = in_scope(Project.objects.filter(year=year, state__in=DECLARED), user, "sponsor")
    if level:
        qs = qs.filter(level=level)
    if state == "approved":
        qs = qs.filter(state__in=AFTER_APPROVAL)
    elif state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(sponsor_id=unit)
    return qs.select_related("sponsor", "leader").order_by("sponsor__name", "number", "id")


# --- approval and execution rates ---------------------------------------------------------------


@dataclass
class Rates:
    """Declared, decided, approved and completed projects of a unit or an area."""

    id: int
    name: str
    declared: int = 0
    decided: int = 0
    approved: int = 0
    completed: int = 0
    units: int = 1
    tree_path: str = ""

    @property
    def approval_rate(self) -> Decimal | None:
        """批准率: approved ÷ decided (declarations still under review are not counted)."""
        return percent(self.approved, self.decided)

    @property
    def execution_rate(self) -> Decimal | None:
        """执行率: completed (held and reported) ÷ approved (000 §三.4)."""
        return percent(self.completed, self.approved)

    def add(self, other: "Rates") -> None:
        self.declared += other.declared
        self.decided += other.decided
        self.approved += other.approved
        self.completed += other.completed


def unit_rates(user, year: int, level: str = "") -> list[Rates]:
    """Every unit in scope with declarations of the year, by name."""
    qs = in_scope(Project.objects.filter(year=year, state__in=DECLARED), user, "sponsor")
    if level:
        qs = qs.filter(level=level)
    rows = qs.values("sponsor_id", "sponsor__name", "sponsor__tree_path").annotate(
        declared=Count("id"),
        decided=Count("id", filter=Q(state__in=DECIDED)),
        approved=Count("id", filter=Q(state__in=AFTER_APPROVAL)),
        completed=Count("id", filter=Q(state=State.COMPLETED)),
    )
    result = []
    result = [
        Rates(
            r["sponsor_id"],
            r["sponsor__name"],
            r["declared"],
            r["decided"],
            r["approved"],
            r["completed"],
            tree_path=r["sponsor__tree_path"],
        )
        for r in rows
    ]
    return sorted(result, key=lambda r: r.name)


def area_of(tree_path: str, base: str) -> int | None:
    """The id of the first organisation under `base` on the way down to `tree_path`."""
    rest = tree_path[len(base) :].strip("/")
    return int(rest.split("/")[0]) if rest else None


def areas(user) -> dict[int, Organisation]:
    """The organisations directly under the user's own (licensed by it, or its branches);
    for the system admin, the top of the tree."""
    org = acting_org(user)
    below = (
        Q(licensing_authority=org) | Q(parent=org)
        if org
        else Q(licensing_authority__isnull=True, parent__isnull=True)
    )
    return {
        o.pk: o for o in Organisation.objects.filter(below).only("id", "name", "tree_path", "kind")
    }


def area_rates(user, year: int, level: str = "") -> list[Rates]:
    """The unit rates summed per area (city for a province, county or 直属 unit for a city),
    the areas with no declarations included with zeros when they are authorities."""
    base = scope_path(user) or "/"
    known = areas(user)
    totals: dict[int, Rates] = {
        pk: Rates(pk, o.name, units=0) for pk, o in known.items() if o.is_authority
    }
    for unit in unit_rates(user, year, level):
        area = area_of(unit.tree_path, base)
        if area is None:  # the user's own organisation declaring
            area = unit.id
        if area not in totals:
            org = known.get(area)
            totals[area] = Rates(area, org.name if org else unit.name, units=0)
        totals[area].add(unit)
        totals[area].units += 1
    return sorted(totals.values(), key=lambda r: (r.execution_rate is None, r.name))


def behind(user, year: int, n: int = 10) -> list[Rates]:
    """The units furthest behind: lowest execution rate first among units with approvals,
    the ones with more approved projects first at the same rate."""
    rated = [r for r in unit_rates(user, year) if r.approved]
    return sorted(rated, key=lambda r: (r.completed / r.approved, -r.approved, r.name))[:n]


# --- reports overdue ----------------------------------------------------------------------------


@dataclass
class Overdue:
    """Querysets: sessions ended more than the report's lead time ago with no report begun,
    reports begun but not filed by their due date, filed reports not reviewed in time."""

    missing: QuerySet
    late: QuerySet
    reviews: QuerySet

    @property
    def reports(self) -> list[tuple[str, object]]:
        """("session", s) for each report not begun, ("report", r) for each one begun."""
        return [*(("session", s) for s in self.missing), *(("report", r) for r in self.late)]

    @property
    def count(self) -> int:
        return self.missing.count() + self.late.count() + self.reviews.count()


def overdue(user, today: datetime.date) -> Overdue:
    """Execution reports past their due date and not filed (sponsor in scope), and filed
    reports past their review date (reviewer or sponsor in scope)."""
    open_states = [ExecutionReport.State.DRAFT, ExecutionReport.State.RETURNED]
    base = ExecutionReport.objects.select_related("session__project__sponsor", "reviewer").order_by(
        "due_on", "id"
    )
    # a report not begun has no due date yet: the session's end plus the policy's lead time
    lead = datetime.timedelta(days=for_year(today.year).get("report.after_event_days"))
    return Overdue(
        missing=in_scope(
            HeldSession.objects.filter(ends_on__lt=today - lead, execution_report__isnull=True),
            user,
            "project__sponsor",
        )
        .select_related("project__sponsor")
        .order_by("ends_on", "id"),
        late=in_scope(
            base.filter(state__in=open_states, due_on__lt=today),
            user,
            "session__project__sponsor",
        ),
        reviews=in_scope(
            base.filter(state=ExecutionReport.State.SUBMITTED, review_due_on__lt=today),
            user,
            "reviewer",
            "session__project__sponsor",
        ),
    )


# --- credits by month ---------------------------------------------------------------------------


def credits_by_month(user, year: int) -> list[tuple[int, Decimal, int]]:
    """[(month, credits, records)] of the year's valid credits of people in scope, by the
    activity's month (twelve rows, zeros included), from the tallies."""
    tallies.counted(year)
    rows = (
        in_scope(CreditTally.objects.filter(year=year, month__isnull=False), user, "unit")
        .values("month")
        .annotate(amount=Sum("amount"), n=Sum("records"))
        .order_by()
    )
    by_month = {r["month"]: (r["amount"] or ZERO, r["n"]) for r in rows}
    return [(m, *by_month.get(m, (ZERO, 0))) for m in range(1, 13)]


def credits_by_unit(user, year: int, month: int | None = None) -> QuerySet:
    """The units behind a month of credits (or the whole year), most credits first, from
    the tallies: rows of {unit_id, name, amount, records, persons}."""
    tallies.counted(year)
    rows = CreditTally.objects.filter(year=year, month=month if month else None)
    return (
        in_scope(rows, user, "unit")
        .order_by("-amount", "unit__name", "unit_id")
        .values("unit_id", "amount", "records", "persons", name=F("unit__name"))
    )


# --- audit progress -----------------------------------------------------------------------------


@dataclass
class AuditRow:
    unit_id: int
    name: str
    state: str
    state_label: str
    staff: int
    qualified: int

    @property
    def share(self) -> Decimal | None:
        """达标率 of a submitted list; None before the unit submits."""
        if self.state == AnnualAudit.State.NOT_SUBMITTED:
            return None
        return percent(self.qualified, self.staff)


def audit_progress(
    user, year: int, *, state: str = "", with_missing: bool = True
) -> list[AuditRow]:
    """Each unit's audit of the year (submitted ones; with `with_missing`, the units with
    staff that have not submitted too, as 未审核 with their current staff count), lowest
    达标 share first."""
    audits = in_scope(AnnualAudit.objects.filter(year=year), user, "unit").select_related("unit")
    rows = {
        a.unit_id: AuditRow(
            a.unit_id, a.unit.name, a.state, a.get_state_display(), a.staff_count, a.qualified_count
        )
        for a in audits
    }
    if not with_missing:
        return sorted(rows.values(), key=lambda r: (r.share is None, r.share or 0, r.name))
    units = (
        in_scope(Organisation.objects.exclude(kind=Organisation.Kind.AUTHORITY), user, "")
        .filter(status=Organisation.Status.ACTIVE)
        .annotate(n=Count("staff"))
        .filter(n__gt=0)
        .exclude(pk__in=list(rows))
        .values_list("pk", "name", "n")
    )
    label = AnnualAudit.State.NOT_SUBMITTED.label
    for pk, name, n in units:
        rows[pk] = AuditRow(pk, name, AnnualAudit.State.NOT_SUBMITTED, str(label), n, 0)
    result = list(rows.values())
    if state:
        result = [r for r in result if r.state == state]
    return sorted(result, key=lambda r: (r.share is None, r.share or 0, r.name))


def staffed_units(user) -> int:
    """The number of units in scope with staff on their books (those that owe an audit)."""
    return in_scope(Person.objects.filter(unit__isnull=False), user, "unit").aggregate(
        n=Count("unit_id", distinct=True)
    )["n"]


def audit_states(rows: list[AuditRow]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.state] += 1
    return {s: counts.get(s, 0) for s in AnnualAudit.State.values}


def desk_summary(user, today: datetime.date) -> dict:
    """The few figures an authority's home page shows, linking to the desk."""
    table = declarations(user, today.year)
    return {
        "year": today.year,
        "under_review": sum(t.get(State.UNDER_REVIEW, 0) for t in table.values()),
        "approved": sum(t.get(s, 0) for t in table.values() for s in AFTER_APPROVAL),
        "completed": sum(t.get(State.COMPLETED, 0) for t in table.values()),
        "overdue": overdue(user, today).count,
    }
