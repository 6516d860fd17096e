"""Expert review of new declarations (issue 4 §7): the office assigns experts of the
project's discipline, never from the sponsoring unit; experts score with the project's
previous execution in view; the office decides from the scores."""

from statistics import mean

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cme.accounts.models import Role
from cme.accounts.scope import role_of
from cme.core import audit
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.projects.actions import current_step
from cme.projects.expert_models import Expert, ExpertReview
from cme.projects.models import APPROVED_STATES, Kind, Project, ReviewStep, State
from cme.projects.permissions import can_decide

EXPERT_STAGES = (ReviewStep.Stage.NATIONAL, ReviewStep.Stage.PROVINCE)


def can_assign(user, project: Project) -> bool:
    """The office whose step is waiting assigns experts to a new declaration."""
    step = current_step(project)
    return bool(
        step and step.stage in EXPERT_STAGES and project.kind == Kind.NEW and can_decide(user, step)
    )


def experts_for(project: Project) -> QuerySet[Expert]:
    """Active experts of the project's discipline group, none from the sponsor or the declaring unit."""
    if project.discipline is None:
        return Expert.objects.none()
    code = project.discipline.secondary_code
    candidates = Expert.objects.filter(active=True).exclude(
        organisation_id__in={project.sponsor_id, project.declared_by_id}
    )
    return candidates.filter(
        pk__in=[e.pk for e in candidates if code in e.discipline_codes]
    ).select_related("organisation")


@transaction.atomic
def assign_experts(project: Project, experts: list[Expert], *, actor) -> list[ExpertReview]:
    if not can_assign(actor, project):
        raise PermissionDenied("只有当前审核环节的继教办可以为新申报项目指派专家。")
    allowed = set(experts_for(project).values_list("pk", flat=True))
    for expert in experts:
        if expert.organisation_id in {project.sponsor_id, project.declared_by_id}:
            raise DomainError(
                "EXPERT_OWN_UNIT",
                "专家{n}来自申办单位，不能评审本单位的项目。".format(n=expert.name),
                field="experts",
            )
        if expert.pk not in allowed:
            raise DomainError(
                "EXPERT_DISCIPLINE",
                "专家{n}不属于本项目学科组。".format(n=expert.name),
                field="experts",
            )
    reviews = [
        ExpertReview.objects.get_or_create(
            project=project, expert=e, defaults={"assigned_by": actor}
        )[0]
        for e in experts
    ]
    audit.record(
        "project.experts",
        actor=actor,
        obj=project,
        scope_path=project.declared_by.tree_path,
        changes={"专家": [e.name for e in experts]},
    )
    return reviews


def reviews_for_expert(user) -> QuerySet[ExpertReview]:
    if role_of(user) != Role.EXPERT or not hasattr(user, "expert"):
        return ExpertReview.objects.none()
    return ExpertReview.objects.filter(expert=user.expert).select_related(
        "project__sponsor", "project__leader", "project__discipline"
    )


def review_for_expert(user, pk: int) -> ExpertReview:
    review = reviews_for_expert(user).filter(pk=pk).first()
    if review is None:
        raise NotFound()
    return review


@transaction.atomic
def submit_review(
    review: ExpertReview, *, actor, score: int, recommendation: str, opinion: str
) -> ExpertReview:
    if getattr(actor, "expert", None) != review.expert:
        raise PermissionDenied("只能提交本人的评审意见。")
    if review.project.state != State.UNDER_REVIEW:
        raise DomainError("REVIEW_CLOSED", "该项目的评审已结束。")
    if not 0 <= score <= 100:
        raise DomainError("SCORE_RANGE", "评分应在0到100之间。", field="score")
    if recommendation not in ExpertReview.Recommendation.values:
        raise DomainError("RECOMMENDATION_INVALID", "请选择评审建议。", field="recommendation")
    review.score, review.recommendation, review.opinion = score, recommendation, opinion
    review.submitted_at = timezone.now()
    review.save()
    audit.record(
        "project.expert_score",
        actor=actor,
        obj=review.project,
        scope_path=review.project.declared_by.tree_path,
        changes={"评分": score},
    )
    return review


def score_summary(project: Project) -> dict:
    """What the office decides from: each expert's score and advice, the mean, who is missing."""
    reviews = list(project.expert_reviews.select_related("expert__organisation"))
    scored = [r for r in reviews if r.submitted_at]
    return {
        "reviews": reviews,
        "scored": len(scored),
        "assigned": len(reviews),
        "mean": round(mean(r.score for r in scored), 1) if scored else None,
        "approve": sum(r.recommendation == ExpertReview.Recommendation.APPROVE for r in scored),
    }


def previous_execution(project: Project) -> dict:
    """The project's record so far (004 §六.7), shown to experts and reviewers: the project it
    continues, the leader's earlier projects and their completion, the sponsor's execution
    rate of the previous year, and the 2023 execution indicators of those projects."""
    from cme.stats.indicators import INDICATORS, indicators_for
    from cme.supervision.quotas import execution_rate

    earlier = (
        Project.objects.filter(
            leader=project.leader,
            year__lt=project.year,
            state__in=(*APPROVED_STATES, State.LAPSED, State.ANNULLED),
        )
        .select_related("sponsor")
        .order_by("-year")[:10]
        if project.leader_id
        else []
    )
    earlier = list(earlier)
    shown = [p.pk for p in earlier] + ([project.previous_id] if project.previous_id else [])
    found = indicators_for(Project.objects.filter(pk__in=shown))
    for p in earlier:
        p.indicators = found.get(p.pk)
    previous = found.get(project.previous_id)
    return {
        "previous": project.previous,
        "previous_indicators": [
            (label, group, previous.percent(key)) for key, group, label in INDICATORS
        ]
        if previous
        else [],
        "previous_score": previous.score if previous else None,
        "leader_projects": earlier,
        "sponsor_rate": execution_rate(project.sponsor, project.year - 1),
    }
