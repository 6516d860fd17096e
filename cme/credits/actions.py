"""Changes to the ledger that pages and the API share."""

from django.core.exceptions import ValidationError
from django.db import transaction

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
def grant_exemption(person: Person, year: int, *, actor, reason: str, evidence=None) -> Exemption:
    """不计达标: the unit takes a person out of a year's audit, with the reason."""
    if not can_exempt(actor, person):
        raise PermissionDenied("只有本单位管理员可以设置不计达标。")
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "请填写不计达标原因。", field="reason")
    if Exemption.objects.filter(person=person, year=year).exists():
        raise DomainError("EXEMPTION_EXISTS", "{y}年度已设为不计达标。".format(y=year))
    if evidence:
        try:
            validate_scan(evidence)
        except ValidationError as exc:
            raise DomainError(exc.code or "FILE_TYPE", exc.messages[0], field="evidence") from None
    exemption = Exemption.objects.create(
        person=person, year=year, reason=reason.strip(), evidence=evidence or "", granted_by=actor
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
