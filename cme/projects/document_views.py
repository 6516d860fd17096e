"""Pages of the printed documents (申报表 PDF, summary tables) and of the imported
published lists (公布名单导入). Thin: scope comes from `projects_visible_to` /
`project_for` / `in_scope`, the work from `documents` and `published`."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cme.accounts.scope import acting_org, in_scope, scope_path
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.forms import StyledFormMixin
from cme.orgs.models import Organisation
from cme.projects import documents, published
from cme.projects.models import (
    Level,
    PlannedSession,
    Project,
    PublishedListImport,
    PublishedProject,
    State,
)
from cme.projects.queries import project_for, projects_visible_to

# Declarations that are not in a summary: not yet submitted, or refused.
NOT_SUMMARISED = (State.DRAFT, State.REJECTED)


def _require_scope(user) -> None:
    if scope_path(user) is None:
        raise PermissionDenied("您的角色没有可汇总的申报项目。")


def _year(request, qs: QuerySet[Project]) -> int:
    """?year=, else the latest year with declarations in scope, else next year."""
    value = request.GET.get("year", "").strip()
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    latest = qs.order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year + 1


def _declarations(request, level: str | None) -> QuerySet[Project]:
    _require_scope(request.user)
    qs = projects_visible_to(request.user).exclude(state__in=NOT_SUMMARISED)
    qs = qs.filter(year=_year(request, qs))
    if level:
        qs = qs.filter(level=level)
    return (
        qs.select_related("previous")
        .prefetch_related(
            Prefetch(
                "planned_sessions",
                queryset=PlannedSession.objects.select_related("region__parent__parent"),
            )
        )
        .order_by("declared_by__tree_path", "sponsor__name", "name", "id")
    )


@login_required
def index(request):
    """The downloads, and the declarations of the year in scope with their printable forms."""
    _require_scope(request.user)
    visible = projects_visible_to(request.user)
    years = list(visible.order_by("-year").values_list("year", flat=True).distinct())
    year = _year(request, visible)
    org = acting_org(request.user)
    projects = visible.filter(year=year).order_by("level", "declared_by__tree_path", "name", "id")
    return render(
        request,
        "projects/documents/index.html",
        {
            "years": years,
            "year": year,
            "page": Paginator(projects, 50).get_page(request.GET.get("page")),
            "filled_by": request.user.get_full_name(),
            "phone": request.user.phone or (org.phone if org else ""),
            "can_import": published.can_import_published(request.user),
        },
    )


@login_required
def application_form(request, pk: int):
    project = project_for(request.user, pk)
    response = HttpResponse(documents.application_form_pdf(project), content_type="application/pdf")
    name = "继续医学教育项目申报表-{n}.pdf".format(n=project.number or project.pk)
    response["Content-Disposition"] = "inline; filename*=UTF-8''" + quote(name)
    return response


@login_required
def national_summary(request):
    return documents.national_summary(_declarations(request, Level.NATIONAL).iterator(500))


@login_required
def provincial_summary(request):
    return documents.provincial_summary(_declarations(request, Level.PROVINCIAL).iterator(500))


@login_required
def society_summary(request):
    """002 附件2 for the user's own unit (a society, a branch, or any declaring unit)."""
    level = request.GET.get("level", "")
    projects = _declarations(request, level if level in Level.values else None)
    org = acting_org(request.user)
    unit = org or Organisation(name=request.user.get_full_name())
    filled_by = request.GET.get("filled_by", "").strip()[:64] or request.user.get_full_name()
    phone = request.GET.get("phone", "").strip()[:32] or request.user.phone or unit.phone
    return documents.society_summary(projects, unit=unit, filled_by=filled_by, phone=phone)


@login_required
def contacts(request):
    _require_scope(request.user)
    organisations = in_scope(
        Organisation.objects.filter(status=Organisation.Status.ACTIVE), request.user, ""
    ).order_by("tree_path")
    return documents.contacts(organisations.iterator(2000))


# --- published lists (公布名单) -------------------------------------------------------------


class PublishedImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("公布名单文件（.xlsx / .xls / .csv）"))


@login_required
def published_list(request):
    qs = PublishedProject.objects.all()
    year, level, q = (request.GET.get(k, "").strip() for k in ("year", "level", "q"))
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if level in Level.values:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(number__icontains=q)
            | Q(sponsor_name__icontains=q)
            | Q(leader_name__icontains=q)
            | Q(discipline_name__icontains=q)
        )
    return render(
        request,
        "projects/documents/published_list.html",
        {
            "page": Paginator(qs.order_by("-year", "number"), 50).get_page(request.GET.get("page")),
            "filters": {"year": year, "level": level, "q": q},
            "levels": Level.choices,
            "can_import": published.can_import_published(request.user),
        },
    )


def _importer(request) -> None:
    if not published.can_import_published(request.user):
        raise PermissionDenied("只有省继教办、全国继委会办公室或系统管理员可以导入公布名单。")


@login_required
def published_import(request):
    _importer(request)
    form = PublishedImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = published.preview_published_import(
                form.cleaned_data["file"], actor=request.user
            )
            return redirect("project_documents:published_import_detail", pk=record.pk)
        except DomainError as exc:
            form.add_error("file", exc.message)
    history = PublishedListImport.objects.select_related("uploaded_by")[:20]
    return render(
        request,
        "projects/documents/published_import.html",
        {"form": form, "history": history},
    )


def _record(request, pk: int) -> PublishedListImport:
    _importer(request)
    try:
        return PublishedListImport.objects.get(pk=pk)
    except PublishedListImport.DoesNotExist:
        raise NotFound() from None


@login_required
def published_import_detail(request, pk: int):
    record = _record(request, pk)
    errors = Paginator(record.errors, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/documents/published_import_detail.html",
        {"record": record, "errors": errors},
    )


@login_required
@require_POST
def published_import_commit(request, pk: int):
    record = _record(request, pk)
    try:
        record = published.commit_published_import(record, actor=request.user)
        messages.success(
            request,
            "导入完成：新增{c}条，更新{u}条，未变化{n}条。".format(
                c=record.created_count, u=record.updated_count, n=record.unchanged_count
            ),
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    return redirect("project_documents:published_import_detail", pk=record.pk)
