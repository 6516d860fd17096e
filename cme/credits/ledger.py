"""A person's credits of a year and the year's result (SPEC §6-7; CREDIT-RULES §1, §3).

Only valid records of the year count (003 §二十三, §二十五: never across years). Yearly caps
of the source catalogue apply when the year is summed: per source, or shared by the
sources of one `cap_group`; the year's `annual.class2_max_counted` caps the II类 counted.
The requirement is the year's policy (`annual.total_min`, `annual.class1_min`) unless an
AnnualRequirement row sets another for the person's unit level. A person exempted for the
year is 不计达标 whatever their credits.

`summarise` explains one person (which records the caps cut, what is missing);
`year_results` computes many people at once with one GROUP BY for the audit.
"""

import datetime
import gc
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import (
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.core import audit
from cme.core.errors import DomainError
from cme.credits.models import (
    AnnualRequirement,
    Category,
    CreditRecord,
    CreditSource,
    Exemption,
    Source,
)
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.policy.access import Policy, for_year

ZERO = Decimal("0.0")  # sums of nothing print as amounts do
TENTH = Decimal("0.1")
AMOUNT = DecimalField(max_digits=9, decimal_places=1)
NOUGHT = Value(Decimal("0.0"), output_field=AMOUNT)
NO_UNIT = (None, None, False)
CHUNK = 10000  # ids per IN (…) list
Status = CreditRecord.Status


class Result:
    QUALIFIED = "qualified"
    NOT_QUALIFIED = "not_qualified"
    EXEMPT = "exempt"
    LABELS = {QUALIFIED: _("达标"), NOT_QUALIFIED: _("不达标"), EXEMPT: _("不计达标")}


@dataclass(frozen=True)
class Requirement:
    total_min: Decimal
    class1_min: Decimal
    class2_max_counted: Decimal | None
    note: str = ""


def unit_level(unit: Organisation | None) -> str | None:
    """province / city / county: the level of the authority that licenses the unit."""
    authority = unit.licensing_authority if unit is not None else None
    return authority.authority_level if authority is not None else None


def requirements_of(year: int, policy: Policy | None = None) -> tuple[Requirement, dict]:
    """(the year's default, {unit level: its own requirement})."""
    policy = policy or for_year(year)
    cap = policy.optional("annual.class2_max_counted")
    cap = Decimal(str(cap)) if cap is not None else None
    default = Requirement(
        Decimal(str(policy.get("annual.total_min"))),
        Decimal(str(policy.get("annual.class1_min"))),
        cap,
    )
    by_level = {
        row.unit_level: Requirement(row.total_min, row.class1_min, cap, row.note)
        for row in AnnualRequirement.objects.filter(year=year, province=policy.province)
    }
    return default, by_level


def requirement_for(
    unit: Organisation | None, year: int, policy: Policy | None = None
) -> Requirement:
    default, by_level = requirements_of(year, policy)
    return by_level.get(unit_level(unit), default)


def catalogue() -> dict[str, CreditSource]:
    return {s.code: s for s in CreditSource.objects.all()}


class Caps:
    """The catalogue's yearly caps for one person's year, applied to amounts in the order
    given. The sources of one `cap_group` share its smallest cap, as `cap_keys` says and the
    audit's SQL counts it; `summarise` gives the I类 amounts first, as the SQL does."""

    def __init__(self, sources: dict[str, CreditSource], class2_max: Decimal | None):
        self.sources = sources
        self.keys = {code: key for key in cap_keys(sources) for code in key.codes}
        self.class2_max = class2_max
        self.used: dict[str, Decimal] = {}
        self.class2_used = ZERO

    def take(self, code: str, category: str, amount: Decimal) -> tuple[Decimal, str]:
        """(counted, why the rest was cut)."""
        source, key = self.sources.get(code), self.keys.get(code)
        counted, why = amount, ""
        if key is not None:
            left = max(key.cap - self.used.get(key.key, ZERO), ZERO)
            if counted > left:
                counted, why = (
                    left,
                    "超过“{n}”每年{c}分的上限".format(
                        n=source.name if not source.cap_group else "单位组织的学术活动",
                        c=key.cap,
                    ),
                )
            self.used[key.key] = self.used.get(key.key, ZERO) + counted
        if category == Category.II and self.class2_max is not None:
            left = max(self.class2_max - self.class2_used, ZERO)
            if counted > left:
                counted, why = left, "II类学分计入总分不超过{c}分".format(c=self.class2_max)
            self.class2_used += counted
        return counted, why


@dataclass
class Line:
    record: CreditRecord
    counted: Decimal
    cut_reason: str = ""

    @property
    def cut(self) -> Decimal:
        return self.record.amount - self.counted if self.record.status == Status.VALID else ZERO


@dataclass
class Totals:
    total: Decimal = ZERO
    class1: Decimal = ZERO
    class2: Decimal = ZERO
    hours: Decimal = ZERO


class Outcome:
    """A result, what is missing and why. The reasons of a 不达标 result are written when
    first read: a city's results are counted by the tens of thousands, their reasons read
    a page at a time."""

    __slots__ = ("_basis", "_reasons", "missing_class1", "missing_total", "result")

    def __init__(
        self,
        result: str,
        reasons: list[str] | None = None,
        missing_total: Decimal = ZERO,
        missing_class1: Decimal = ZERO,
        *,
        basis: "tuple[Totals, Requirement] | None" = None,
    ):
        self.result = result
        self.missing_total = missing_total
        self.missing_class1 = missing_class1
        self._reasons = reasons
        self._basis = basis

    def __repr__(self) -> str:
        return "Outcome({r!r}, {m!r})".format(r=self.result, m=self.reasons)

    @property
    def reasons(self) -> list[str]:
        if self._reasons is None:
            self._reasons = self._missing() if self._basis else []
        return self._reasons

    def _missing(self) -> list[str]:
        totals, requirement = self._basis
        reasons = []
        if self.missing_total:
            reasons.append(
                "总学分{t}分，少于{m}分（差{d}分）".format(
                    t=totals.total.quantize(TENTH),
                    m=requirement.total_min,
                    d=self.missing_total.quantize(TENTH),
                )
            )
        if self.missing_class1:
            reasons.append(
                "I类学分{t}分，少于{m}分（差{d}分）".format(
                    t=totals.class1.quantize(TENTH),
                    m=requirement.class1_min,
                    d=self.missing_class1.quantize(TENTH),
                )
            )
        return reasons

    @property
    def label(self) -> str:
        return str(Result.LABELS[self.result])


def judge(totals: Totals, requirement: Requirement, exemption: str | None) -> Outcome:
    if exemption is not None:
        return Outcome(Result.EXEMPT, ["不计达标：{r}".format(r=exemption)])
    if totals.total >= requirement.total_min and totals.class1 >= requirement.class1_min:
        return Outcome(Result.QUALIFIED, [])
    return Outcome(
        Result.NOT_QUALIFIED,
        None,
        max(requirement.total_min - totals.total, ZERO),
        max(requirement.class1_min - totals.class1, ZERO),
        basis=(totals, requirement),
    )


@dataclass
class YearSummary:
    person: Person
    year: int
    requirement: Requirement
    lines: list[Line]
    totals: Totals
    pending: Decimal
    outcome: Outcome
    warnings: list[str]


def summarise(person: Person, year: int) -> YearSummary:
    """One person's year: every record with what it counts, the totals and the result."""
    policy = for_year(year)
    requirement = requirement_for(person.unit, year, policy)
    records = list(
        CreditRecord.objects.filter(person=person, year=year)
        # the certificate too: the learner's page shows each record's (one query, not one each)
        .select_related("source", "session__project", "holder", "organisation", "certificate")
        # undated records first on every database (PostgreSQL would put NULLs last, SQLite
        # first): the same lines in the same order, and the same record cut by a cap
        .order_by(F("activity_date").asc(nulls_first=True), "created_at", "pk")
    )
    caps = Caps(catalogue(), requirement.class2_max_counted)
    valid = [r for r in records if r.status == Status.VALID]
    # under a cap shared by both categories the I类 amounts count first (I and II are not
    # interchangeable, CREDIT-RULES §1), each category in date order: as the audit counts
    taken = {
        r.pk: caps.take(r.source_id, r.category, r.amount)
        for r in sorted(valid, key=lambda r: r.category != Category.I)
    }
    totals, pending, lines = Totals(), ZERO, []
    for record in records:
        if record.status != Status.VALID:
            lines.append(Line(record, ZERO))
            if record.status == Status.PENDING:
                pending += record.amount
            continue
        counted, why = taken[record.pk]
        lines.append(Line(record, counted, why))
        _add(totals, record.category, counted, record.hours)
    exemption = Exemption.objects.filter(person=person, year=year).values_list("reason", flat=True)
    outcome = judge(totals, requirement, exemption.first())
    warnings = five_year_warnings({person.pk: person.unit}, year, policy).get(person.pk, [])
    return YearSummary(person, year, requirement, lines, totals, pending, outcome, warnings)


def _add(totals: Totals, category: str, amount: Decimal, hours: Decimal) -> None:
    totals.total += amount
    totals.hours += hours
    if category == Category.I:
        totals.class1 += amount
    else:
        totals.class2 += amount


@dataclass
class PersonYear:
    totals: Totals
    outcome: Outcome
    warnings: list[str]


@dataclass(frozen=True)
class CapKey:
    """Sources counted against one yearly cap: a capped source alone, or the sources of
    one `cap_group` (which share the smallest cap among them)."""

    key: str
    cap: Decimal
    codes: tuple[str, ...]


def cap_keys(sources: dict[str, CreditSource]) -> list[CapKey]:
    groups: dict[str, tuple[Decimal, list[str]]] = {}
    for source in sources.values():
        if source.cap_per_year is None:
            continue
        key = source.cap_group or source.code
        cap, codes = groups.get(key, (source.cap_per_year, []))
        groups[key] = (min(cap, source.cap_per_year), [*codes, source.code])
    return [CapKey(k, cap, tuple(sorted(codes))) for k, (cap, codes) in sorted(groups.items())]


class YearRow(NamedTuple):
    """One person's year: the unit, its grade and level, the year's exemption, the valid
    credits under the catalogue's caps (`class2` before any cap on the II类 counted), and
    the national-project credits of the five years up to this one."""

    person_id: int
    unit_id: int | None
    grade: str | None
    level: str | None
    prevention: bool  # a 一级防保 unit
    exemption: str | None
    class1: Decimal
    class2: Decimal
    hours: Decimal
    national5: Decimal


NATIONAL = (Source.NATIONAL_PROJECT, Source.OUT_OF_PROVINCE)  # what the five-year rule counts


def _counted(keys: list[CapKey], year: int) -> tuple[Expression, Expression]:
    """(I类, II类) of the year's valid records with each CapKey's yearly cap applied, as SQL
    over the `yc` relation: the capped sources' sums are replaced by their capped values
    (I类 first, II类 gets what is left of the cap). Identical sums are computed once."""

    def total(condition: Q) -> Expression:
        return Coalesce(Sum("yc__amount", filter=Q(yc__year=year) & condition), NOUGHT)

    class1, class2 = total(Q(yc__category=Category.I)), total(Q(yc__category=Category.II))
    for key in keys:
        cap = Value(key.cap, output_field=AMOUNT)
        raw1 = total(Q(yc__category=Category.I, yc__source_id__in=key.codes))
        raw2 = total(Q(yc__category=Category.II, yc__source_id__in=key.codes))
        counted1 = Least(raw1, cap)
        class1 = class1 - raw1 + counted1
        class2 = class2 - raw2 + Least(raw2, cap - counted1)
    return ExpressionWrapper(class1, AMOUNT), ExpressionWrapper(class2, AMOUNT)


def year_rows(persons, year: int, keys: list[CapKey]) -> Iterator[YearRow]:
    """One row per person of the queryset `persons`, people without records included: one
    GROUP BY over the ledger for the sums (the caps applied in it; the join also takes the
    four earlier years' national-project records for the five-year sum), and two small
    queries for the units' grade and level and the year's exemptions."""
    if persons.query.is_sliced:
        persons = Person.objects.filter(pk__in=persons.values("pk"))
    persons = persons.order_by()
    units = {
        pk: (grade, level, prevention)
        for pk, grade, level, prevention in Organisation.objects.filter(
            pk__in=persons.values("unit_id")
        ).values_list("pk", "grade", "licensing_authority__region__level", "first_class_prevention")
    }
    exempt = dict(
        Exemption.objects.filter(year=year, person__in=persons.values("pk")).values_list(
            "person_id", "reason"
        )
    )
    this_year = Q(credits__year=year)
    earlier_national = Q(
        credits__year__gt=year - 5, credits__year__lt=year, credits__source_id__in=NATIONAL
    )
    valid = FilteredRelation(
        "credits", condition=Q(credits__status=Status.VALID) & (this_year | earlier_national)
    )
    class1, class2 = _counted(keys, year)
    rows = (
        persons.annotate(yc=valid)
        .values("pk", "unit_id")
        .annotate(
            class1=class1,
            class2=class2,
            hours_=Coalesce(Sum("yc__hours", filter=Q(yc__year=year)), NOUGHT),
            national5=Coalesce(Sum("yc__amount", filter=Q(yc__source_id__in=NATIONAL)), NOUGHT),
        )
        .values_list("pk", "unit_id", "class1", "class2", "hours_", "national5")
    )
    # Read straight from the cursor: Django's per-value converters would cost about as much
    # as the sums themselves for a city. PostgreSQL returns numeric(…,1) as Decimals with
    # their one decimal; SQLite sums in floating point, so its values are rounded here.
    connection = connections[persons.db]
    exact = connection.vendor == "postgresql"
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # no one to count, e.g. pk__in=[] for a unit without staff
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            for pk, unit_id, *sums in chunk:
                grade, level, prevention = units.get(unit_id, NO_UNIT)
                if not exact:
                    sums = [_tenth(v) for v in sums]
                yield YearRow(pk, unit_id, grade, level, prevention, exempt.get(pk), *sums)


def _tenth(value) -> Decimal:
    return Decimal(str(value)).quantize(TENTH)


def totals_of(row: YearRow, class2_max: Decimal | None) -> Totals:
    """The row's totals with a cap on the II类 counted (the order of the records does not
    change a total)."""
    class1, class2 = row.class1, row.class2
    if class2_max is not None and class2 > class2_max:
        class2 = class2_max
    return Totals(class1 + class2, class1, class2, row.hours)


@contextmanager
def bulk_allocation():
    """Pause the cyclic garbage collector while a few objects per person are built for a
    whole city: they hold no reference cycles, and the collector would otherwise walk the
    growing results again and again (half the Python time for 50,000 people)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def year_results(
    persons, year: int, *, requirement: Requirement | None = None
) -> dict[int, PersonYear]:
    """Every person's totals, result and five-year warning of `year`, from one GROUP BY over
    the ledger.

    `persons` is a queryset of Person. `requirement`, when given, judges everyone against
    it (and its II类 cap) instead of the year's requirement for their unit level: a
    what-if of a draft policy."""
    policy = for_year(year)
    default, by_level = requirements_of(year, policy)
    minimum = policy.optional("five_year.national_min")
    minimum = Decimal(str(minimum)) if minimum is not None else None
    keys = cap_keys(catalogue())
    results: dict[int, PersonYear] = {}
    with bulk_allocation():
        for row in year_rows(persons, year, keys):
            applies = requirement or by_level.get(row.level, default)
            totals = totals_of(row, applies.class2_max_counted)
            warnings = []
            if (
                minimum is not None
                and row.national5 < minimum
                and _checked(row.grade, row.level, row.prevention)
            ):
                warnings.append(_five_year_warning(year, row.national5, minimum))
            results[row.person_id] = PersonYear(
                totals, judge(totals, applies, row.exemption), warnings
            )
    return results


def _checked(grade: str | None, level: str | None, prevention: bool) -> bool:
    return grade == Organisation.Grade.TERTIARY or level == "province" or prevention


def needs_five_year_check(unit: Organisation | None) -> bool:
    """Staff of provincial-level units, of 三级医院 and of 一级防保 units (CREDIT-RULES §1)."""
    if unit is None:
        return False
    return _checked(unit.grade, unit_level(unit), unit.first_class_prevention)


def five_year_warnings(
    units: dict[int, Organisation | None], year: int, policy: Policy | None = None
) -> dict[int, list]:
    """A warning for each checked person with fewer national-project credits over the last
    five years than `five_year.national_min` (a warning in the audit, not a refusal)."""
    checked = [pid for pid, unit in units.items() if needs_five_year_check(unit)]
    return _five_year_warnings(checked, year, policy) if checked else {}


def _five_year_warnings(
    checked: list[int], year: int, policy: Policy | None = None
) -> dict[int, list]:
    """The warnings of the `checked` people (each of them is checked)."""
    minimum = (policy or for_year(year)).optional("five_year.national_min")
    if minimum is None:
        return {}
    minimum = Decimal(str(minimum))
    national = (
        CreditRecord.objects.filter(year__gt=year - 5, year__lte=year, status=Status.VALID)
        .filter(source_id__in=NATIONAL)
        .values_list("person_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    sums: dict[int, Decimal] = {}
    for start in range(0, len(checked), CHUNK):
        sums.update(national.filter(person_id__in=checked[start : start + CHUNK]))
    return {
        pid: [_five_year_warning(year, sums.get(pid, ZERO), minimum)]
        for pid in checked
        if sums.get(pid, ZERO) < minimum
    }


def _version_key(unit_id: int, year: int) -> str:
    return "ledger:results-version:{u}:{y}".format(u=unit_id, y=year)


def results_version(unit_id: int, year: int) -> int:
    """A number that changes when a unit's results of a year are known to have changed
    (a year voided, a person exempted): part of the key of anything that caches them."""
    return cache.get_or_set(_version_key(unit_id, year), 0)


def forget_results(unit_id: int | None, year: int) -> None:
    if unit_id is None:
        return
    with suppress(ValueError):  # nothing cached for the unit yet
        cache.incr(_version_key(unit_id, year))


def forget_results_of(record_ids) -> None:
    """The results of every (unit, year) the records count for are out of date: a record
    turned valid or void. Call it after the change, with the records' ids."""
    ids = list(record_ids)
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(ids), CHUNK):
        pairs.update(
            CreditRecord.objects.filter(pk__in=ids[start : start + CHUNK])
            .exclude(person__unit_id=None)
            .values_list("person__unit_id", "year")
            .distinct()
            .order_by()
        )
    for unit_id, year in pairs:
        forget_results(unit_id, year)


def _five_year_warning(year: int, total: Decimal, minimum: Decimal) -> str:
    return "近5年（{a}-{b}年）国家级项目学分{t}分，少于{m}分".format(
        a=year - 4, b=year, t=total.quantize(TENTH), m=minimum
    )


def where_is(record: CreditRecord, today: datetime.date | None = None) -> str:
    """For a pending record: who holds it now and for how long — the question learners ask
    most ("等待长沙市卫生健康委员会审核，已5天")."""
    if record.status != Status.PENDING:
        return ""
    if record.holder is None:
        return "等待提交审核"
    since = timezone.localtime(record.holder_since).date() if record.holder_since else None
    today = today or timezone.localdate()
    days = (today - since).days if since else None
    if days is None:
        return "等待{h}审核".format(h=record.holder.name)
    return "等待{h}审核，已{d}天".format(h=record.holder.name, d=days)


@transaction.atomic
def void_year(person: Person, year: int, *, actor, reason: str) -> int:
    """Fraud (003 §二十六): every credit of the person's year is void with the reason; the
    totals, the audit result and the certificates follow because they read the records."""
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "请填写作废原因。", field="reason")
    records = CreditRecord.objects.filter(person=person, year=year).exclude(status=Status.VOID)
    count = records.update(
        status=Status.VOID,
        status_reason=reason.strip(),
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    audit.record(
        "credit.void_year",
        actor=actor,
        obj=person,
        scope_path=person.unit.tree_path if person.unit_id else "",
        changes={"年度": year, "作废记录": count},
        comment=reason.strip(),
    )
    forget_results(person.unit_id, year)
    return count
