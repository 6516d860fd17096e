"""Every change to a person's claims (issue 6 §2; 003 §二十-二十一, §二十六); unit
activities are in `activities`.

A person's claim (申报学分) is a CreditRecord written pending and held by the person's unit;
the unit's staff manager approves it on to the city authority above the unit (a unit with
no city above, e.g. directly under the provincial commission, goes to the province), whose
approval makes it valid. Either step may

- approve (通过): the record moves on, or becomes valid at the last step;
- return (退回修改) with a reason: still pending, held by nobody, the reason shown; the person
  corrects it and resubmits, and it starts again at the unit;
- reject (不予认可) with a reason: rejected, final.

Each decision is a CreditReview row (a rejection is stored as 退回 with the reason; the
record's status says it was final) and an audit event. A claim under a yearly cap (自学综述
5 a year) is refused once the person's valid and pending claims fill the cap, and noted
when only part of it will count. Decisions move the record with a
conditional update on (status, holder, holder_since): of two reviewers deciding at once,
the second gets Conflict.
"""

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.claims.amounts import (
    TENTH,
    certificate_key,
    check_certificate_number,
    claim_hours,
    claim_worth,
)
from cme.claims.permissions import (
    is_claimant,
    is_returned,
    reviews_for,
)
from cme.claims.queries import year_cap_of, year_cap_used
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.uploads import validate_scan
from cme.credits import ledger
from cme.credits.models import CreditRecord, CreditReview, CreditSource
from cme.orgs.chains import review_chain
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.policy.access import for_year

Status = CreditRecord.Status
Claim = CreditSource.Claim
DECISIONS = ("approve", "return", "reject")


# --- who reviews ---------------------------------------------------------------------------------


def claim_reviewer_above(unit: Organisation) -> Organisation:
    """The city authority above `unit`: the first authority of city level on its review
    chain; without one (units directly under the provincial commission, societies), the
    province."""
    authorities = [org for org in review_chain(unit) if org.is_authority]
    for level in ("city", "province"):
        for org in authorities:
            if org.authority_level == level:
                return org
    raise DomainError(
        "NO_CLAIM_REVIEWER",
        "未找到{u}的上级卫生健康委员会，无法送审，请联系系统管理员。".format(u=unit.name),
    )


def is_last_step(record: CreditRecord) -> bool:
    """The city (or province) step: an authority other than the claimant's own unit."""
    holder = record.holder
    return holder is not None and holder.is_authority and holder.pk != record.person.unit_id


# --- claims --------------------------------------------------------------------------------------


def _stored_evidence(upload):
    """The evidence checked by its content and renamed by it (never the uploaded name)."""
    if not upload:
        raise DomainError(
            "EVIDENCE_REQUIRED", "请上传证明材料（PDF、JPG或PNG）。", field="evidence"
        )
    try:
        validate_scan(upload)
    except ValidationError as exc:
        raise DomainError(exc.code or "FILE_TYPE", exc.messages[0], field="evidence") from None
    head = upload.read(8)
    upload.seek(0)
    ext = ".pdf" if head.startswith(b"%PDF") else ".png" if head.startswith(b"\x89PNG") else ".jpg"
    upload.name = "claim-{u}{e}".format(u=uuid.uuid4().hex[:16], e=ext)
    return upload


def _title_key(title: str) -> str:
    return certificate_key(title)


def describe(record: CreditRecord) -> str:
    """A record as a claimant recognises it: “申报编号12：2024年度“…”（来源，日期，状态）”."""
    if is_returned(record):
        state = "已退回修改"
    else:
        state = ledger.where_is(record) or record.get_status_display()
    return "申报编号{pk}：{y}年度“{t}”（{s}，{d}，{st}）".format(
        pk=record.pk,
        y=record.year,
        t=record.title,
        s=record.source.name,
        d=record.activity_date.isoformat() if record.activity_date else "—",
        st=state,
    )


def _claim_values(
    person: Person,
    *,
    source: CreditSource,
    year: int,
    title: str,
    activity_date: datetime.date | None,
    quantity: Decimal | None = None,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
    certificate_number: str = "",
    today: datetime.date | None = None,
    exclude_pk: int | None = None,
) -> tuple[dict, str]:
    """The record's fields from what the person entered, checked; and a note when the
    amount was capped."""
    today = today or timezone.localdate()
    if person.unit is None:
        raise DomainError("CLAIM_NO_UNIT", "您当前没有所在单位（调动未完成），暂不能申报学分。")
    if source is None or source.claim != Claim.PERSON or not source.active:
        raise DomainError("CLAIM_SOURCE", "请选择可由本人申报的学分来源。", field="source")
    if year not in (today.year, today.year - 1):
        raise DomainError(
            "CLAIM_YEAR",
            "只能申报本年度或上一年度（{a}年或{b}年）的学分。".format(
                a=today.year, b=today.year - 1
            ),
            field="year",
        )
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("TITLE_REQUIRED", "请填写证书或活动名称。", field="title")
    if len(title) > 200:
        raise DomainError("TITLE_TOO_LONG", "名称不能超过200个字符。", field="title")
    if activity_date is None:
        raise DomainError("DATE_REQUIRED", "请填写活动日期。", field="activity_date")
    if activity_date > today:
        raise DomainError("CLAIM_DATE_FUTURE", "活动日期不能晚于今天。", field="activity_date")
    if activity_date.year != year:
        raise DomainError(
            "CLAIM_DATE_YEAR",
            "活动日期{d}不在{y}年度内：学分按年度录入，只计入活动所在的年度。".format(
                d=activity_date.isoformat(), y=year
            ),
            field="activity_date",
        )
    key = check_certificate_number(source, certificate_number or "")
    policy = for_year(year)
    if quantity is not None:
        quantity = quantity.quantize(TENTH)
    worth = claim_worth(source, policy, quantity=quantity, amount=amount)
    note = worth.note + _year_cap_note(person, source, year, worth.credits, exclude_pk)
    values = {
        "year": year,
        "category": source.category,
        "source": source,
        "role": CreditRecord.Role.LEARNER,
        "amount": worth.credits,
        "hours": claim_hours(source, worth.credits, policy, quantity=quantity, hours=hours),
        "title": title,
        "activity_date": activity_date,
        "quantity": quantity if source.unit != CreditSource.Unit.CREDIT else None,
        "certificate_number": " ".join((certificate_number or "").split())[:64] if key else "",
        "certificate_key": key,
    }
    return values, note


def _year_cap_note(
    person: Person, source: CreditSource, year: int, credits: Decimal, exclude_pk: int | None
) -> str:
    """A claim under a yearly cap (自学综述 5 a year…): refused when the person's valid and
    pending claims already fill the cap, since it could count for nothing; a note when only
    part of it will count (the ledger cuts it when the year is summed)."""
    cap = year_cap_of(source)
    if cap is None:
        return ""
    used = year_cap_used(
        person.pk, cap, year, statuses=(Status.VALID, Status.PENDING), exclude_pk=exclude_pk
    )
    field = "amount" if source.unit == CreditSource.Unit.CREDIT else "quantity"
    if used >= cap.cap:
        raise DomainError(
            "CLAIM_YEAR_CAP",
            "“{s}”每年计入不超过{c}分，您{y}年度已申报或已生效{u}分，已达上限，"
            "本条申报不能再计分。".format(s=source.name, c=cap.cap, y=year, u=used),
            field=field,
        )
    if used + credits > cap.cap:
        return "“{s}”每年计入不超过{c}分，您{y}年度已申报或已生效{u}分，本条只有{r}分计入。".format(
            s=source.name, c=cap.cap, y=year, u=used, r=cap.cap - used
        )
    return ""


def _refuse_duplicates(person: Person, values: dict, *, exclude_pk: int | None = None) -> None:
    """The same certificate number twice, or the same source, title and date twice."""
    others = CreditRecord.objects.select_related("source", "holder")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    key = values["certificate_key"]
    if key:
        same = others.filter(certificate_key=key).order_by("pk")
        mine = same.filter(person=person).first()
        if mine is not None:
            raise DomainError(
                "DUPLICATE_CERTIFICATE",
                "该证书编号已申报过，不能重复申报：{r}。".format(r=describe(mine)),
                field="certificate_number",
            )
        if same.exists():
            raise DomainError(
                "CERTIFICATE_REGISTERED",
                "该证书编号已被登记，不能重复申报；如确为本人的证书，请联系本单位管理员核实。",
                field="certificate_number",
            )
    title = _title_key(values["title"])
    same_day = others.filter(
        person=person, source=values["source"], activity_date=values["activity_date"]
    ).order_by("pk")
    for record in same_day:
        if _title_key(record.title) == title:
            raise DomainError(
                "DUPLICATE_CLAIM",
                "已有相同来源、名称和日期的学分记录，不能重复申报：{r}。".format(
                    r=describe(record)
                ),
                field="title",
            )


def _check_claimant(actor, person: Person) -> None:
    if getattr(actor, "person", None) is None or actor.person.pk != person.pk:
        raise PermissionDenied("学分只能由本人申报。")


@transaction.atomic
def submit_claim(
    person: Person,
    *,
    actor,
    source: CreditSource,
    year: int,
    title: str,
    activity_date: datetime.date | None,
    evidence,
    quantity: Decimal | None = None,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
    certificate_number: str = "",
    today: datetime.date | None = None,
) -> CreditRecord:
    """申报学分: a pending record held by the person's unit. `record.note` says when the
    amount was capped."""
    _check_claimant(actor, person)
    values, note = _claim_values(
        person,
        source=source,
        year=year,
        title=title,
        activity_date=activity_date,
        quantity=quantity,
        amount=amount,
        hours=hours,
        certificate_number=certificate_number,
        today=today,
    )
    evidence = _stored_evidence(evidence)
    # one claim of a person at a time, so two quick submissions cannot both pass the check
    Person.objects.select_for_update().filter(pk=person.pk).first()
    _refuse_duplicates(person, values)
    record = CreditRecord.objects.create(
        person=person,
        evidence=evidence,
        submitted_by=actor,
        status=Status.PENDING,
        holder=person.unit,
        holder_since=timezone.now(),
        **values,
    )
    audit.record(
        "claim.submit",
        actor=actor,
        obj=record,
        scope_path=person.unit.tree_path,
        changes={
            "来源": source.name,
            "年度": year,
            "学分": str(record.amount),
            "证书编号": record.certificate_number,
        },
        comment=note,
    )
    record.note = note
    return record


@transaction.atomic
def resubmit_claim(
    record: CreditRecord,
    *,
    actor,
    source: CreditSource,
    year: int,
    title: str,
    activity_date: datetime.date | None,
    evidence=None,
    quantity: Decimal | None = None,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
    certificate_number: str = "",
    today: datetime.date | None = None,
) -> CreditRecord:
    """A returned claim, corrected, goes back to the person's unit (a new evidence file is
    optional)."""
    record = (
        CreditRecord.objects.select_for_update(of=("self",))
        .select_related("person__unit", "source")
        .get(pk=record.pk)
    )
    if not is_claimant(actor, record):
        raise PermissionDenied("学分只能由本人申报。")
    if not is_returned(record):
        raise DomainError("CLAIM_NOT_RETURNED", "只有退回修改的申报可以修改后重新提交。")
    values, note = _claim_values(
        record.person,
        source=source,
        year=year,
        title=title,
        activity_date=activity_date,
        quantity=quantity,
        amount=amount,
        hours=hours,
        certificate_number=certificate_number,
        today=today,
        exclude_pk=record.pk,
    )
    _refuse_duplicates(record.person, values, exclude_pk=record.pk)
    for name, value in values.items():
        setattr(record, name, value)
    if evidence:
        record.evidence = _stored_evidence(evidence)
    record.holder = record.person.unit
    record.holder_since = timezone.now()
    record.status_reason = ""
    record.save()
    audit.record(
        "claim.resubmit",
        actor=actor,
        obj=record,
        scope_path=record.person.unit.tree_path,
        changes={"来源": source.name, "学分": str(record.amount), "新材料": bool(evidence)},
        comment=note,
    )
    record.note = note
    return record


def decided_meanwhile(record: CreditRecord) -> Conflict:
    """The Conflict for a reviewer who acts on a claim someone decided since they opened
    it: who decided what, when, and where the claim is now."""
    last = record.reviews.select_related("organisation", "decided_by").order_by("pk").last()
    if last is None:
        return Conflict()
    if is_returned(record):
        now = "现待本人修改后重新提交"
    elif record.status == Status.PENDING:
        now = "现由{h}审核".format(h=record.holder.name)
    else:
        now = "现为“{s}”".format(s=record.get_status_display())
    return Conflict(
        "该申报已由{o}的{n}于{t}处理：{d}。{now}，请刷新后查看最新状态。".format(
            o=last.organisation.name,
            n=last.decided_by.get_full_name() or last.decided_by.username,
            t=timezone.localtime(last.decided_at).strftime("%Y-%m-%d %H:%M"),
            d=last.get_decision_display(),
            now=now,
        )
    )


@transaction.atomic
def decide_claim(record: CreditRecord, *, actor, decision: str, reason: str = "") -> CreditRecord:
    """通过 / 退回修改 / 不予认可 by the organisation holding the claim (as `record` was seen:
    if it moved on meanwhile, Conflict)."""
    if decision not in DECISIONS:
        raise DomainError(
            "DECISION_INVALID",
            "审核结论应为 approve（通过）、return（退回修改）或 reject（不予认可）。",
            field="decision",
        )
    reason = (reason or "").strip()
    if record.status != Status.PENDING or record.holder_id is None:
        raise decided_meanwhile(record)
    holder = record.holder
    if not reviews_for(actor, holder):
        org = acting_org(actor)
        if reviews_for(actor, org) and record.reviews.filter(organisation=org).exists():
            raise decided_meanwhile(record)  # a colleague (or a second click) was first
        raise PermissionDenied("该申报现由{h}审核。".format(h=holder.name))
    if decision != "approve" and not reason:
        raise DomainError("REASON_REQUIRED", "退回修改或不予认可时须填写理由。", field="reason")
    now = timezone.now()
    moved_to = None
    if decision == "approve" and is_last_step(record):
        changes = {
            "status": Status.VALID,
            "holder": None,
            "holder_since": None,
            "status_reason": "",
            "reviewed_by": actor,
            "reviewed_at": now,
        }
    elif decision == "approve":
        moved_to = claim_reviewer_above(holder)
        changes = {"holder": moved_to, "holder_since": now}
    elif decision == "return":
        changes = {"holder": None, "holder_since": None, "status_reason": reason}
    else:
        changes = {
            "status": Status.REJECTED,
            "holder": None,
            "holder_since": None,
            "status_reason": reason,
            "reviewed_by": actor,
            "reviewed_at": now,
        }
    updated = CreditRecord.objects.filter(
        pk=record.pk, status=Status.PENDING, holder=holder, holder_since=record.holder_since
    ).update(updated_at=now, **changes)
    if updated != 1:
        raise decided_meanwhile(CreditRecord.objects.select_related("holder").get(pk=record.pk))
    if changes.get("status") == Status.VALID:
        ledger.forget_results(record.person.unit_id, record.year)
    CreditReview.objects.create(
        record_id=record.pk,
        organisation=holder,
        decision={
            "approve": CreditReview.Decision.APPROVED,
            "return": CreditReview.Decision.RETURNED,
            "reject": CreditReview.Decision.REJECTED,
        }[decision],
        comment=reason,
        decided_by=actor,
    )
    record.refresh_from_db()
    unit = record.person.unit
    audit.record(
        "claim." + decision,
        actor=actor,
        obj=record,
        scope_path=unit.tree_path if unit is not None else holder.tree_path,
        changes={
            "审核单位": holder.name,
            "结果": record.get_status_display(),
            **({"送": moved_to.name} if moved_to is not None else {}),
        },
        comment=reason,
    )
    return record
