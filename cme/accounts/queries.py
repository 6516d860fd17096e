"""Reads of account matters, scoped like everything else (SPEC §2).

A user sees the applications whose licensing authority, and the rename and password
reset requests whose organisation, lies in their subtree; the `*_for` helpers answer
NotFound (404) outside it, whether or not the object exists.
"""

from typing import TypeVar

from django.db.models import Model, QuerySet

from cme.accounts.models import AccountApplication, PasswordResetRequest, RenameRequest
from cme.accounts.scope import scope_path
from cme.core.errors import NotFound

M = TypeVar("M", bound=Model)


def _in_subtree(qs: QuerySet[M], user, org_field: str) -> QuerySet[M]:
    path = scope_path(user)
    if path is None:
        return qs.none()
    return qs.filter(**{org_field + "__tree_path__startswith": path}) if path else qs


def _one(qs: QuerySet[M], pk: int) -> M:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def applications_visible_to(user) -> QuerySet[AccountApplication]:
    """Applications whose licensing authority lies in the user's subtree."""
    qs = AccountApplication.objects.select_related(
        "region__parent__parent", "licensing_authority", "organisation"
    )
    return _in_subtree(qs, user, "licensing_authority")


def application_for(user, pk: int) -> AccountApplication:
    return _one(applications_visible_to(user), pk)


def renames_visible_to(user) -> QuerySet[RenameRequest]:
    qs = RenameRequest.objects.select_related("organisation", "requested_by")
    return _in_subtree(qs, user, "organisation")


def rename_for(user, pk: int) -> RenameRequest:
    return _one(renames_visible_to(user), pk)


def resets_visible_to(user) -> QuerySet[PasswordResetRequest]:
    qs = PasswordResetRequest.objects.select_related("organisation")
    return _in_subtree(qs, user, "organisation")


def reset_for(user, pk: int) -> PasswordResetRequest:
    return _one(resets_visible_to(user), pk)
