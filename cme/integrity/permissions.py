"""Who reads, decides and scans integrity alerts (SPEC §2, §8)."""

from cme.accounts.scope import acting_org, is_authority, sees_everything
from cme.integrity.models import IntegrityAlert


def can_view_alerts(user) -> bool:
    """Authorities (county, city, province, national office) and the system admin."""
    return is_authority(user)


def can_scan(user) -> bool:
    return is_authority(user)


def can_decide(user, alert: IntegrityAlert) -> bool:
    """The authority the alert goes to, an authority above it, or the system admin."""
    if sees_everything(user):
        return True
    org = acting_org(user)
    return bool(
        is_authority(user)
        and org is not None
        and alert.authority.tree_path.startswith(org.tree_path)
    )
