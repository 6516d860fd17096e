"""Who may do what with a claim or a unit activity (pages, API and actions ask the same)."""

from cme.accounts.models import AUTHORITY_ROLES
from cme.accounts.scope import acting_org, manages_staff, role_of
from cme.credits.models import CreditRecord
from cme.orgs.models import Organisation

Status = CreditRecord.Status


def is_claimant(user, record: CreditRecord) -> bool:
    person = getattr(user, "person", None) if user.is_authenticated else None
    return person is not None and person.pk == record.person_id


def reviews_for(user, holder: Organisation | None) -> bool:
    """The user acts for `holder` in the role that reviews there: the unit's staff manager
    for the unit step, the authority's reviewer for the city (or provincial) step."""
    if holder is None or acting_org(user) != holder:
        return False
    if holder.is_authority:
        return role_of(user) in AUTHORITY_ROLES
    return manages_staff(user)


def can_decide(user, record: CreditRecord) -> bool:
    return record.status == Status.PENDING and reviews_for(user, record.holder)


def is_returned(record: CreditRecord) -> bool:
    """退回修改: still pending, but with nobody holding it until the person resubmits."""
    return record.status == Status.PENDING and record.holder_id is None


def can_resubmit(user, record: CreditRecord) -> bool:
    return is_returned(record) and is_claimant(user, record)


def can_review_claims(user) -> bool:
    """Unit staff managers and authorities have a claim queue."""
    return manages_staff(user) or role_of(user) in AUTHORITY_ROLES


def can_record_activity(user, unit: Organisation | None) -> bool:
    """A unit's staff manager records its own activities."""
    return bool(
        unit is not None and manages_staff(user) and acting_org(user) == unit and unit.is_active
    )
