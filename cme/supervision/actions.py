"""Sanctions (处理决定): recorded and revoked by an authority over the sanctioned unit
(SPEC §8; 003 §十; 004 §七.3). Those in force feed SPONSOR_SANCTIONED through
`queries.barring_sanctions`; a quota cut feeds `quotas.compute_quotas`."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.uploads import validate_scan
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.supervision.models import Sanction
from cme.supervision.permissions import can_revoke, can_sanction

Kind = Sanction.Kind

# 取消1～3年申报资格 (004 §七.3): the span of the sanction itself, fixed by the text.
BAR_YEARS = range(1, 4)
# Kinds that concern the unit, the leader, or either.
UNIT_ONLY = {Kind.BAR_UNIT, Kind.CUT_QUOTA}
PERSON_ONLY = {Kind.SUSPEND_LEADER}
# Kinds whose effect is on next year's declarations (下年度) unless told otherwise.
FROM_NEXT_YEAR = {Kind.BAR_UNIT, Kind.CUT_QUOTA, Kind.SUSPEND_LEADER}


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise DomainError(
            "SANCTION_KIND",
            "处理类型无效，可选：{k}。".format(k="、".join(str(label) for label in Kind.labels)),
            field="kind",
        ) from None


def _subject_unit(kind: Kind, organisation: Organisation | None, person: Person | None):
    """The unit whose authority decides: the sanctioned unit, or the person's unit."""
    if organisation is not None and person is not None:
        raise DomainError(
            "SANCTION_SUBJECT",
            "一项处理决定只针对一个对象：请分别录入对单位和对人员的决定。",
            field="organisation",
        )
    if kind in UNIT_ONLY and organisation is None:
        raise DomainError(
            "SANCTION_SUBJECT",
            "“{k}”须选择被处理单位。".format(k=kind.label),
            field="organisation",
        )
    if kind in PERSON_ONLY and person is None:
        raise DomainError(
            "SANCTION_SUBJECT",
            "“{k}”须填写项目负责人的证件号码。".format(k=kind.label),
            field="id_number",
        )
    if organisation is None and person is None:
        raise DomainError(
            "SANCTION_SUBJECT", "请选择被处理单位或填写被处理人员。", field="organisation"
        )
    if organisation is not None:
        if organisation.is_authority:
            raise DomainError(
                "SANCTION_SUBJECT",
                "被处理单位应为项目申办单位，不能是卫生健康行政部门。",
                field="organisation",
            )
        return organisation
    if person.unit is None:
        raise DomainError(
            "SANCTION_SUBJECT",
            "该人员已调出、尚未调入新单位，请待其调入后再录入。",
            field="id_number",
        )
    return person.unit


def _years(
    kind: Kind, from_year: int | None, to_year: int | None, decided_on: datetime.date
) -> tuple[int, int]:
    start = from_year
    if start is None:
        start = decided_on.year + 1 if kind in FROM_NEXT_YEAR else decided_on.year
    end = to_year if to_year is not None else start
    if not decided_on.year - 1 <= start <= decided_on.year + 5:
        raise DomainError(
            "SANCTION_YEARS",
            "起始年度{y}与决定日期不符。".format(y=start),
            field="from_year",
        )
    if end < start:
        raise DomainError("SANCTION_YEARS", "截止年度不能早于起始年度。", field="to_year")
    span = end - start + 1
    if kind == Kind.SUSPEND_LEADER and span != 1:
        raise DomainError(
            "SANCTION_YEARS",
            "暂停项目负责人申报资格为一个年度（通常为下一年度），截止年度应与起始年度相同。",
            field="to_year",
        )
    if kind == Kind.BAR_UNIT and span not in BAR_YEARS:
        raise DomainError(
            "SANCTION_YEARS",
            "取消单位申报资格为1～3年，当前为{n}年（{a}—{b}年度）。".format(n=span, a=start, b=end),
            field="to_year",
        )
    return start, end


def _deciding_authority(actor, unit: Organisation) -> Organisation:
    """The actor's authority; for the system admin, the nearest authority above the unit."""
    org = acting_org(actor)
    if org is not None:
        return org
    ids = unit.ancestor_ids()
    above = Organisation.objects.in_bulk(ids)
    for pk in ids:
        if pk in above and above[pk].is_authority:
            return above[pk]
    raise DomainError(
        "SANCTION_AUTHORITY", "未找到该单位的主管部门，无法记录决定机构。", field="organisation"
    )


def _check_evidence(evidence) -> None:
    try:
        validate_scan(evidence)
    except ValidationError as exc:
        raise DomainError(exc.code or "FILE_TYPE", exc.messages[0], field="evidence") from None


@transaction.atomic
def record_sanction(
    *,
    actor,
    kind: str,
    organisation: Organisation | None = None,
    person: Person | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    reason: str,
    evidence=None,
    decided_on: datetime.date,
) -> Sanction:
    """Record a decision an authority took. Without years, a bar, quota cut or leader
    suspension applies to the year after the decision (下年度), the others to its year;
    a leader is suspended for one year, a unit barred for 1-3 years."""
    kind = _kind(kind)
    unit = _subject_unit(kind, organisation, person)
    if not can_sanction(actor, unit):
        raise PermissionDenied("只有被处理单位所属的主管部门可以作出处理决定。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "请填写处理事由。", field="reason")
    if decided_on > timezone.localdate():
        raise DomainError("SANCTION_DATE", "决定日期不能晚于今天。", field="decided_on")
    start, end = _years(kind, from_year, to_year, decided_on)
    if evidence:
        _check_evidence(evidence)
    sanction = Sanction(
        kind=kind,
        organisation=organisation,
        person=person,
        from_year=start,
        to_year=end,
        reason=reason,
        decided_by=_deciding_authority(actor, unit),
        recorded_by=actor,
        decided_on=decided_on,
    )
    if evidence:
        sanction.evidence = evidence
    sanction.save()
    audit.record(
        "sanction.create",
        actor=actor,
        obj=sanction,
        scope_path=unit.tree_path,
        changes={
            "处理类型": str(kind.label),
            "年度": "{a}-{b}".format(a=start, b=end),
            "决定机构": sanction.decided_by.name,
        },
        comment=reason,
    )
    return sanction


@transaction.atomic
def revoke_sanction(sanction: Sanction, *, actor, reason: str) -> Sanction:
    """Withdraw a decision (e.g. on appeal); it stays on record, no longer in force."""
    if not can_revoke(actor, sanction):
        raise PermissionDenied("只有作出决定的主管部门或其上级部门可以撤销该处理决定。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "请填写撤销理由。", field="reason")
    now = timezone.now()
    updated = Sanction.objects.filter(pk=sanction.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, revocation_reason=reason
    )
    if not updated:
        raise Conflict("该处理决定已被撤销，请刷新后查看。")
    sanction.revoked_at, sanction.revoked_by, sanction.revocation_reason = now, actor, reason
    unit = sanction.subject_unit
    audit.record(
        "sanction.revoke",
        actor=actor,
        obj=sanction,
        scope_path=unit.tree_path if unit else sanction.decided_by.tree_path,
        comment=reason,
    )
    return sanction
