"""Who draws spot checks, who inspects, who records (SPEC §2, §8)."""

from cme.accounts.models import AUTHORITY_ROLES
from cme.accounts.scope import acting_org, role_of, sees_everything
from cme.inspections.models import SpotCheck, SpotCheckItem


def can_draw(user) -> bool:
    """An authority (county, city, province, national office) draws over its own subtree."""
    return role_of(user) in AUTHORITY_ROLES and acting_org(user) is not None


def can_view_draws(user) -> bool:
    return role_of(user) in AUTHORITY_ROLES or sees_everything(user)


def can_manage(user, spot_check: SpotCheck) -> bool:
    """The authority that drew (assigns inspectors, records for any item), or the system admin."""
    if sees_everything(user):
        return True
    org = acting_org(user)
    return (
        role_of(user) in AUTHORITY_ROLES and org is not None and org.pk == spot_check.authority_id
    )


def is_inspector(user, item: SpotCheckItem) -> bool:
    return user.is_authenticated and item.inspectors.filter(pk=user.pk).exists()


def can_record(user, item: SpotCheckItem) -> bool:
    """An assigned inspector, or the drawing authority."""
    return is_inspector(user, item) or can_manage(user, item.spot_check)
