"""Pages of city-level training plans and annual work reports (003 §七, §十一).

Units: 培训计划 (their half-year plans, a row editor and the Excel import) and 年度工作总结.
Cities: 培训计划审核 (the queue and row decisions) and 工作总结收取情况 (who has reported).
Objects come through the scoped queries (404 outside the scope); what a user may do comes
from cme.plans.permissions (403 when visible but not theirs); changes go through actions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cme.accounts.scope import acting_org, is_authority
from cme.core.errors import DomainError, PermissionDenied, shown_on_page
from cme.core.exports import xlsx_download, xlsx_response
from cme.core.forms import add_domain_error
from cme.core.import_views import report_response
from cme.plans import actions, imports
from cme.plans.forms import (
    ImportForm,
    PlanRowForm,
    PlanStartForm,
    RowDecisionForm,
    WorkReportForm,
)
from cme.plans.models import PlanRow
from cme.plans.permissions import (
    can_decide_plan,
    can_edit_plan,
    is_city_reviewer,
    is_plan_unit,
    is_work_reporter,
    report_city_of,
)
from cme.plans.queries import (
    plan_for,
    plan_import_for,
    plans_visible_to,
    review_queue_for,
    row_for,
    work_report_for,
    work_report_status,
    work_reports_visible_to,
)
from cme.plans.rows import over_cap_warning

EDITOR = "plans/partials/_editor.html"


@login_required
def plan_list(request):
    """The unit's half-year plans and the form to start one."""
    if not is_plan_unit(request.user):
        raise PermissionDenied(_("培训计划由单位账户管理员填报。"))
    form = PlanStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.start_plan(actor=request.user, **form.cleaned_data)
            return redirect("plans:detail", pk=plan.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = {"plans": plans_visible_to(request.user), "form": form}
    return render(request, "plans/plan_list.html", context)


@login_required
def review_queue(request):
    if not is_city_reviewer(request.user):
        raise PermissionDenied(_("培训计划审核仅供市州卫生健康委使用。"))
    return render(request, "plans/review_queue.html", {"plans": review_queue_for(request.user)})


def _editor_context(request, plan, *, form=None, editing=None) -> dict:
    rows = list(plan.rows.select_related("project"))
    for row in rows:
        row.warning = over_cap_warning(row.credits, plan.year)
    return {
        "plan": plan,
        "rows": rows,
        "form": form,
        "editing": editing,
        "can_edit": can_edit_plan(request.user, plan),
        "can_decide": can_decide_plan(request.user, plan),
        "decision_form": RowDecisionForm(),
    }


def _editor(request, plan, status=200, **kw):
    template = EDITOR if request.htmx else "plans/plan_detail.html"
    return render(request, template, _editor_context(request, plan, **kw), status=status)


@login_required
def plan_detail(request, pk: int):
    return _editor(request, plan_for(request.user, pk))


@login_required
def row_add(request, pk: int):
    """The row editor: GET shows the form (a fragment for HTMX), POST saves the row."""
    plan = plan_for(request.user, pk)
    if not can_edit_plan(request.user, plan):
        raise PermissionDenied(_("该培训计划当前不能修改。"))
    return _save_row(request, plan, None)


@login_required
def row_edit(request, pk: int):
    row = row_for(request.user, pk)
    if not can_edit_plan(request.user, row.plan):
        raise PermissionDenied(_("该培训计划当前不能修改。"))
    return _save_row(request, row.plan, row)


def _save_row(request, plan, row: PlanRow | None):
    if request.method != "POST":
        form = PlanRowForm.for_row(row) if row else PlanRowForm()
        return _editor(request, plan, form=form, editing=row)
    form = PlanRowForm(request.POST)
    if form.is_valid():
        try:
            actions.save_row(plan, form.cleaned_data, actor=request.user, row=row)
            if not request.htmx:
                messages.success(request, _("条目已保存。"))
                return redirect("plans:detail", pk=plan.pk)
            return _editor(request, plan)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return _editor(request, plan, status=400, form=form, editing=row)


@login_required
@require_POST
def row_delete(request, pk: int):
    row = row_for(request.user, pk)
    plan = row.plan
    actions.delete_row(row, actor=request.user)
    if request.htmx:
        return _editor(request, plan)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_submit(request, pk: int):
    plan = plan_for(request.user, pk)
    try:
        plan = actions.submit_plan(plan, actor=request.user)
        if plan.late:
            messages.warning(
                request,
                _("培训计划已报送{c}；已超过截止日期{d}，标记为逾期报送。").format(
                    c=plan.city.name, d=plan.due_on.isoformat()
                ),
            )
        else:
            messages.success(request, _("培训计划已报送{c}。").format(c=plan.city.name))
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("plans:detail", pk=plan.pk)


@login_required
def plan_template(request):
    return xlsx_download("市级继续医学教育计划申报表.xlsx", imports.plan_template())


@login_required
def import_upload(request, pk: int):
    plan = plan_for(request.user, pk)
    if not can_edit_plan(request.user, plan):
        raise PermissionDenied(_("该培训计划当前不能修改。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = imports.preview_plan_import(
                plan, form.cleaned_data["file"], actor=request.user
            )
            return redirect("plans:import", pk=record.pk)
        except DomainError as exc:
            form.add_error("file", shown_on_page(exc).message)
    context = {"plan": plan, "form": form, "history": plan.imports.all()[:10]}
    return render(request, "plans/import_upload.html", context)


@login_required
def import_report(request, pk: int):
    record = plan_import_for(request.user, pk)
    return report_response(
        request,
        record,
        page="plans/import_report.html",
        status_url=reverse("plans:import", args=[record.pk]),
        commit_url=reverse("plans:import_commit", args=[record.pk]),
        upload_url=reverse("plans:import_upload", args=[record.plan_id]),
        extra={"plan": record.plan},
    )


@login_required
@require_POST
def import_commit(request, pk: int):
    record = plan_import_for(request.user, pk)
    try:
        record = imports.commit_plan_import(record, actor=request.user)
        messages.success(
            request,
            _("导入完成：新增{c}条，更新{u}条，未变化{n}条。").format(
                c=record.created_count, u=record.updated_count, n=record.unchanged_count
            ),
        )
        return redirect("plans:detail", pk=record.plan_id)
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("plans:import", pk=record.pk)


@login_required
@require_POST
def plan_decide(request, pk: int):
    plan = plan_for(request.user, pk)
    form = RowDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结论。"))
        return redirect("plans:detail", pk=plan.pk)
    data = form.cleaned_data
    try:
        [row] = actions.decide_rows(
            plan, [(data["row"], data["approve"], data["reason"])], actor=request.user
        )
        if row.project_id:
            messages.success(
                request,
                _("已同意“{n}”，立项为市级项目{no}。").format(n=row.name, no=row.project.number),
            )
        else:
            messages.success(request, _("已不同意“{n}”。").format(n=row.name))
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_approve_all(request, pk: int):
    plan = plan_for(request.user, pk)
    try:
        rows = actions.approve_all(plan, actor=request.user)
        messages.success(request, _("已同意{n}个条目并立项为市级项目。").format(n=len(rows)))
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("plans:detail", pk=plan.pk)


# --- annual work reports ---------------------------------------------------------------------


@login_required
def work_report(request):
    """The unit's or county's own reports and the form to send this year's."""
    if not is_work_reporter(request.user):
        raise PermissionDenied(_("年度工作总结由单位账户管理员或区县卫生健康局报送。"))
    form = WorkReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.submit_work_report(actor=request.user, **form.cleaned_data)
            text = _("{y}年度工作总结已报送{c}。").format(y=report.year, c=report.city.name)
            if report.late:
                text += _("已超过截止日期{d}，标记为逾期报送。").format(d=report.due_on.isoformat())
            messages.success(request, text)
            return redirect("plans:work_report")
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = {
        "form": form,
        "reports": work_reports_visible_to(request.user),
        "city": report_city_of(acting_org(request.user)),
        "due_on": actions.work_report_due_on(timezone.localdate().year),
    }
    return render(request, "plans/work_report.html", context)


@login_required
def work_report_file(request, pk: int):
    report = work_report_for(request.user, pk)
    if not report.file:
        raise Http404
    name = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=name)


def _year(request) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


@login_required
def work_report_status_page(request):
    """工作总结收取情况: every unit and county the city expects a report from, for one year."""
    if not (is_city_reviewer(request.user) and is_authority(request.user)):
        raise PermissionDenied(_("工作总结收取情况仅供市州卫生健康委查看。"))
    city = acting_org(request.user)
    year = _year(request)
    statuses = work_report_status(city, year)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "{y}年度继续医学教育工作总结收取情况.xlsx".format(y=year),
            ["单位", "类别", "状态", "提交时间", "截止日期"],
            (
                [
                    s.org.name,
                    s.org.get_kind_display(),
                    s.label,
                    timezone.localtime(s.report.submitted_at).strftime("%Y-%m-%d %H:%M")
                    if s.report
                    else "",
                    s.report.due_on.isoformat() if s.report else "",
                ]
                for s in statuses
            ),
        )
    context = {
        "city": city,
        "year": year,
        "statuses": statuses,
        "missing": sum(s.status == "missing" for s in statuses),
        "late": sum(s.status == "late" for s in statuses),
        "due_on": actions.work_report_due_on(year),
    }
    return render(request, "plans/work_report_status.html", context)
