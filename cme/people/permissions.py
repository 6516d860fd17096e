from cme.accounts.models import Role
from cme.accounts.scope import acting_org, manages_staff, role_of
from cme.orgs.models import Organisation
from cme.people.models import Person


def can_manage_staff_of(user, unit: Organisation | None) -> bool:
    """Unit admins (and branch secretaries) manage their own unit's staff."""
    return bool(
        unit is not None and manages_staff(user) and acting_org(user) == unit and unit.is_active
    )


def can_edit_person(user, person: Person) -> bool:
    return can_manage_staff_of(user, person.unit)


def can_read_full_id(user, person: Person) -> bool:
    """The person, their unit's admin, and the system admin need the whole number."""
    if role_of(user) == Role.SYSTEM_ADMIN:
        return True
    if person.user_id and person.user_id == user.pk:
        return True
    return can_manage_staff_of(user, person.unit)


def can_transfer_for_deregistered(user, unit: Organisation) -> bool:
    """An authority over the unit (its licensing authority or the city above it) may transfer
    the staff of a unit that nobody manages any more, on uploaded proof (003 §十八)."""
    if role_of(user) == Role.SYSTEM_ADMIN:
        return True
    membership = getattr(user, "membership", None)
    if not (membership and membership.is_authority):
        return False
    return membership.organisation_id in unit.ancestor_ids()
