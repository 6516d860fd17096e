"""Holding pages (SPEC §5): a project's sessions with their pre-event reports, the unit's
举办报备表 (003 附件1), and the reports an authority has received.

Views stay thin: objects come through `project_for` / `session_for` (404 outside the
scope), changes go through `cme.holding.actions`, a DomainError is shown beside its field.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cme.accounts.scope import acting_org, is_authority, role_of
from cme.core.errors import DomainError, NotFound, PermissionDenied, shown_on_page
from cme.core.exports import xlsx_response
from cme.core.forms import add_domain_error
from cme.holding import actions, documents
from cme.holding.forms import PreReportForm, SessionForm
from cme.holding.models import HeldSession, PreReport
from cme.holding.queries import (
    holdable_projects_for,
    pre_reports_for_authority,
    session_for,
    sessions_visible_to,
)
from cme.projects.queries import project_for


@login_required
def holding_index(request):
    """The approved projects of the user's scope, each with its sessions arranged."""
    qs = holdable_projects_for(request.user, actions.HOLDABLE)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    context = {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "year": _year(request),
        "is_unit": role_of(request.user) in actions.HOLDING_ROLES,
    }
    return render(request, "holding/project_list.html", context)


def requirement_rows(session: HeldSession, today: datetime.date) -> list[dict]:
    """Each pre-event report the session owes: due date, the report if any, its status."""
    reports = {r.kind: r for r in session.pre_reports.all()}
    rows = []
    for req in actions.required_pre_reports(session):
        report = reports.get(req.kind)
        if report is None:
            status, label = "missing", _("未报备")
        elif report.late:
            status, label = "late", _("逾期报备")
        else:
            status, label = "done", _("已报备")
        rows.append(
            {
                "kind": req.kind,
                "kind_label": PreReport.Kind(req.kind).label,
                "authority": req.authority,
                "due_on": req.due_on,
                "days": req.days,
                "report": report,
                "status": status,
                "status_label": label,
                "overdue": report is None and today > req.due_on,
            }
        )
    return rows


def _sessions_context(request, project, *, form=None, bound=None) -> dict:
    """`bound` = (session pk, kind, form): a pre-report form that failed, shown again."""
    today = timezone.localdate()
    holder = actions.can_hold(request.user, project)
    sessions = list(
        project.held_sessions.select_related("region__parent__parent", "project").prefetch_related(
            Prefetch("pre_reports", queryset=PreReport.objects.select_related("authority"))
        )
    )
    for session in sessions:
        session.requirements = requirement_rows(session, today)
        session.can_award, session.award_reason = actions.can_award_credits(session)
        for row in session.requirements:
            if bound and bound[0] == session.pk and bound[1] == row["kind"]:
                row["form"] = bound[2]
            elif holder:
                row["form"] = PreReportForm(prefix="{s}-{k}".format(s=session.pk, k=row["kind"]))
    return {
        "project": project,
        "sessions": sessions,
        "can_hold": holder,
        "can_add": holder and len(sessions) < project.sessions_planned,
        "form": form or (SessionForm(initial={"credits": project.credits}) if holder else None),
        "holdable": project.state in actions.HOLDABLE,
    }


@login_required
def project_sessions(request, project_pk: int):
    project = project_for(request.user, project_pk)
    form = None
    if request.method == "POST":
        if not actions.can_hold(request.user, project):
            raise PermissionDenied(_("只有申办单位可以为已批准的项目安排期次。"))
        form = SessionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                session = actions.add_session(project, actor=request.user, **form.session_values())
                messages.success(
                    request, _("已安排第{n}期，请按要求完成举办前报备。").format(n=session.number)
                )
                return redirect("holding:project_sessions", project_pk=project.pk)
            except DomainError as exc:
                add_domain_error(form, shown_on_page(exc))
    return render(
        request, "holding/session_list.html", _sessions_context(request, project, form=form)
    )


@login_required
@require_POST
def pre_report_submit(request, session_pk: int, kind: str):
    session = session_for(request.user, session_pk)
    if kind not in PreReport.Kind.values:
        raise NotFound()
    if not actions.can_hold(request.user, session.project):
        raise PermissionDenied(_("只有申办单位可以报备。"))
    form = PreReportForm(request.POST, request.FILES, prefix="{s}-{k}".format(s=session.pk, k=kind))
    if form.is_valid():
        try:
            report = actions.submit_pre_report(
                session, actor=request.user, kind=kind, **form.cleaned_data
            )
            if report.late:
                messages.warning(
                    request,
                    _("已报备{a}，但晚于最迟报备日期{d}，已标记为逾期报备。").format(
                        a=report.authority.name, d=report.due_on.isoformat()
                    ),
                )
            else:
                messages.success(request, _("已报备{a}。").format(a=report.authority.name))
            return redirect("holding:project_sessions", project_pk=session.project_id)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _sessions_context(request, session.project, bound=(session.pk, kind, form))
    return render(request, "holding/session_list.html", context, status=422)


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() else timezone.localdate().year


@login_required
def filing_form(request):
    """The unit's 举办报备表 of a year, as Excel (default) or PDF (`?format=pdf`)."""
    unit = acting_org(request.user)
    if unit is None or role_of(request.user) not in actions.HOLDING_ROLES:
        raise PermissionDenied(_("只有申办单位可以下载举办报备表。"))
    sessions = (
        sessions_visible_to(request.user)
        .filter(project__declared_by=unit, starts_on__year=_year(request))
        .order_by("starts_on", "project__number", "number")
    )
    if request.GET.get("format") == "pdf":
        return documents.filing_form_pdf(sessions, unit=unit)
    return documents.filing_form_xlsx(sessions, unit=unit)


PRE_REPORT_HEADERS = [
    "项目编号",
    "项目名称",
    "期次",
    "举办单位",
    "举办时间",
    "举办地点",
    "报备类型",
    "报备机构",
    "最迟报备日期",
    "报备时间",
    "是否逾期",
]


@login_required
def pre_report_list(request):
    if not is_authority(request.user):
        raise PermissionDenied(_("只有卫生健康行政部门可以查看举办报备。"))
    qs = pre_reports_for_authority(request.user)
    late, month = request.GET.get("late", ""), request.GET.get("month", "")
    if late == "1":
        qs = qs.filter(late=True)
    try:
        first = datetime.date.fromisoformat(month + "-01") if month else None
    except ValueError:
        first = None
    if first:
        qs = qs.filter(session__starts_on__year=first.year, session__starts_on__month=first.month)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                r.session.project.number or "",
                r.session.project.name,
                r.session.number,
                r.session.project.sponsor.name,
                "{a}至{b}".format(a=r.session.starts_on, b=r.session.ends_on),
                r.session.region.full_name + r.session.address,
                r.get_kind_display(),
                r.authority.name,
                r.due_on.isoformat(),
                timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
                "逾期" if r.late else "",
            ]
            for r in qs
        )
        return xlsx_response("举办前报备.xlsx", PRE_REPORT_HEADERS, rows)
    context = {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "filters": {"late": late, "month": month if first else ""},
    }
    template = (
        "holding/partials/_pre_report_table.html"
        if request.htmx
        else "holding/pre_report_list.html"
    )
    return render(request, template, context)
