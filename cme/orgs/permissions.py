from cme.accounts.actions import can_decide_for
from cme.accounts.scope import acting_org, manages_staff
from cme.orgs.chains import deciding_authority
from cme.orgs.models import Organisation


def can_edit_org(user, org: Organisation) -> bool:
    """Licence, inspection and name-compliance facts are set by the unit's authority."""
    return can_decide_for(user, deciding_authority(org))


def is_own_unit(user, org: Organisation) -> bool:
    return manages_staff(user) and acting_org(user) == org
