"""Every change to an annual audit (SPEC §7; 003 §二十五-二十六): the unit submits its year,
each authority of the chain approves, returns or rejects it, the province's approval issues
the annual certificates, voiding a person's year follows into the audits and the
certificate, and the province sends the year's list to 人社.

Decisions are conditional updates on the state, round, step and holder the reviewer saw:
of two reviewers deciding at once, the second gets Conflict.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.audits.models import (
    AnnualAudit,
    AnnualCertificate,
    AuditDecision,
    AuditEntry,
    HrTransmission,
)
from cme.audits.permissions import can_decide, can_submit, can_void, is_province
from cme.audits.queries import audits_visible_to, hr_entries, void_reasons
from cme.certificates.models import new_number
from cme.core import audit as trail
from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cme.credits import ledger
from cme.credits.ledger import Result
from cme.orgs.chains import review_chain
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.people.queries import persons_visible_to

State = AnnualAudit.State
SUBMITTABLE = (State.NOT_SUBMITTED, State.RETURNED, State.REJECTED)
BATCH = 2000


class Decision:
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    CHOICES = (APPROVE, RETURN, REJECT)


def reviewers_of(unit: Organisation) -> list[Organisation]:
    """The authorities the unit's audit goes through, nearest first: its county (for a
    county-licensed unit), the city, the province; a unit licensed by the province goes
    straight there."""
    return [org for org in review_chain(unit) if org.is_authority]


def _name(user) -> str:
    return user.get_full_name() or user.username


# --- submission -------------------------------------------------------------------------------


@transaction.atomic
def submit_audit(
    unit: Organisation, year: int, *, actor, today: datetime.date | None = None
) -> AnnualAudit:
    """Snapshot every staff member's year into the audit's entries and send it to the first
    authority of the chain. Allowed before the first submission, after a return (the same
    round goes on) and after 不通过 (a new round)."""
    if not can_submit(actor, unit):
        raise PermissionDenied("只有本单位管理员可以提交学分审核。")
    today = today or timezone.localdate()
    if year > today.year:
        raise DomainError(
            "AUDIT_FUTURE_YEAR", "{y}年度尚未开始，不能提交学分审核。".format(y=year), field="year"
        )
    chain = reviewers_of(unit)
    if not chain:
        raise DomainError("NO_REVIEWER", "未找到本单位的发证机构，无法提交学分审核。")
    audit, _created = AnnualAudit.objects.get_or_create(unit=unit, year=year)
    audit = AnnualAudit.objects.select_for_update().get(pk=audit.pk)
    if audit.state not in SUBMITTABLE:
        raise DomainError(
            "AUDIT_LOCKED",
            "{y}年度学分审核{s}，不能再次提交。".format(y=year, s=audit.get_state_display()),
        )
    staff, qualified = _snapshot(audit)
    now = timezone.now()
    next_round = audit.round if audit.state == State.RETURNED else audit.round + 1
    moved = AnnualAudit.objects.filter(pk=audit.pk, state=audit.state).update(
        state=State.IN_REVIEW,
        round=next_round,
        chain=[org.pk for org in chain],
        step=0,
        holder=chain[0],
        holder_since=now,
        submitted_at=now,
        submitted_by=actor,
        decided_at=None,
        reason="",
        staff_count=staff,
        qualified_count=qualified,
    )
    if not moved:
        raise Conflict()
    audit.refresh_from_db()
    AuditDecision.objects.create(
        audit=audit,
        round=audit.round,
        kind=AuditDecision.Kind.SUBMITTED,
        organisation=unit,
        actor=actor,
        actor_name=_name(actor),
    )
    trail.record(
        "audit.submit",
        actor=actor,
        obj=audit,
        scope_path=unit.tree_path,
        changes={"年度": year, "轮次": audit.round, "人数": staff, "达标": qualified},
    )
    return audit


def _snapshot(audit: AnnualAudit) -> tuple[int, int]:
    """Replace the audit's entries with every staff member's year as the ledger has it now
    (one GROUP BY for the whole unit). (staff, 达标)."""
    audit.entries.all().delete()
    staff = Person.objects.filter(unit=audit.unit)
    results = ledger.year_results(staff, audit.year)
    people = list(staff.order_by("pk").values_list("pk", "name", "title", "department"))
    voided = void_reasons([pk for pk, *_rest in people], audit.year)
    now = timezone.now()
    entries = []
    qualified = 0
    for pk, name, title, department in people:
        r = results[pk]
        entries.append(
            AuditEntry(
                audit=audit,
                person_id=pk,
                name=name,
                title=title,
                department=department,
                total=r.totals.total,
                class1=r.totals.class1,
                class2=r.totals.class2,
                hours=r.totals.hours,
                result=r.outcome.result,
                reasons="\n".join(r.outcome.reasons),
                warnings="\n".join(r.warnings),
                voided_at=now if pk in voided else None,
                void_reason=voided.get(pk, "")[:255],
            )
        )
        qualified += r.outcome.result == Result.QUALIFIED and pk not in voided
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH)
    return len(entries), qualified


# --- decisions --------------------------------------------------------------------------------


@transaction.atomic
def decide_audit(audit: AnnualAudit, *, actor, decision: str, reason: str = "") -> AnnualAudit:
    """approve: on to the next authority, or 通过 at the last (and the certificates are
    issued); return: back to the unit to fix and resubmit; reject: 不通过, the round ends.
    `audit` is the audit as the reviewer saw it."""
    if decision not in Decision.CHOICES:
        raise DomainError("AUDIT_DECISION", "请选择审核结论。", field="decision")
    if not can_decide(actor, audit):
        org = acting_org(actor)
        chain = audit.chain or []
        if org is not None and org.pk in chain:
            passed = audit.state != State.IN_REVIEW or chain.index(org.pk) < audit.step
            if passed:  # decided by someone of the same authority in the meantime
                raise Conflict()
        raise PermissionDenied("该学分审核不在本单位待审核。")
    reason = reason.strip()
    if decision != Decision.APPROVE and not reason:
        raise DomainError("REASON_REQUIRED", "退回或不通过时须填写原因。", field="reason")
    now = timezone.now()
    last = audit.step + 1 >= len(audit.chain)
    if decision == Decision.APPROVE and not last:
        kind = AuditDecision.Kind.APPROVED
        changes = {"step": audit.step + 1, "holder_id": audit.chain[audit.step + 1]}
        changes["holder_since"] = now
    else:
        kind, state = {
            Decision.APPROVE: (AuditDecision.Kind.APPROVED, State.APPROVED),
            Decision.RETURN: (AuditDecision.Kind.RETURNED, State.RETURNED),
            Decision.REJECT: (AuditDecision.Kind.REJECTED, State.REJECTED),
        }[decision]
        changes = {"state": state, "holder_id": None, "holder_since": None, "reason": reason}
        changes["decided_at"] = now
    moved = AnnualAudit.objects.filter(
        pk=audit.pk,
        state=State.IN_REVIEW,
        round=audit.round,
        step=audit.step,
        holder_id=audit.holder_id,
    ).update(**changes)
    if not moved:
        raise Conflict()
    deciding = audit.holder
    audit.refresh_from_db()
    AuditDecision.objects.create(
        audit=audit,
        round=audit.round,
        kind=kind,
        organisation=deciding,
        reason=reason,
        actor=actor,
        actor_name=_name(actor),
    )
    issued = 0
    if audit.state == State.APPROVED:
        issued = len(issue_annual_certificates(audit))
    trail.record(
        "audit.review",
        actor=actor,
        obj=audit,
        scope_path=audit.unit.tree_path,
        changes={"结论": str(AuditDecision.Kind(kind).label), "年度合格证明": issued},
        comment=reason,
    )
    return audit


def issue_annual_certificates(audit: AnnualAudit) -> list[AnnualCertificate]:
    """A 年度合格证明 for each 达标 entry of the approved audit that has none for the year
    (a person in two units' lists in one year gets one)."""
    entries = audit.entries.filter(result=Result.QUALIFIED, voided_at__isnull=True)
    have = set(
        AnnualCertificate.objects.filter(
            year=audit.year, person_id__in=entries.values("person_id")
        ).values_list("person_id", flat=True)
    )
    today = timezone.localdate()
    unit_name = audit.unit.name
    todo = [
        AnnualCertificate(
            number=new_number(),
            person_id=e.person_id,
            year=audit.year,
            audit=audit,
            unit_name=unit_name,
            total=e.total,
            class1=e.class1,
            class2=e.class2,
            hours=e.hours,
            issued_on=today,
        )
        for e in entries.only("person_id", "total", "class1", "class2", "hours").iterator()
        if e.person_id not in have
    ]
    return AnnualCertificate.objects.bulk_create(todo, batch_size=BATCH)


# --- voiding a person's year ------------------------------------------------------------------


@transaction.atomic
def void_person_year(person: Person, year: int, *, actor, reason: str) -> int:
    """Fraud (003 §二十六): void every credit of the person's year (`ledger.void_year`) and
    everything derived from them here. The person must be in the authority's scope."""
    if not can_void(actor):
        raise PermissionDenied("只有卫生健康行政部门可以作废年度学分。")
    if not persons_visible_to(actor).filter(pk=person.pk).exists():
        raise NotFound()
    count = ledger.void_year(person, year, actor=actor, reason=reason)
    on_year_voided(person, year, reason=reason.strip())
    return count


def on_year_voided(person: Person, year: int, *, reason: str | None = None) -> None:
    """Make the audits and the annual certificate follow a voided year (call it after
    `ledger.void_year`): every entry of the person for the year is marked void with the
    reason, the entries of audits not yet decided for good also take the ledger's new
    totals and result, the audits' 达标 counts drop, and the certificate is void."""
    if reason is None:
        reason = void_reasons([person.pk], year).get(person.pk, "")
    reason = reason[:255]
    now = timezone.now()
    entries = AuditEntry.objects.filter(person=person, audit__year=year, voided_at__isnull=True)
    touched = list(entries.values_list("pk", "audit_id", "audit__state"))
    open_ids = [pk for pk, _audit, state in touched if state in (State.IN_REVIEW, State.RETURNED)]
    if open_ids:
        now_ = ledger.year_results(Person.objects.filter(pk=person.pk), year)[person.pk]
        AuditEntry.objects.filter(pk__in=open_ids).update(
            total=now_.totals.total,
            class1=now_.totals.class1,
            class2=now_.totals.class2,
            hours=now_.totals.hours,
            result=now_.outcome.result,
            reasons="\n".join(now_.outcome.reasons),
        )
    AuditEntry.objects.filter(pk__in=[pk for pk, *_rest in touched]).update(
        voided_at=now, void_reason=reason
    )
    _recount({audit_id for _pk, audit_id, _state in touched})
    AnnualCertificate.objects.filter(person=person, year=year, voided_at__isnull=True).update(
        voided_at=now, void_reason=reason
    )


def _recount(audit_ids: Iterable[int]) -> None:
    for audit_id in audit_ids:
        qualified = AuditEntry.objects.filter(
            audit_id=audit_id, result=Result.QUALIFIED, voided_at__isnull=True
        ).count()
        AnnualAudit.objects.filter(pk=audit_id).update(qualified_count=qualified)


# --- the year's list to 人社 ------------------------------------------------------------------


@transaction.atomic
def mark_sent_to_hr(year: int, *, actor) -> HrTransmission:
    """The province records that it sent the year's 达标 list to the human-resources side."""
    org = acting_org(actor)
    if not is_province(actor) or org is None:
        raise PermissionDenied("只有省继教办可以报送人社。")
    if HrTransmission.objects.filter(organisation=org, year=year).exists():
        raise DomainError("HR_ALREADY_SENT", "{y}年度名单已报送人社。".format(y=year))
    persons = hr_entries(actor, year).count()
    if not persons:
        raise DomainError("HR_EMPTY", "{y}年度还没有审核通过的达标人员。".format(y=year))
    units = audits_visible_to(actor).filter(year=year, state=State.APPROVED).count()
    sent = HrTransmission.objects.create(
        organisation=org, year=year, persons=persons, units=units, sent_by=actor
    )
    trail.record(
        "audit.hr_sent",
        actor=actor,
        obj=sent,
        scope_path=org.tree_path,
        changes={"年度": year, "人数": persons, "单位数": units},
    )
    return sent
