from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from cme.accounts.models import Role
from cme.accounts.scope import role_of
from cme.core.errors import DomainError, PermissionDenied
from cme.core.forms import StyledFormMixin, add_domain_error
from cme.projects import experts
from cme.projects.expert_models import ExpertReview
from cme.projects.queries import project_for


class ScoreForm(StyledFormMixin, forms.Form):
    score = forms.IntegerField(label=_("评分（0-100）"), min_value=0, max_value=100)
    recommendation = forms.ChoiceField(
        label=_("评审建议"), choices=ExpertReview.Recommendation.choices
    )
    opinion = forms.CharField(label=_("评审意见"), widget=forms.Textarea(attrs={"rows": 5}))


@login_required
def my_reviews(request):
    if role_of(request.user) != Role.EXPERT:
        raise PermissionDenied("专家评审页面仅供学科组专家使用。")
    return render(
        request,
        "projects/experts/my_reviews.html",
        {"reviews": experts.reviews_for_expert(request.user)},
    )


@login_required
def score(request, pk: int):
    review = experts.review_for_expert(request.user, pk)
    initial = {
        "score": review.score,
        "recommendation": review.recommendation,
        "opinion": review.opinion,
    }
    form = ScoreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            experts.submit_review(review, actor=request.user, **form.cleaned_data)
            messages.success(request, "评审意见已提交。")
            return redirect("project_experts:mine")
        except DomainError as exc:
            add_domain_error(form, exc)
    context = {
        "review": review,
        "project": review.project,
        "form": form,
        "history": experts.previous_execution(review.project),
    }
    return render(request, "projects/experts/score.html", context)


@login_required
def assign(request, pk: int):
    """The office picks experts of the discipline (never of the sponsor) and reads their scores."""
    project = project_for(request.user, pk)
    can_assign = experts.can_assign(request.user, project)
    if request.method == "POST":
        if not can_assign:
            raise PermissionDenied("只有当前审核环节的继教办可以指派专家。")
        chosen = list(experts.experts_for(project).filter(pk__in=request.POST.getlist("experts")))
        try:
            experts.assign_experts(project, chosen, actor=request.user)
            messages.success(request, "已指派{n}位专家。".format(n=len(chosen)))
            return redirect("project_experts:assign", pk=project.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    context = {
        "project": project,
        "can_assign": can_assign,
        "candidates": experts.experts_for(project) if can_assign else [],
        "summary": experts.score_summary(project),
        "history": experts.previous_execution(project),
    }
    return render(request, "projects/experts/assign.html", context)
