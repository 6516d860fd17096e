"""Whom a user acts for, and the subtree they may see (SPEC §2)."""

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from cme.accounts.models import AUTHORITY_ROLES, STAFF_ROLES, Role
from cme.core.errors import NotFound
from cme.orgs.models import Organisation

M = TypeVar("M", bound=Model)


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


def in_scope(qs: QuerySet[M], user, *org_fields: str) -> QuerySet[M]:
    """Rows whose organisation (through any of `org_fields`, '' for the row itself) lies in
    the user's subtree: the one filter every list, export and API query starts from."""
    path = scope_path(user)
    if path is None:
        return qs.none()
    if not path:
        return qs
    condition = Q()
    for name in org_fields:
        condition |= Q(**{(name + "__" if name else "") + "tree_path__startswith": path})
    return qs.filter(condition)


def one_or_404(qs: QuerySet[M], pk: int) -> M:
    """The row if it is in `qs`; NotFound otherwise, whether or not it exists elsewhere."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None  # OverflowError: an id past SQLite's integers
