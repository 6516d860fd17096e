"""Reads of account matters, scoped like everything else (SPEC §2).

A user sees the applications whose licensing authority, and the rename and password
reset requests whose organisation, lies in their subtree; the `*_for` helpers answer
NotFound (404) outside it, whether or not the object exists.
"""

from django.db.models import QuerySet

from cme.accounts.models import AccountApplication, PasswordResetRequest, RenameRequest
from cme.accounts.scope import in_scope, one_or_404


def applications_visible_to(user) -> QuerySet[AccountApplication]:
    """Applications whose licensing authority lies in the user's subtree."""
    qs = AccountApplication.objects.select_related(
        "region__parent__parent", "licensing_authority", "organisation"
    )
    return in_scope(qs, user, "licensing_authority")


def application_for(user, pk: int) -> AccountApplication:
    return one_or_404(applications_visible_to(user), pk)


def renames_visible_to(user) -> QuerySet[RenameRequest]:
    qs = RenameRequest.objects.select_related("organisation", "requested_by")
    return in_scope(qs, user, "organisation")


def rename_for(user, pk: int) -> RenameRequest:
    return one_or_404(renames_visible_to(user), pk)


def resets_visible_to(user) -> QuerySet[PasswordResetRequest]:
    qs = PasswordResetRequest.objects.select_related("organisation")
    return in_scope(qs, user, "organisation")


def reset_for(user, pk: int) -> PasswordResetRequest:
    return one_or_404(resets_visible_to(user), pk)
