"""Changes to the ledger that pages and the API share."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cme.accounts.scope import acting_org, manages_staff
from cme.core import audit
from cme.core.errors import DomainError, PermissionDenied
from cme.core.uploads import validate_scan
from cme.credits import ledger
from cme.credits.models import Exemption
from cme.people.models import Person


def can_exempt(user, person: Person) -> bool:
    """Only the admin of the person's own unit takes them out of a year's audit."""
    return manages_staff(user) and person.unit_id is not None and acting_org(user) == person.unit


@transaction.atomic
def grant_exemption(
    person: Person,
    year: int,
    *,
    actor,
    reason: str,
    evidence=None,
    today: datetime.date | None = None,
) -> Exemption:
    """不计达标: the unit takes a person out of a year's audit, with the reason and its scan
    (a sick-leave or maternity certificate…). Not for a year not yet begun, nor while the
    unit's list of the year is with the reviewers or approved: the list would no longer say
    what was decided."""
    from cme.audits.models import AnnualAudit

    if not can_exempt(actor, person):
        raise PermissionDenied("只有本单位管理员可以设置不计达标。")
    today = today or timezone.localdate()
    if year > today.year:
        raise DomainError(
            "EXEMPTION_YEAR", "{y}年度尚未开始，不能设置不计达标。".format(y=year), field="year"
        )
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "请填写不计达标原因。", field="reason")
    if Exemption.objects.filter(person=person, year=year).exists():
        raise DomainError("EXEMPTION_EXISTS", "{y}年度已设为不计达标。".format(y=year))
    locked = (
        AnnualAudit.objects.filter(
            unit=person.unit,
            year=year,
            state__in=(AnnualAudit.State.IN_REVIEW, AnnualAudit.State.APPROVED),
        )
        .only("state")
        .first()
    )
    if locked is not None:
        raise DomainError(
            "AUDIT_LOCKED",
            "本单位{y}年度学分审核{s}，名单已报送，不能再设置不计达标；"
            "如需调整，请在审核退回后设置。".format(y=year, s=locked.get_state_display()),
        )
    if not evidence:
        raise DomainError(
            "EVIDENCE_REQUIRED",
            "请上传不计达标的证明材料（如病假、产假证明的PDF、JPG或PNG扫描件）。",
            field="evidence",
        )
    try:
        validate_scan(evidence)
    except ValidationError as exc:
        raise DomainError(exc.code or "FILE_TYPE", exc.messages[0], field="evidence") from None
    exemption = Exemption.objects.create(
        person=person, year=year, reason=reason.strip(), evidence=evidence, granted_by=actor
    )
    ledger.forget_results(person.unit_id, year)
    audit.record(
        "credit.exempt",
        actor=actor,
        obj=person,
        scope_path=person.unit.tree_path,
        changes={"年度": year},
        comment=reason.strip(),
    )
    return exemption
