"""Who may record and revoke sanctions, and who sets quotas (SPEC §2, §8)."""

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, is_authority, role_of, sees_everything
from cme.orgs.models import Organisation
from cme.supervision.models import Sanction


def _under(org: Organisation | None, authority: Organisation | None) -> bool:
    return bool(
        org is not None and authority is not None and org.tree_path.startswith(authority.tree_path)
    )


def can_record_sanctions(user) -> bool:
    """Authorities (county, city, province, national office) and the system admin."""
    return is_authority(user)


def can_sanction(user, unit: Organisation | None) -> bool:
    """An authority over the unit (the unit lies in its subtree), or the system admin."""
    if unit is None:
        return False
    if sees_everything(user):
        return True
    return is_authority(user) and _under(unit, acting_org(user))


def can_revoke(user, sanction: Sanction) -> bool:
    """The deciding authority, an authority above it, or the system admin."""
    if sees_everything(user):
        return True
    return is_authority(user) and _under(sanction.decided_by, acting_org(user))


def can_set_quotas(user) -> bool:
    """Quotas are the provincial office's (000 §三.4), or the system admin's."""
    return role_of(user) in (Role.PROVINCIAL_OFFICE, Role.SYSTEM_ADMIN)
