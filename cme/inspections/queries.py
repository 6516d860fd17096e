"""Reads: draws and items in a user's scope, the candidates of a draw, eligible inspectors."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from cme.accounts.models import AUTHORITY_ROLES, Role, User
from cme.accounts.scope import in_scope, one_or_404
from cme.holding.models import HeldSession
from cme.inspections.draw import Candidate
from cme.inspections.models import SpotCheck, SpotCheckItem
from cme.inspections.permissions import can_view_draws
from cme.orgs.models import Organisation, Region
from cme.projects.models import APPROVED_STATES, Project

OTHER_CITY = ("", "省直及其他")


def spot_checks_visible_to(user) -> QuerySet[SpotCheck]:
    """Draws of an authority in the user's subtree (a province sees its cities' draws)."""
    if not can_view_draws(user):
        return SpotCheck.objects.none()
    return in_scope(SpotCheck.objects.select_related("authority", "created_by"), user, "authority")


def spot_check_for(user, pk: int) -> SpotCheck:
    return one_or_404(spot_checks_visible_to(user), pk)


ITEM_RELATED = ("spot_check__authority", "project__sponsor", "project__declared_by", "session")


def items_visible_to(user) -> QuerySet[SpotCheckItem]:
    """Items of visible draws, and items the user was assigned to inspect."""
    if not user.is_authenticated:
        return SpotCheckItem.objects.none()
    visible = spot_checks_visible_to(user).values("pk")
    return (
        SpotCheckItem.objects.filter(Q(spot_check__in=visible) | Q(inspectors=user))
        .distinct()
        .select_related(*ITEM_RELATED)
    )


def item_for(user, pk: int) -> SpotCheckItem:
    return one_or_404(items_visible_to(user), pk)


def tasks_of(user) -> QuerySet[SpotCheckItem]:
    """我的检查任务: items the user is assigned to, pending first."""
    if not user.is_authenticated:
        return SpotCheckItem.objects.none()
    return (
        SpotCheckItem.objects.filter(inspectors=user)
        .select_related(*ITEM_RELATED)
        .order_by("-state", "visit_date", "id")
    )


def city_of(region: Region | None) -> tuple[str, str]:
    """(code, name) of the 市州 a region lies in; provincial or unknown → 省直及其他."""
    if region is None:
        return OTHER_CITY
    if region.level == Region.Level.COUNTY and region.parent_id:
        return region.parent_id, region.parent.name
    if region.level == Region.Level.CITY:
        return region.code, region.name
    return OTHER_CITY


def held_projects(authority: Organisation, year: int, levels: list[str]) -> QuerySet[Project]:
    """Approved projects of the year declared in the authority's subtree that have at least
    one held session (期次)."""
    return (
        Project.objects.filter(
            year=year,
            level__in=levels,
            state__in=APPROVED_STATES,
            declared_by__tree_path__startswith=authority.tree_path,
        )
        .filter(Exists(HeldSession.objects.filter(project=OuterRef("pk"))))
        .select_related("sponsor__region__parent")
        .order_by("pk")
    )


def candidates(projects: Iterable[Project]) -> tuple[list[Candidate], dict[str, str]]:
    """The draw's candidates and the names of their cities by code."""
    out, names = [], {}
    for project in projects:
        code, name = city_of(project.sponsor.region if project.sponsor_id else None)
        names[code] = name
        out.append(Candidate(level=project.level, city=code, pk=project.pk))
    return out, names


def eligible_inspectors(spot_check: SpotCheck) -> QuerySet[User]:
    """Reviewers of the drawing authority or an authority below it, and active discipline
    experts working in its subtree."""
    path = spot_check.authority.tree_path
    return (
        User.objects.filter(is_active=True, membership__organisation__tree_path__startswith=path)
        .filter(
            Q(membership__role__in=AUTHORITY_ROLES)
            | Q(membership__role=Role.EXPERT, expert__active=True)
        )
        .select_related("membership__organisation")
        .order_by("membership__role", "first_name", "username")
    )
