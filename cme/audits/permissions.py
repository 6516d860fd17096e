"""Who may do what with an audit. Seeing it at all is scope (`queries.audit_for` → 404);
these say whether the user may act on what they see (403 otherwise)."""

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, is_authority, manages_staff, role_of, sees_everything
from cme.audits.models import AnnualAudit
from cme.orgs.models import Organisation
from cme.people.models import Person


def can_submit(user, unit: Organisation) -> bool:
    """The unit's own account administrator."""
    return manages_staff(user) and acting_org(user) == unit


def can_decide(user, audit: AnnualAudit) -> bool:
    """A reviewer of the authority that holds the audit now."""
    return (
        audit.state == AnnualAudit.State.IN_REVIEW
        and audit.holder_id is not None
        and role_of(user) in (Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.PROVINCIAL_OFFICE)
        and acting_org(user) is not None
        and acting_org(user).pk == audit.holder_id
    )


def is_province(user) -> bool:
    """The provincial office: accepts the audits and sends the year's list to 人社."""
    return role_of(user) == Role.PROVINCIAL_OFFICE or sees_everything(user)


def can_void(user) -> bool:
    """Health authorities void a person's year for fraud (003 §二十六), within their scope."""
    return is_authority(user) and role_of(user) != Role.NATIONAL_OFFICE


def can_print_for(user, person: Person) -> bool:
    """A staff member's 年度合格证明 is printed by the unit's HR (its account administrator)
    and by the authorities above it (the person is in their scope already)."""
    own_unit = person.unit_id is not None and acting_org(user) == person.unit
    return (manages_staff(user) and own_unit) or (is_authority(user) and not sees_everything(user))
