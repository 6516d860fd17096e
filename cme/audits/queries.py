"""Reads for the annual audit: audits in the user's scope, a reviewer's queue, a unit's list
for a year (the live ledger, or the snapshot once submitted), the province's list for 人社
and the annual certificates."""

import datetime
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from cme.accounts.scope import acting_org, in_scope, is_authority, one_or_404, sees_everything
from cme.audits.models import AnnualAudit, AnnualCertificate, AuditEntry
from cme.audits.permissions import can_submit, is_province
from cme.certificates.models import normalise_number
from cme.core.errors import NotFound, PermissionDenied
from cme.core.models import AuditEvent
from cme.credits import ledger
from cme.credits.ledger import Result
from cme.orgs.models import Organisation
from cme.orgs.queries import org_for
from cme.people.models import Person

AUDIT_RELATED = ("unit", "holder")
PER_PAGE = 50
LIVE_RESULTS_SECONDS = 60
VOIDED = "voided"  # the result filter for entries voided after the snapshot


def audits_visible_to(user) -> QuerySet[AnnualAudit]:
    """Audits of units in the user's subtree."""
    return in_scope(AnnualAudit.objects.select_related(*AUDIT_RELATED), user, "unit")


def audit_for(user, pk: int) -> AnnualAudit:
    return one_or_404(audits_visible_to(user), pk)


def unit_for_audit(user, unit_pk: int) -> Organisation:
    """The unit whose audit the user may see: its own administrator, or an authority above
    it. 404 outside the user's scope; 403 for other roles inside it."""
    unit = org_for(user, unit_pk)
    if unit.is_authority:
        raise NotFound()
    if not (can_submit(user, unit) or is_authority(user)):
        raise PermissionDenied("只有本单位管理员和上级卫生健康行政部门可以查看学分审核。")
    return unit


def audit_of(unit: Organisation, year: int) -> AnnualAudit:
    """The unit's audit of the year; an unsaved one (未审核) before its first submission."""
    found = AnnualAudit.objects.filter(unit=unit, year=year).select_related("holder").first()
    return found or AnnualAudit(unit=unit, year=year)


def chain_of(audit: AnnualAudit) -> list[Organisation]:
    by_id = Organisation.objects.in_bulk(audit.chain)
    return [by_id[pk] for pk in audit.chain if pk in by_id]


def review_queue_for(user, state: str | None = None) -> QuerySet[AnnualAudit]:
    """`state=None`: the audits held by the user's authority now (待本单位审核); otherwise
    the audits of units in the user's scope in that state (the province sees its whole
    province this way). Oldest first."""
    qs = audits_visible_to(user).exclude(state=AnnualAudit.State.NOT_SUBMITTED)
    if not is_authority(user):
        return qs.none()
    if state is None:
        org = acting_org(user)
        if sees_everything(user) and org is None:
            qs = qs.filter(state=AnnualAudit.State.IN_REVIEW)
        else:
            qs = qs.filter(state=AnnualAudit.State.IN_REVIEW, holder=org)
    elif state in AnnualAudit.State.values:
        qs = qs.filter(state=state)
    return qs.order_by("holder_since", "submitted_at", "pk")


# --- a unit's list ----------------------------------------------------------------------------


@dataclass
class Row:
    """One staff member's line of a unit's audit, live or as submitted."""

    person_id: int
    name: str
    id_number: str
    title: str
    department: str
    total: Decimal
    class1: Decimal
    class2: Decimal
    hours: Decimal
    result: str
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    void_reason: str = ""
    voided: bool = False

    @property
    def result_label(self) -> str:
        return str(Result.LABELS[self.result])

    @property
    def qualified(self) -> bool:
        return self.result == Result.QUALIFIED and not self.voided


@dataclass
class AuditList:
    page: Page
    rows: list[Row]
    counts: dict[str, int]  # per result (and VOIDED) over the unit, department filter applied
    snapshot: bool
    counted_at: datetime.datetime | None = None  # when the live counts were counted


def void_reasons(person_ids, year: int) -> dict[int, str]:
    """People whose year was voided for fraud (`ledger.void_year` records it in the audit
    trail), with the reason."""
    ids = [str(pk) for pk in person_ids]
    if not ids:
        return {}
    events = AuditEvent.objects.filter(
        action="credit.void_year", object_type="people.person", object_id__in=ids
    ).order_by("at", "pk")
    return {int(e.object_id): e.comment for e in events if (e.changes or {}).get("年度") == year}


def departments_of(unit: Organisation) -> list[str]:
    return list(
        Person.objects.filter(unit=unit)
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def unit_list(
    audit: AnnualAudit,
    *,
    result: str = "",
    department: str = "",
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
    fresh: bool = False,
) -> AuditList:
    """A page of the unit's audit for the year, filtered by result and department."""
    if audit.pk and audit.shows_snapshot:
        return _snapshot_list(audit, result, department, page, per_page)
    return _live_list(audit, result, department, page, per_page, fresh)


def _staff(unit: Organisation, department: str) -> QuerySet[Person]:
    qs = Person.objects.filter(unit=unit)
    return qs.filter(department=department) if department else qs


def _results_key(audit: AnnualAudit, department: str) -> str:
    """Changes with the staff (anyone joining, leaving or edited), with the ledger's version
    of the unit's year, and with the department filter."""
    staff = _staff(audit.unit, department).aggregate(n=Count("id"), changed=Max("updated_at"))
    version = ledger.results_version(audit.unit_id, audit.year)
    digest = hashlib.blake2s(
        "{d}|{n}|{c}".format(d=department, n=staff["n"], c=staff["changed"]).encode(),
        digest_size=8,
    ).hexdigest()
    return "audits:live:{u}:{y}:{v}:{d}".format(u=audit.unit_id, y=audit.year, v=version, d=digest)


def unit_results(audit: AnnualAudit, department: str = "", *, fresh: bool = False):
    """[(person_id, result)] of every staff member in page order, and when it was counted.

    Counting a unit's results means judging every staff member's year (one GROUP BY over
    the ledger, 0.3-0.5 s for 5,000 staff); the counts and the result filter are read from
    this, counted again at most every LIVE_RESULTS_SECONDS, at once when a year is voided or
    exempted here, or when the user asks. The page's own rows are always read live."""
    key = _results_key(audit, department)
    found = None if fresh else cache.get(key)
    if found is None:
        staff = _staff(audit.unit, department).order_by("department", "name", "id")
        results = ledger.year_results(staff, audit.year)
        order = staff.values_list("pk", flat=True)
        found = ([(pk, results[pk].outcome.result) for pk in order], timezone.now())
        cache.set(key, found, LIVE_RESULTS_SECONDS)
    return found


def _live_list(audit, result, department, page, per_page, fresh=False) -> AuditList:
    """Every staff member's result (counted at most once a minute, see `unit_results`) for
    the counts and the filter; the page's people read and judged live."""
    order, counted_at = unit_results(audit, department, fresh=fresh)
    counts = Counter(r for _pk, r in order)
    ids = [pk for pk, r in order if not result or r == result]
    current = Paginator(ids, per_page).get_page(page)
    page_ids = list(current.object_list)
    by_id = Person.objects.in_bulk(page_ids)
    live = ledger.year_results(Person.objects.filter(pk__in=page_ids), audit.year)
    people = [by_id[pk] for pk in page_ids if pk in by_id]
    voided = void_reasons([p.pk for p in people], audit.year)
    rows = [_live_row(p, live[p.pk], voided.get(p.pk)) for p in people]
    return AuditList(current, rows, dict(counts), snapshot=False, counted_at=counted_at)


def _live_row(person: Person, result: ledger.PersonYear, void_reason: str | None) -> Row:
    t, o = result.totals, result.outcome
    return Row(
        person_id=person.pk,
        name=person.name,
        id_number=person.id_number,
        title=person.title,
        department=person.department,
        total=t.total,
        class1=t.class1,
        class2=t.class2,
        hours=t.hours,
        result=o.result,
        reasons=list(o.reasons),
        warnings=list(result.warnings),
        void_reason=void_reason or "",
        voided=void_reason is not None,
    )


def _entries(audit: AnnualAudit, result: str, department: str) -> QuerySet[AuditEntry]:
    qs = audit.entries.all()
    if department:
        qs = qs.filter(department=department)
    if result == VOIDED:
        return qs.filter(voided_at__isnull=False)
    if result in Result.LABELS:
        return qs.filter(result=result)
    return qs.none() if result else qs


def _snapshot_list(audit, result, department, page, per_page) -> AuditList:
    base = _entries(audit, "", department)
    counts = dict(base.order_by().values_list("result").annotate(n=Count("pk")))
    counts[VOIDED] = base.filter(voided_at__isnull=False).count()
    qs = _entries(audit, result, department).select_related("person")
    current = Paginator(qs.order_by("department", "name", "id"), per_page).get_page(page)
    rows = [entry_row(e) for e in current.object_list]
    return AuditList(current, rows, counts, snapshot=True)


def entry_row(entry: AuditEntry) -> Row:
    return Row(
        person_id=entry.person_id,
        name=entry.name,
        id_number=entry.person.id_number,
        title=entry.title,
        department=entry.department,
        total=entry.total,
        class1=entry.class1,
        class2=entry.class2,
        hours=entry.hours,
        result=entry.result,
        reasons=[r for r in entry.reasons.split("\n") if r],
        warnings=[w for w in entry.warnings.split("\n") if w],
        void_reason=entry.void_reason,
        voided=entry.voided_at is not None,
    )


def all_rows(audit: AnnualAudit, *, result: str = "", department: str = "") -> Iterator[Row]:
    """Every row of the list with the same filters, for the export."""
    if audit.pk and audit.shows_snapshot:
        qs = _entries(audit, result, department).select_related("person")
        for entry in qs.order_by("department", "name", "id").iterator(chunk_size=2000):
            yield entry_row(entry)
        return
    staff = _staff(audit.unit, department)
    results = ledger.year_results(staff, audit.year)
    people = list(staff.order_by("department", "name", "id"))
    voided = void_reasons([p.pk for p in people], audit.year)
    for person in people:
        r = results[person.pk]
        if result and r.outcome.result != result:
            continue
        yield _live_row(person, r, voided.get(person.pk))


# --- the province's list for 人社 ---------------------------------------------------------------


def hr_entries(user, year: int) -> QuerySet[AuditEntry]:
    """The 达标 persons of the approved audits of the year in the province's scope; a year
    voided after approval takes the person off."""
    if not is_province(user):
        raise PermissionDenied("只有省继教办可以导出报送人社的名单。")
    audits = audits_visible_to(user).filter(year=year, state=AnnualAudit.State.APPROVED)
    return (
        AuditEntry.objects.filter(
            audit__in=audits.values("pk"), result=Result.QUALIFIED, voided_at__isnull=True
        )
        .select_related("audit__unit", "person")
        .order_by("audit__unit__tree_path", "department", "name", "id")
    )


def year_overview(user, year: int) -> dict[str, int]:
    """How far the year's audits have come in the user's scope: audits per state."""
    counts = dict(
        audits_visible_to(user)
        .filter(year=year)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return {state: counts.get(state, 0) for state in AnnualAudit.State.values}


# --- annual certificates ------------------------------------------------------------------------


def annual_certificate_for(person: Person, year: int) -> AnnualCertificate | None:
    """The person's 年度合格证明 of the year, valid or void (`is_valid`), or None when there
    is none (not 达标, or the unit's audit is not approved yet)."""
    return (
        AnnualCertificate.objects.filter(person=person, year=year).select_related("person").first()
    )


def annual_certificate_by_number(number: str) -> AnnualCertificate:
    """The public look-up behind the shared verify page and API."""
    try:
        return AnnualCertificate.objects.select_related("person").get(
            number=normalise_number(number)
        )
    except AnnualCertificate.DoesNotExist:
        raise NotFound("未找到该证书编号，请核对后重新输入。") from None


def pending_credits(unit: Organisation, year: int) -> int:
    """Records of the unit's staff for the year still waiting to turn valid: worth knowing
    before submitting."""
    from cme.credits.models import CreditRecord

    return CreditRecord.objects.filter(
        person__unit=unit, year=year, status=CreditRecord.Status.PENDING
    ).count()
