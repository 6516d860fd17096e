"""Credits a held session awards (CREDIT-RULES.md §2; SPEC §5-6).

Learners who passed the assessment get the actual hours given ÷ the level's hours per
credit, rounded half up to the policy's decimals, never more than the session's credits
to award. Lecturers get their own hours × the level's lecturer rate. A person who both
taught and attended gets the lecturer credits only. Above the per-project cap the amount
is cut when the cap is verified policy, and only warned about when it is not (the cap is
"unverified": older texts say 25).

Nothing is awarded while a pre-event report is missing or when the changes went beyond the
limit. The records are written pending when the execution report is submitted and become
valid when the reviewer approves it.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from cme.credits.ledger import forget_results_of
from cme.credits.models import Category, CreditRecord, Source
from cme.holding.models import Attendee, HeldSession
from cme.policy.access import Policy, for_year
from cme.projects.models import Level

LEVEL_SOURCE = {
    Level.NATIONAL: Source.NATIONAL_PROJECT,
    Level.PROVINCIAL: Source.PROVINCIAL_PROJECT,
    Level.CITY: Source.CITY_PROJECT,
}


def round_credits(value: Decimal, policy: Policy) -> Decimal:
    places = Decimal(1).scaleb(-policy.get("rounding.decimals"))
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Amount:
    credits: Decimal
    warning: str = ""


def _capped(amount: Decimal, policy: Policy) -> Amount:
    cap = Decimal(str(policy.get("cap.credits_per_project")))
    if amount <= cap:
        return Amount(amount)
    if policy.verified("cap.credits_per_project"):
        return Amount(cap, "超过单个项目学分上限{c}分，按{c}分授予。".format(c=cap))
    return Amount(amount, "超过单个项目学分上限{c}分（该上限尚待核实），请核对。".format(c=cap))


def learner_credits(level: str, hours: Decimal, policy: Policy, ceiling: Decimal | None = None):
    """A learner's credits for `hours` of actual teaching at `level`."""
    rate = Decimal(str(policy.get("rate.{lv}.participant_hours_per_credit".format(lv=level))))
    amount = round_credits(hours / rate, policy)
    if ceiling is not None and amount > ceiling:
        amount = ceiling
    return _capped(amount, policy)


def lecturer_credits(level: str, hours: Decimal, policy: Policy) -> Amount:
    """A lecturer's credits for the hours they taught. City projects have no lecturer rate;
    their lecturers get the learners' rate."""
    rate = policy.optional("rate.{lv}.lecturer_credits_per_hour".format(lv=level))
    if rate is None:
        return learner_credits(level, hours, policy)
    return _capped(round_credits(hours * Decimal(str(rate)), policy), policy)


@dataclass
class Award:
    person_id: int
    role: str
    hours: Decimal
    amount: Amount


@dataclass
class Plan:
    """What a session would award now, and why it awards nothing if so."""

    hours: Decimal
    blocked: list[str] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((a.amount.credits for a in self.awards), Decimal(0))


def plan_awards(session: HeldSession) -> Plan:
    from cme.holding.actions import can_award_credits
    from cme.holding.changes import session_summary

    project = session.project
    policy = for_year(project.year)
    lessons = list(session.lessons.all())
    plan = Plan(hours=sum((lesson.hours for lesson in lessons), Decimal(0)))
    allowed, why = can_award_credits(session)
    if not allowed:
        plan.blocked.append(why)
    summary = session_summary(session)
    if not summary.within_limit:
        plan.blocked.append(summary.beyond_message())
    if plan.blocked:
        return plan
    taught: dict[int, Decimal] = {}
    for lesson in lessons:
        if lesson.teacher_id:
            taught[lesson.teacher_id] = taught.get(lesson.teacher_id, Decimal(0)) + lesson.hours
    for person_id, hours in sorted(taught.items()):
        plan.awards.append(
            Award(
                person_id,
                CreditRecord.Role.LECTURER,
                hours,
                lecturer_credits(project.level, hours, policy),
            )
        )
    learner = learner_credits(project.level, plan.hours, policy, ceiling=session.credits)
    passed = (
        Attendee.objects.filter(session=session, passed=True)
        .exclude(person_id__in=taught)
        .values_list("person_id", flat=True)
        .order_by("person_id")
    )
    plan.awards.extend(Award(pid, CreditRecord.Role.LEARNER, plan.hours, learner) for pid in passed)
    plan.warnings = sorted({a.amount.warning for a in plan.awards if a.amount.warning})
    return plan


@transaction.atomic
def write_pending(session: HeldSession, *, holder=None, since=None) -> Plan:
    """(Re)write the session's pending records from the current plan; valid ones stay.
    `holder` is the authority the records now wait for (the report's reviewer)."""
    plan = plan_awards(session)
    project = session.project
    CreditRecord.objects.filter(session=session, status=CreditRecord.Status.PENDING).delete()
    CreditRecord.objects.bulk_create(
        CreditRecord(
            person_id=award.person_id,
            year=project.year,
            category=Category.II if project.level == Level.CITY else Category.I,
            source_id=LEVEL_SOURCE[project.level],
            role=award.role,
            amount=award.amount.credits,
            hours=award.hours,
            session=session,
            title=project.name,
            activity_date=session.ends_on,
            organisation=project.sponsor,
            holder=holder,
            holder_since=since,
        )
        for award in plan.awards
    )
    return plan


def validate_session_credits(session: HeldSession, *, actor) -> list[CreditRecord]:
    """The reviewer approved the report: the session's pending credits become valid."""
    now = timezone.now()
    pending = CreditRecord.objects.filter(session=session, status=CreditRecord.Status.PENDING)
    ids = list(pending.values_list("pk", flat=True))
    pending.update(
        status=CreditRecord.Status.VALID,
        reviewed_by=actor,
        reviewed_at=now,
        updated_at=now,
        holder=None,
        holder_since=None,
    )
    forget_results_of(ids)
    return list(CreditRecord.objects.filter(pk__in=ids).select_related("person"))
