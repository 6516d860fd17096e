"""Reads for holding (SPEC §5): sessions in the user's scope and the pre-event reports an
authority has received."""

from django.db.models import Count, QuerySet

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, in_scope, is_authority, one_or_404, sees_everything
from cme.holding.models import HeldSession, PreReport
from cme.projects.models import Project
from cme.projects.queries import projects_visible_to

SESSION_RELATED = ("project__sponsor", "project__declared_by", "region__parent__parent")


def sessions_visible_to(user) -> QuerySet[HeldSession]:
    """Sessions of projects declared in the user's subtree."""
    qs = HeldSession.objects.select_related(*SESSION_RELATED)
    return in_scope(qs, user, "project__declared_by")


def session_for(user, pk: int) -> HeldSession:
    return one_or_404(sessions_visible_to(user), pk)


def pre_reports_for_authority(user) -> QuerySet[PreReport]:
    """Reports sent to the user's authority; a provincial or national office also sees those
    sent to the authorities under it. Newest first."""
    qs = PreReport.objects.select_related(
        *("session__" + name for name in SESSION_RELATED), "authority"
    ).order_by("-submitted_at", "-pk")
    if sees_everything(user):
        return qs
    org = acting_org(user)
    if org is None or not is_authority(user):
        return qs.none()
    if user.membership.role in (Role.PROVINCIAL_OFFICE, Role.NATIONAL_OFFICE):
        return qs.filter(authority__tree_path__startswith=org.tree_path)
    return qs.filter(authority=org)


def holdable_projects_for(user, states) -> QuerySet[Project]:
    """Approved projects in the user's scope with how many sessions are arranged."""
    return (
        projects_visible_to(user)
        .filter(state__in=states)
        .annotate(arranged=Count("held_sessions"))
        .order_by("-year", "number", "pk")
    )
