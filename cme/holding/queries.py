"""Reads for holding (SPEC §5): sessions in the user's scope and the pre-event reports an
authority has received."""

from django.db.models import Count, QuerySet

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, in_scope, is_authority, one_or_404, sees_everything
from cme.core.errors import NotFound
from cme.holding.models import Attendee, ExecutionReport, HeldSession, PreReport, RosterImport
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


def report_for(session: HeldSession) -> ExecutionReport:
    """The report of a session already read through `session_for`; 404 while none exists."""
    report = ExecutionReport.objects.filter(session=session).select_related("reviewer").first()
    if report is None:
        raise NotFound()
    return report


def reports_for_reviewer(user) -> QuerySet[ExecutionReport]:
    """Reports sent to the user's authority (the provincial office also sees those sent to
    the authorities under it); overdue reviews first, then the oldest."""
    qs = ExecutionReport.objects.select_related(
        *("session__" + name for name in SESSION_RELATED), "reviewer"
    ).exclude(state=ExecutionReport.State.DRAFT)
    if not sees_everything(user):
        org = acting_org(user)
        if org is None or not is_authority(user):
            return qs.none()
        if user.membership.role in (Role.PROVINCIAL_OFFICE, Role.NATIONAL_OFFICE):
            qs = qs.filter(reviewer__tree_path__startswith=org.tree_path)
        else:
            qs = qs.filter(reviewer=org)
    return qs.order_by("review_due_on", "submitted_at", "pk")


def attendance_for_person(person) -> QuerySet[Attendee]:
    return (
        Attendee.objects.filter(person=person)
        .select_related("session__project", "session__region", "evaluation")
        .order_by("-session__starts_on")
    )


def attendees_visible_to(user) -> QuerySet[Attendee]:
    """Roster entries of sessions in the user's scope."""
    qs = Attendee.objects.select_related(
        "person", "session__project__declared_by", "session__project__sponsor"
    )
    return in_scope(qs, user, "session__project__declared_by")


def attendee_for(user, pk: int) -> Attendee:
    return one_or_404(attendees_visible_to(user), pk)


def roster_imports_visible_to(user) -> QuerySet[RosterImport]:
    qs = RosterImport.objects.select_related(
        "uploaded_by", "session__project__declared_by", "session__project__sponsor"
    )
    return in_scope(qs, user, "session__project__declared_by")


def roster_import_for(user, pk: int) -> RosterImport:
    return one_or_404(roster_imports_visible_to(user), pk)
