"""Who publishes notices (SPEC §2, §9): the health authorities, each for its own organisation."""

from cme.accounts.models import AUTHORITY_ROLES
from cme.accounts.scope import acting_org, role_of
from cme.notices.models import Notice


def can_publish(user) -> bool:
    """A county, city or provincial commission or the national office, acting for itself."""
    org = acting_org(user)
    return role_of(user) in AUTHORITY_ROLES and org is not None and org.is_authority


def can_manage(user, notice: Notice) -> bool:
    """Edit, publish and withdraw: the publishing authority's own users."""
    return can_publish(user) and acting_org(user).pk == notice.publisher_id
