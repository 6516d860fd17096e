"""Distance-learning pages (003 §十二): the provider's filings, courses and completion
reports; the city's filings to decide, courses, batches to review and records to void.

Objects come through the scoped queries (404 outside the scope: another city sees nothing);
what a user may do comes from cme.distance.permissions (403 when visible but not theirs);
every change goes through cme.distance.filings / completions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cme.accounts.scope import is_authority
from cme.core.errors import DomainError, PermissionDenied, shown_on_page
from cme.core.exports import xlsx_download
from cme.core.forms import add_domain_error
from cme.core.import_views import commit_from_page, report_response
from cme.distance import completions, filings
from cme.distance.forms import CourseForm, DecisionForm, FilingForm, ImportForm, ReasonForm
from cme.distance.models import CompletionImport, Course, ProviderFiling
from cme.distance.permissions import (
    can_decide_filing,
    can_report,
    is_city_reviewer,
    is_provider,
    owns_filing,
)
from cme.distance.queries import (
    batch_for,
    batch_records,
    batches_visible_to,
    course_for,
    distance_record_for,
    filing_for,
    filings_visible_to,
    review_queue_for,
)

PAGE_SIZE = 50


@login_required
def filing_list(request):
    """The provider's own filings, or the filings made with the authority's cities."""
    provider, city = is_provider(request.user), is_city_reviewer(request.user)
    if not provider and not is_authority(request.user):
        raise PermissionDenied(_("远程教育备案仅供远程教育机构和卫生健康行政部门查看。"))
    qs = (
        filings_visible_to(request.user)
        .annotate(
            filed_courses=Count("courses", filter=Q(courses__state=Course.State.FILED)),
            waiting_courses=Count("courses", filter=Q(courses__state=Course.State.SUBMITTED)),
        )
        .order_by("-submitted_at", "-id")
    )
    state = request.GET.get("state", "")
    if state in ProviderFiling.State.values:
        qs = qs.filter(state=state)
    context = {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "states": ProviderFiling.State.choices,
        "state": state,
        "is_provider": provider,
        "queue": review_queue_for(request.user)[:20] if city else [],
    }
    if request.htmx:
        return render(request, "distance/partials/_filing_table.html", context)
    return render(request, "distance/filing_list.html", context)


@login_required
def filing_apply(request):
    if not is_provider(request.user):
        raise PermissionDenied(_("只有远程教育机构可以申请备案。"))
    form = FilingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = filings.apply_for_filing(actor=request.user, **form.cleaned_data)
            messages.success(request, _("备案申请已提交，等待{c}审核。").format(c=filing.city.name))
            return redirect("distance:filing", pk=filing.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return render(request, "distance/filing_form.html", {"form": form})


def _filing_context(request, filing: ProviderFiling, **forms) -> dict:
    user = request.user
    decide = can_decide_filing(user, filing)
    courses = filing.courses.select_related("decided_by").order_by("-year", "name")
    batches = (
        batches_visible_to(user)
        .filter(filing=filing)
        .annotate(records=Count("completions"), credits=Sum("completions__record__amount"))
        .order_by("-created_at", "-id")
    )
    return {
        "filing": filing,
        "courses": courses,
        "batches": batches[:50],
        "can_decide": decide and filing.state == ProviderFiling.State.SUBMITTED,
        "can_revoke": decide and filing.is_filed,
        "can_decide_courses": decide and filing.is_filed,
        "can_report": can_report(user, filing),
        "owns": owns_filing(user, filing),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "revoke_form": forms.get("revoke_form") or ReasonForm(),
        "revocable_from": filings.revocable_from_year(),
    }


@login_required
def filing_detail(request, pk: int):
    filing = filing_for(request.user, pk)
    return render(request, "distance/filing_detail.html", _filing_context(request, filing))


@login_required
@require_POST
def filing_decide(request, pk: int):
    filing = filing_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            filings.decide_filing(
                filing, actor=request.user, accept=form.accept, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已作出备案审核决定。"))
            return redirect("distance:filing", pk=filing.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _filing_context(request, filing, decision_form=form)
    return render(request, "distance/filing_detail.html", context, status=400)


@login_required
@require_POST
def filing_revoke(request, pk: int):
    filing = filing_for(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            count = filings.revoke_filing(
                filing, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request, _("备案已撤销，作废该机构报送的学分记录{n}条。").format(n=count)
            )
            return redirect("distance:filing", pk=filing.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _filing_context(request, filing, revoke_form=form)
    return render(request, "distance/filing_detail.html", context, status=400)


@login_required
def filing_qualification(request, pk: int):
    """The qualification document, through the filing's scope (never a public media URL)."""
    filing = filing_for(request.user, pk)
    if not filing.qualification:
        raise Http404
    name = filing.qualification.name.rsplit("/", 1)[-1]
    return FileResponse(filing.qualification.open("rb"), as_attachment=True, filename=name)


# --- courses ---------------------------------------------------------------------------------


@login_required
def course_add(request, pk: int):
    filing = filing_for(request.user, pk)
    if not can_report(request.user, filing):
        raise PermissionDenied(_("只有已备案的远程教育机构可以报送课程。"))
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = filings.file_course(filing, actor=request.user, **form.cleaned_data)
            messages.success(request, _("课程“{n}”已报送备案。").format(n=course.name))
            return redirect("distance:filing", pk=filing.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return render(request, "distance/course_form.html", {"form": form, "filing": filing})


@login_required
def course_detail(request, pk: int):
    course = course_for(request.user, pk)
    filing = course.filing
    context = {
        "course": course,
        "filing": filing,
        "credits": filings.credits_for(course),
        "can_decide": can_decide_filing(request.user, filing)
        and filing.is_filed
        and course.state == Course.State.SUBMITTED,
        "form": DecisionForm(),
        "completions": course.completions.filter(live=True).count(),
    }
    return render(request, "distance/course_detail.html", context)


@login_required
@require_POST
def course_decide(request, pk: int):
    course = course_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            filings.decide_course(
                course, actor=request.user, accept=form.accept, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已作出课程备案决定。"))
            return redirect("distance:filing", pk=course.filing_id)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = {
        "course": course,
        "filing": course.filing,
        "credits": filings.credits_for(course),
        "can_decide": True,
        "form": form,
        "completions": course.completions.filter(live=True).count(),
    }
    return render(request, "distance/course_detail.html", context, status=400)


# --- completion reports ------------------------------------------------------------------------


@login_required
def completion_template(request):
    return xlsx_download("远程学习记录模板.xlsx", completions.completion_template())


@login_required
def completion_upload(request, pk: int):
    filing = filing_for(request.user, pk)
    if not owns_filing(request.user, filing):
        raise PermissionDenied(_("只有该远程教育机构可以报送学习记录。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = completions.preview_completion_import(
                filing, form.cleaned_data["file"], actor=request.user
            )
            return redirect("distance:batch", pk=batch.pk)
        except DomainError as exc:
            form.add_error("file", shown_on_page(exc).message)
    context = {
        "filing": filing,
        "form": form,
        "can_report": can_report(request.user, filing),
        "history": filing.imports.select_related("uploaded_by")[:20],
    }
    return render(request, "distance/completion_upload.html", context)


@login_required
def batch_detail(request, pk: int):
    """The provider's import report and, once committed, the batch the city reviews."""
    batch = batch_for(request.user, pk)
    filing = batch.filing
    records = batch_records(batch)
    decide = can_decide_filing(request.user, filing)
    extra = {
        "batch": batch,
        "filing": filing,
        "page": Paginator(records, 100).get_page(request.GET.get("page")),
        "totals": records.aggregate(n=Count("pk"), credits=Sum("amount")),
        "can_review": decide and batch.review == CompletionImport.Review.PENDING,
        "can_void": decide,
        "owns": owns_filing(request.user, filing),
        "form": DecisionForm(),
        "void_form": ReasonForm(),
    }
    return report_response(
        request,
        batch,
        page="distance/batch_detail.html",
        status_url=reverse("distance:batch", args=[batch.pk]),
        commit_url=reverse("distance:batch_commit", args=[batch.pk]),
        upload_url=reverse("distance:completion_upload", args=[filing.pk]),
        extra=extra,
    )


@login_required
@require_POST
def batch_commit(request, pk: int):
    batch = batch_for(request.user, pk)
    if not owns_filing(request.user, batch.filing):
        raise PermissionDenied(_("只有该远程教育机构可以报送学习记录。"))
    batch = commit_from_page(request, batch, completions.queue_completion_commit)
    return redirect("distance:batch", pk=batch.pk)


@login_required
@require_POST
def batch_review(request, pk: int):
    batch = batch_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            completions.review_batch(
                batch, actor=request.user, accept=form.accept, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已作出学习记录审核决定。"))
        except DomainError as exc:
            messages.error(request, shown_on_page(exc).message)
    else:
        messages.error(request, _("请选择审核结论。"))
    return redirect("distance:batch", pk=batch.pk)


@login_required
@require_POST
def record_void(request, pk: int):
    record = distance_record_for(request.user, pk)
    form = ReasonForm(request.POST)
    batch_pk = record.distance_completion.batch_id
    if form.is_valid():
        try:
            completions.void_record(record, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(
                request,
                _("已作废{n}的学分记录“{t}”。").format(n=record.person.name, t=record.title),
            )
        except DomainError as exc:
            messages.error(request, shown_on_page(exc).message)
    else:
        messages.error(request, _("请填写作废原因。"))
    return redirect("distance:batch", pk=batch_pk)
