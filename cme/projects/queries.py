from django.db.models import Exists, OuterRef, QuerySet

from cme.accounts.scope import in_scope, one_or_404
from cme.projects.models import Project, ReviewStep


def projects_visible_to(user) -> QuerySet[Project]:
    """Declarations of the user's subtree (a unit its own, an authority everything under it)."""
    qs = Project.objects.select_related("sponsor", "declared_by", "leader", "discipline")
    return in_scope(qs, user, "declared_by")


def project_for(user, pk: int) -> Project:
    return one_or_404(projects_visible_to(user), pk)


def review_queue_for(user) -> QuerySet[ReviewStep]:
    """Steps waiting for the user's organisation whose earlier steps are all approved."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return ReviewStep.objects.none()
    waiting = ReviewStep.objects.filter(
        reviewer=membership.organisation,
        decision=ReviewStep.Decision.WAITING,
        project__state="under_review",
    ).select_related("project__sponsor", "project__declared_by", "project__leader", "reviewer")
    blocked = ReviewStep.objects.filter(
        decision=ReviewStep.Decision.WAITING,
        project_id=OuterRef("project_id"),
        round=OuterRef("round"),
        order__lt=OuterRef("order"),
    )
    return waiting.exclude(Exists(blocked))
