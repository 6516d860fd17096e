"""Execution rates and quotas of new declarations (000 §三.4; SPEC §8).

A unit's execution rate for a year is the share of its approved projects that were
completed: projects of that year in state `completed` ÷ projects that reached approval
(approved, published, held, completed, lapsed or annulled). A unit whose rate is below
the average of the units' rates (or on which a quota cut is in force, 003 §十) gets its
quota reduced by the cut ratio; the province may set any unit's quota with a reason,
and a recomputation keeps that quota.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cme.accounts.scope import acting_org, sees_everything
from cme.core import audit
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.orgs.models import Organisation
from cme.policy.access import for_year
from cme.projects.models import Level, Project, State
from cme.supervision.models import Sanction, UnitQuota
from cme.supervision.permissions import can_set_quotas
from cme.supervision.queries import in_force, quotas_visible_to

# Every state a project reaches once approved: the denominator of the execution rate.
AFTER_APPROVAL = (
    State.APPROVED,
    State.PUBLISHED,
    State.HELD,
    State.COMPLETED,
    State.LAPSED,
    State.ANNULLED,
)
BASE_KEY = "quota.base_new_projects"
CUT_KEY = "quota.cut_ratio_below_average"
QUOTA_MAX = 9999


@dataclass(frozen=True)
class Execution:
    """One unit's approved and completed projects of a year."""

    unit_id: int
    approved: int
    completed: int

    @property
    def rate(self) -> Fraction:
        return Fraction(self.completed, self.approved)


def executions(
    year: int, level: str | None = None, *, within: Organisation | None = None
) -> dict[int, Execution]:
    """Units (by id) with approved projects in `year`, one aggregate query."""
    qs = Project.objects.filter(year=year, state__in=AFTER_APPROVAL)
    if level:
        qs = qs.filter(level=level)
    if within is not None:
        qs = qs.filter(sponsor__tree_path__startswith=within.tree_path)
    rows = qs.values("sponsor_id").annotate(
        approved=Count("id"), completed=Count("id", filter=Q(state=State.COMPLETED))
    )
    return {
        r["sponsor_id"]: Execution(r["sponsor_id"], r["approved"], r["completed"]) for r in rows
    }


def execution_rate(unit: Organisation, year: int, level: str | None = None) -> Fraction | None:
    """Completed ÷ approved projects of the unit in `year` (all levels unless given);
    None when it had none approved."""
    execution = executions(year, level, within=unit).get(unit.pk)
    return execution.rate if execution else None


def _mean(rows: dict[int, Execution]) -> Fraction | None:
    if not rows:
        return None
    return sum((e.rate for e in rows.values()), start=Fraction(0)) / len(rows)


def average_execution_rate(
    year: int, level: str, *, within: Organisation | None = None
) -> Fraction | None:
    """The mean of the rates of the units with approvals (each unit counts once)."""
    return _mean(executions(year, level, within=within))


def reduced_quota(base_quota: int, cut_ratio: Decimal) -> int:
    """The base cut by the ratio, rounded down, at least 1."""
    return max(1, math.floor(base_quota * (1 - Fraction(cut_ratio))))


def policy_defaults(year: int) -> dict[str, object]:
    """The base quota and cut ratio from the year's policy, None where not set."""
    values: dict[str, object] = {BASE_KEY: None, CUT_KEY: None}
    try:
        policy = for_year(year)
    except DomainError:
        return values
    for key in values:
        try:
            values[key] = policy.get(key)
        except DomainError:
            values[key] = None
    return values


def _base(value: object) -> int:
    if value is None or isinstance(value, bool):
        raise DomainError("QUOTA_BASE", "请填写基础名额。", field="base_quota")
    try:
        base = int(str(value))
    except ValueError:
        raise DomainError("QUOTA_BASE", "基础名额应为整数。", field="base_quota") from None
    if not 1 <= base <= QUOTA_MAX:
        raise DomainError(
            "QUOTA_BASE", "基础名额应在1至{m}之间。".format(m=QUOTA_MAX), field="base_quota"
        )
    return base


def _ratio(value: object) -> Decimal:
    if value is None:
        raise DomainError("QUOTA_CUT_RATIO", "请填写削减比例。", field="cut_ratio")
    try:
        ratio = Decimal(str(value))
    except InvalidOperation:
        raise DomainError(
            "QUOTA_CUT_RATIO", "削减比例应为小数，如0.2。", field="cut_ratio"
        ) from None
    if not Decimal(0) <= ratio < Decimal(1):
        raise DomainError(
            "QUOTA_CUT_RATIO",
            "削减比例应不小于0且小于1（如0.2表示削减20%）。",
            field="cut_ratio",
        )
    return ratio


def _level(value: str) -> str:
    if value not in Level.values:
        raise DomainError(
            "QUOTA_LEVEL",
            "项目级别无效，可选：{v}。".format(v="、".join(Level.values)),
            field="level",
        )
    return value


def _within(actor) -> Organisation | None:
    """The subtree an actor's quotas cover: None (everything) for the system admin."""
    if actor is None or sees_everything(actor):
        return None
    return acting_org(actor)


def _cut_by_sanction(year: int, unit_ids) -> set[int]:
    qs = in_force(Sanction.objects.filter(kind=Sanction.Kind.CUT_QUOTA), year)
    return set(qs.filter(organisation_id__in=unit_ids).values_list("organisation_id", flat=True))


@transaction.atomic
def compute_quotas(
    year: int,
    level: str,
    *,
    base_quota: int | None = None,
    cut_ratio: Decimal | float | str | None = None,
    rate_year: int,
    actor=None,
) -> list[UnitQuota]:
    """Quotas of `year` for every unit with approvals in `rate_year` (in the actor's subtree):
    the base quota, cut when the unit's rate is below the average. Base and ratio default to
    the year's policy values. A quota the province set with a reason is kept (only its
    computed value is refreshed); computed quotas of units no longer concerned are removed."""
    if actor is not None and not can_set_quotas(actor):
        raise PermissionDenied("只有省继教办可以计算申报名额。")
    level = _level(level)
    defaults = policy_defaults(year)
    base = _base(base_quota if base_quota is not None else defaults[BASE_KEY])
    ratio = _ratio(cut_ratio if cut_ratio is not None else defaults[CUT_KEY])
    if rate_year > year:
        raise DomainError("QUOTA_RATE_YEAR", "执行率统计年度不能晚于名额年度。", field="rate_year")
    within = _within(actor)
    rows = executions(rate_year, level, within=within)
    average = _mean(rows)
    sanctioned = _cut_by_sanction(year, rows.keys())
    existing = {
        q.unit_id: q for q in UnitQuota.objects.filter(year=year, level=level, unit_id__in=rows)
    }
    now = timezone.now()
    created, updated = [], []
    reduced = 0
    for unit_id, execution in rows.items():
        below = average is not None and execution.rate < average
        computed = reduced_quota(base, ratio) if below or unit_id in sanctioned else base
        reduced += computed < base
        quota = existing.get(unit_id)
        if quota is None:
            created.append(
                UnitQuota(
                    unit_id=unit_id,
                    year=year,
                    level=level,
                    quota=computed,
                    computed_quota=computed,
                    rate_year=rate_year,
                )
            )
            continue
        quota.computed_quota, quota.rate_year, quota.updated_at = computed, rate_year, now
        if not quota.reason:
            quota.quota = computed
        updated.append(quota)
    UnitQuota.objects.bulk_create(created)
    UnitQuota.objects.bulk_update(updated, ["computed_quota", "rate_year", "quota", "updated_at"])
    stale = UnitQuota.objects.filter(year=year, level=level, reason="").exclude(unit_id__in=rows)
    if within is not None:
        stale = stale.filter(unit__tree_path__startswith=within.tree_path)
    stale.delete()
    audit.record(
        "quota.compute",
        actor=actor,
        scope_path=within.tree_path if within else "",
        changes={
            "名额年度": year,
            "项目级别": level,
            "执行率统计年度": rate_year,
            "基础名额": base,
            "削减比例": str(ratio),
            "单位数": len(rows),
            "削减单位数": reduced,
        },
    )
    return created + updated


@transaction.atomic
def set_quota(
    unit: Organisation, year: int, level: str, quota: int, *, actor, reason: str
) -> UnitQuota:
    """The province sets a unit's quota with a reason; recomputation keeps it."""
    if not can_set_quotas(actor):
        raise PermissionDenied("只有省继教办可以调整申报名额。")
    within = _within(actor)
    if within is not None and not unit.tree_path.startswith(within.tree_path):
        raise NotFound()
    level = _level(level)
    if isinstance(quota, bool) or not isinstance(quota, int) or not 0 <= quota <= QUOTA_MAX:
        raise DomainError(
            "QUOTA_VALUE", "名额应为0至{m}之间的整数。".format(m=QUOTA_MAX), field="quota"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "调整名额须填写理由。", field="reason")
    if len(reason) > 255:
        raise DomainError("REASON_TOO_LONG", "调整理由不能超过255个字符。", field="reason")
    record, _created = UnitQuota.objects.select_for_update().get_or_create(
        unit=unit, year=year, level=level, defaults={"quota": quota}
    )
    old = {"quota": None if _created else record.quota, "reason": record.reason}
    record.quota, record.reason, record.set_by = quota, reason, actor
    record.save()
    audit.record(
        "quota.set",
        actor=actor,
        obj=record,
        scope_path=unit.tree_path,
        changes=audit.diff(record, ["quota", "reason"], old),
        comment=reason,
    )
    return record


# --- the table the provincial office reads -------------------------------------------------


@dataclass
class QuotaRow:
    unit: Organisation
    execution: Execution | None
    below_average: bool
    cut_by_sanction: bool
    quota: UnitQuota | None

    @property
    def rate(self) -> Fraction | None:
        return self.execution.rate if self.execution else None

    @property
    def rate_display(self) -> str:
        return percent(self.rate)

    @property
    def overridden(self) -> bool:
        return bool(self.quota and self.quota.reason)


@dataclass
class QuotaTable:
    year: int
    level: str
    rate_year: int
    average: Fraction | None
    rows: list[QuotaRow] = field(default_factory=list)

    @property
    def average_display(self) -> str:
        return percent(self.average)


def percent(value: Fraction | None) -> str:
    return "—" if value is None else "{p:.1f}%".format(p=float(value) * 100)


def quota_table(user, year: int, level: str, rate_year: int | None = None) -> QuotaTable:
    """Units with approvals in the rate year, and units with a quota for (year, level), in the
    user's scope. The rate year is the one the stored quotas were computed from, else
    `rate_year`, else two years before (000 §三.4: 2019's execution for 2021)."""
    if not can_set_quotas(user):
        raise PermissionDenied("申报名额由省继教办管理。")
    level = _level(level)
    quotas = {q.unit_id: q for q in quotas_visible_to(user).filter(year=year, level=level)}
    stored = next((q.rate_year for q in quotas.values() if q.rate_year), None)
    rate_year = stored or rate_year or year - 2
    within = _within(user)
    rows = executions(rate_year, level, within=within)
    average = _mean(rows)
    sanctioned = _cut_by_sanction(year, set(rows) | set(quotas))
    units = {q.unit_id: q.unit for q in quotas.values()}
    missing = [pk for pk in rows if pk not in units]
    units.update(Organisation.objects.in_bulk(missing))
    table = QuotaTable(year=year, level=level, rate_year=rate_year, average=average)
    for pk in sorted(units, key=lambda pk: (units[pk].tree_path, pk)):
        execution = rows.get(pk)
        table.rows.append(
            QuotaRow(
                unit=units[pk],
                execution=execution,
                below_average=bool(execution and average is not None and execution.rate < average),
                cut_by_sanction=pk in sanctioned,
                quota=quotas.get(pk),
            )
        )
    return table
