"""Whom a user acts for, and the subtree they may see (SPEC §2)."""

from cme.accounts.models import AUTHORITY_ROLES, STAFF_ROLES, Role
from cme.orgs.models import Organisation


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.SYSTEM_ADMIN
    membership = getattr(user, "membership", None)
    return membership.role if membership else None


def acting_org(user) -> Organisation | None:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.organisation if membership else None


def sees_everything(user) -> bool:
    return role_of(user) == Role.SYSTEM_ADMIN


def scope_path(user) -> str | None:
    """Tree-path prefix of what the user may see: '' for everything, None for nothing.

    Learners, experts and distance providers see no organisation subtree through this;
    their own pages use their own queries.
    """
    role = role_of(user)
    if role == Role.SYSTEM_ADMIN:
        return ""
    if role in AUTHORITY_ROLES or role in STAFF_ROLES or role == Role.PROJECT_LEADER:
        return user.membership.organisation.tree_path
    return None


def is_authority(user) -> bool:
    return role_of(user) in AUTHORITY_ROLES or sees_everything(user)


def manages_staff(user) -> bool:
    return role_of(user) in STAFF_ROLES
