"""Unit academic activities (单位学术活动, CREDIT-RULES §3; issue 6 §3).

A unit's staff manager records one lecture, case discussion or academic activity for many
of its own staff at once: valid records straight away (organisation and reviewer: the unit
and its admin), a lecturer also listed as a participant getting the lecturer credits only.
Staff are named by ID number or name and must be the unit's own. The yearly cap of unit
activities is the ledger's, applied when a year is summed.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cme.claims.amounts import TENTH, default_hours
from cme.claims.models import UnitActivity
from cme.claims.permissions import can_record_activity
from cme.core import audit, idnumbers
from cme.core.errors import DomainError, PermissionDenied
from cme.credits.awards import round_credits
from cme.credits.ledger import forget_results
from cme.credits.models import CreditRecord, CreditSource
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.policy.access import for_year

Status = CreditRecord.Status

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def staff_tokens(text: str | Sequence[str]) -> list[str]:
    """Names or ID numbers, one a line or separated by commas, 、 or spaces."""
    if not isinstance(text, str):
        text = "\n".join(text)
    return [t for t in _SEPARATORS.split(text) if t]


def resolve_staff(
    unit: Organisation, tokens: Sequence[str], *, label: str
) -> tuple[list[Person], list[str]]:
    """The unit's own staff named by ID number or name (one query), and what did not match.
    A token with digits is an ID number unless it is a staff member's name (namesakes are
    often told apart as 王芳2). Another unit's person is not named: only "not of this
    unit"."""
    numbers = {t: idnumbers.normalise(t) for t in tokens if any(c.isdigit() for c in t)}
    found = Person.objects.filter(unit=unit).filter(
        Q(id_number__in=set(numbers.values())) | Q(name__in=set(tokens))
    )
    by_number: dict[str, Person] = {}
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in found:
        by_number[person.id_number] = person
        by_name[person.name].append(person)
    people: dict[int, Person] = {}
    errors = []
    for token in tokens:
        if token in numbers and token not in by_name:
            person = by_number.get(numbers[token])
            if person is None:
                shown = idnumbers.mask(numbers[token])
                try:
                    idnumbers.validate_resident_id(numbers[token])
                except DomainError as exc:
                    errors.append("{l} {t}：{m}".format(l=label, t=shown, m=exc.message))
                    continue
                errors.append("{l} {t}：不是本单位人员。".format(l=label, t=shown))
                continue
        else:
            matches = by_name.get(token, [])
            if not matches:
                errors.append("{l}“{t}”：不是本单位人员。".format(l=label, t=token))
                continue
            if len(matches) > 1:
                errors.append(
                    "{l}“{t}”：本单位有{n}人同名，请改填身份证号码。".format(
                        l=label, t=token, n=len(matches)
                    )
                )
                continue
            person = matches[0]
        people.setdefault(person.pk, person)
    return list(people.values()), errors


def activity_credits(
    source: CreditSource, credits: Decimal | None, policy
) -> tuple[Decimal, Decimal]:
    """(participant, lecturer) credits of one activity: per event from the catalogue, or as
    entered (at most the cap per entry) for a source counted in credits."""
    if source.unit == CreditSource.Unit.EVENT and source.credits_per_unit is not None:
        participant = round_credits(source.credits_per_unit, policy)
        lecturer = source.lecturer_credits_per_unit or source.credits_per_unit
        return participant, round_credits(lecturer, policy)
    if credits is None:
        raise DomainError("AMOUNT_REQUIRED", "请填写本次活动的学分。", field="credits")
    credits = round_credits(credits, policy)
    if credits <= 0:
        raise DomainError("AMOUNT_INVALID", "学分应大于0。", field="credits")
    cap = source.cap_per_entry
    if cap is not None and credits > cap:
        raise DomainError(
            "ACTIVITY_CREDITS_CAP",
            "“{s}”每项活动不超过{c}学分。".format(s=source.name, c=cap),
            field="credits",
        )
    return credits, credits


@transaction.atomic
def record_unit_activity(
    unit: Organisation,
    *,
    actor,
    source: CreditSource,
    title: str,
    activity_date: datetime.date | None,
    lecturers: str | Sequence[str] = (),
    participants: str | Sequence[str] = (),
    credits: Decimal | None = None,
    hours: Decimal | None = None,
    today: datetime.date | None = None,
) -> UnitActivity:
    """单位学术活动: valid records for the unit's own lecturers and participants, written in
    one go; a lecturer also listed as a participant gets the lecturer record only. The
    yearly cap of unit activities is applied by the ledger, not here."""
    if not can_record_activity(actor, unit):
        raise PermissionDenied("只有本单位管理员可以录入本单位的学术活动。")
    today = today or timezone.localdate()
    if source is None or source.claim != CreditSource.Claim.UNIT or not source.active:
        raise DomainError("ACTIVITY_SOURCE", "请选择单位组织的学术活动类别。", field="source")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("TITLE_REQUIRED", "请填写活动名称。", field="title")
    if len(title) > 200:
        raise DomainError("TITLE_TOO_LONG", "名称不能超过200个字符。", field="title")
    if activity_date is None:
        raise DomainError("DATE_REQUIRED", "请填写活动日期。", field="activity_date")
    if activity_date > today:
        raise DomainError("CLAIM_DATE_FUTURE", "活动日期不能晚于今天。", field="activity_date")
    if activity_date.year < today.year - 1:
        raise DomainError(
            "CLAIM_YEAR",
            "只能录入本年度或上一年度（{a}年或{b}年）的活动。".format(
                a=today.year, b=today.year - 1
            ),
            field="activity_date",
        )
    policy = for_year(activity_date.year)
    participant_amount, lecturer_amount = activity_credits(source, credits, policy)
    if source.hours_per_credit or hours is None:
        activity_hours = default_hours(source, participant_amount, policy)
    elif hours <= 0 or hours > Decimal("999.9"):
        raise DomainError("HOURS_INVALID", "学时应大于0。", field="hours")
    else:
        activity_hours = hours.quantize(TENTH)
    teaching, errors = resolve_staff(unit, staff_tokens(lecturers), label="主讲人")
    attending, more = resolve_staff(unit, staff_tokens(participants), label="参加人员")
    if errors or more:
        raise DomainError(
            "STAFF_NOT_OF_UNIT",
            "；".join(errors + more),
            field="lecturers" if errors else "participants",
        )
    lecturer_ids = {p.pk for p in teaching}
    attending = [p for p in attending if p.pk not in lecturer_ids]
    if not teaching and not attending:
        raise DomainError(
            "NO_ATTENDEES", "请填写主讲人或参加人员（本单位人员）。", field="participants"
        )
    if UnitActivity.objects.filter(
        unit=unit, source=source, title=title, activity_date=activity_date
    ).exists():
        raise DomainError(
            "DUPLICATE_ACTIVITY",
            "本单位已录入{d}的“{t}”，不能重复录入。".format(d=activity_date.isoformat(), t=title),
            field="title",
        )
    activity = UnitActivity.objects.create(
        unit=unit,
        source=source,
        title=title,
        activity_date=activity_date,
        year=activity_date.year,
        credits=participant_amount,
        lecturer_credits=lecturer_amount,
        hours=activity_hours,
        recorded_by=actor,
    )
    now = timezone.now()
    common = {
        "year": activity_date.year,
        "category": source.category,
        "source": source,
        "hours": activity_hours,
        "title": title,
        "activity_date": activity_date,
        "organisation": unit,
        "submitted_by": actor,
        "status": Status.VALID,
        "reviewed_by": actor,
        "reviewed_at": now,
    }
    records = CreditRecord.objects.bulk_create(
        [
            CreditRecord(
                person=p, role=CreditRecord.Role.LECTURER, amount=lecturer_amount, **common
            )
            for p in teaching
        ]
        + [
            CreditRecord(
                person=p, role=CreditRecord.Role.LEARNER, amount=participant_amount, **common
            )
            for p in attending
        ]
    )
    activity.records.set(records)
    forget_results(unit.pk, activity_date.year)
    audit.record(
        "unit_activity.record",
        actor=actor,
        obj=activity,
        scope_path=unit.tree_path,
        changes={
            "类别": source.name,
            "日期": activity_date.isoformat(),
            "主讲人": len(teaching),
            "参加人员": len(attending),
        },
    )
    activity.lecturer_count = len(teaching)
    activity.participant_count = len(attending)
    return activity
