"""Changes to the ledger that pages and the API share."""

from django.db import transaction

from cme.core import audit
from cme.core.errors import DomainError
from cme.credits.models import Exemption
from cme.people.models import Person


@transaction.atomic
def grant_exemption(person: Person, year: int, *, actor, reason: str, evidence=None) -> Exemption:
    """不计达标: the unit takes a person out of a year's audit, with the reason."""
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "请填写不计达标原因。", field="reason")
    if Exemption.objects.filter(person=person, year=year).exists():
        raise DomainError("EXEMPTION_EXISTS", "{y}年度已设为不计达标。".format(y=year))
    exemption = Exemption.objects.create(
        person=person, year=year, reason=reason.strip(), evidence=evidence or "", granted_by=actor
    )
    audit.record(
        "credit.exempt",
        actor=actor,
        obj=person,
        scope_path=person.unit.tree_path,
        changes={"年度": year},
        comment=reason.strip(),
    )
    return exemption
