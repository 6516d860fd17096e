"""A session's own pages: its lessons and their changes, the execution report, its review,
the credits it awards, and the learners' evaluation (SPEC §5; 001 附件2-3; 004 §六.4-6).

Objects come through `session_for` / `report_for` (404 outside the scope); changes go
through `changes` and `reports`; a DomainError is shown beside its field or at the top.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cme.accounts.scope import is_authority
from cme.core.errors import DomainError, NotFound, PermissionDenied, shown_on_page
from cme.core.exports import xlsx_response
from cme.core.forms import add_domain_error
from cme.core.idnumbers import validate_resident_id
from cme.credits.awards import plan_awards
from cme.credits.models import CreditRecord
from cme.holding import actions, changes, reports
from cme.holding.archive import archive_until
from cme.holding.models import Attendee, ExecutionReport, HeldSession
from cme.holding.queries import (
    attendance_for_person,
    report_for,
    reports_for_reviewer,
    session_for,
)
from cme.holding.report_forms import (
    EvaluationForm,
    LeaderChangeForm,
    ReportForm,
    ReturnForm,
    lesson_rows,
)
from cme.people.models import Person
from cme.people.titles import TitleLevel
from cme.projects.queries import project_for


def _report_of(session: HeldSession) -> ExecutionReport | None:
    try:
        return session.execution_report
    except ExecutionReport.DoesNotExist:
        return None


@login_required
def session_detail(request, session_pk: int):
    """Everything about one session on one page: pre-reports, lessons and changes, the
    roster's counts, the execution report and the credits."""
    session = session_for(request.user, session_pk)
    report = _report_of(session)
    summary = changes.session_summary(session)
    records = None
    if report and report.state != ExecutionReport.State.DRAFT:
        records = CreditRecord.objects.filter(session=session).select_related("person")
    attendees = Attendee.objects.filter(session=session)
    context = {
        "session": session,
        "project": session.project,
        "holder": actions.can_hold(request.user, session.project),
        "lessons": session.lessons.all(),
        "summary": summary,
        "report": report,
        "plan": plan_awards(session),
        "records": records[:200] if records is not None else None,
        "record_count": records.count() if records is not None else 0,
        "roster": {
            "total": attendees.count(),
            "passed": attendees.filter(passed=True).count(),
            "failed": attendees.filter(passed=False).count(),
            "checked_in": attendees.filter(checked_in_at__isnull=False).count(),
        },
        "ended": timezone.localdate() >= session.ends_on,
        "can_review": report is not None and reports.can_review(request.user, report),
        "archive_until": archive_until(session.project),
    }
    return render(request, "holding/session_detail.html", context)


# --- changes ----------------------------------------------------------------------------------


def _change_context(session, rows, summary, *, error=None):
    planned = {lesson.pk: lesson for lesson in session.project.lessons.select_related("teacher")}
    return {
        "session": session,
        "project": session.project,
        "rows": [(row, planned.get(row.planned_id)) for row in rows],
        "summary": summary,
        "error": error,
        "levels": TitleLevel.choices,
        "blank_rows": range(3),
        "locked": session.is_reported(),
    }


@login_required
def session_changes(request, session_pk: int):
    """The session's lessons as actually given, with the change against the approved plan
    computed as the sponsor types (HTMX) and again when saving."""
    session = session_for(request.user, session_pk)
    if not actions.can_hold(request.user, session.project):
        raise PermissionDenied(_("只有申办单位可以变更期次的课程安排。"))
    if request.method != "POST":
        rows = [changes.row_of(lesson) for lesson in session.lessons.all()]
        context = _change_context(session, rows, changes.session_summary(session))
        return render(request, "holding/session_changes.html", context)
    try:
        rows = lesson_rows(request.POST)
    except DomainError as exc:
        return render(
            request,
            "holding/partials/_change_summary.html"
            if request.htmx
            else "holding/session_changes.html",
            _change_context(session, [], None, error=shown_on_page(exc)),
            status=422,
        )
    if request.POST.get("preview"):
        summary = changes.measure(session.project, rows)
        return render(
            request,
            "holding/partials/_change_summary.html",
            {"summary": summary, "session": session},
        )
    try:
        changes.save_lessons(
            session, rows, actor=request.user, confirm_beyond=bool(request.POST.get("confirm"))
        )
    except DomainError as exc:
        summary = changes.measure(session.project, rows) if rows else None
        context = _change_context(session, rows, summary, error=shown_on_page(exc))
        return render(request, "holding/session_changes.html", context, status=422)
    messages.success(request, _("课程安排已保存。"))
    return redirect("holding:session_detail", session_pk=session.pk)


@login_required
def leader_change(request, project_pk: int):
    project = project_for(request.user, project_pk)
    if not actions.can_hold(request.user, project):
        raise PermissionDenied(_("只有申办单位可以变更项目负责人。"))
    form = LeaderChangeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            number = validate_resident_id(
                form.cleaned_data["new_leader_id_number"], field="new_leader_id_number"
            )
            new_leader = Person.objects.filter(id_number=number).first()
            if new_leader is None:
                raise DomainError(
                    "LEADER_UNKNOWN",
                    "平台中没有该证件号码的人员，请先由其单位登记。",
                    field="new_leader_id_number",
                )
            change = changes.replace_leader(
                project,
                actor=request.user,
                new_leader=new_leader,
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
            )
            messages.success(
                request,
                _("项目负责人已变更为{n}，已报{o}备案。").format(
                    n=change.new.name, o=change.filed_with.name
                ),
            )
            return redirect("holding:project_sessions", project_pk=project.pk)
        except DomainError as exc:
            exc = shown_on_page(exc)
            if exc.field == "new_leader":
                exc.field = "new_leader_id_number"
            add_domain_error(form, exc)
    context = {"project": project, "form": form, "history": project.leader_changes.all()}
    return render(request, "holding/leader_change.html", context)


# --- the execution report ----------------------------------------------------------------------


@login_required
def report_edit(request, session_pk: int):
    session = session_for(request.user, session_pk)
    report = _report_of(session)
    if report is None:
        if request.method != "POST":
            raise Http404
        try:
            report = reports.open_report(session, actor=request.user)
        except DomainError as exc:
            messages.error(request, shown_on_page(exc).message)
            return redirect("holding:session_detail", session_pk=session.pk)
        return redirect("holding:report_edit", session_pk=session.pk)
    holder = actions.can_hold(request.user, session.project)
    editable = holder and report.state in reports.EDITABLE
    form = ReportForm(instance=report)
    if request.method == "POST" and editable and "from_learners" in request.POST:
        respondents, counts = reports.counts_from_learners(report)
        reports.save_report(
            report, actor=request.user, respondents=respondents, evaluation_counts=counts
        )
        messages.success(request, _("已按{n}份学员在线评估汇总。").format(n=respondents))
        return redirect("holding:report_edit", session_pk=session.pk)
    if request.method == "POST" and editable:
        form = ReportForm(request.POST, request.FILES, instance=report)
        if form.is_valid():
            try:
                reports.save_report(report, actor=request.user, **form.report_values())
                if "submit" in request.POST:
                    plan = reports.submit_report(report, actor=request.user)
                    report.refresh_from_db()
                    text = _("执行情况已报送{r}，{n}条学分记录待审核通过后生效。").format(
                        r=report.reviewer.name, n=len(plan.awards)
                    )
                    if report.late:
                        text += _("（晚于最迟报送日期{d}，已标记为逾期）").format(d=report.due_on)
                    messages.success(request, text)
                    return redirect("holding:session_detail", session_pk=session.pk)
                messages.success(request, _("已保存草稿。"))
                return redirect("holding:report_edit", session_pk=session.pk)
            except DomainError as exc:
                add_domain_error(form, shown_on_page(exc))
    elif request.method == "POST":
        raise PermissionDenied(_("执行情况已报送，不能修改。"))
    report.refresh_from_db()
    context = _report_context(request, report) | {"form": form, "editable": editable}
    return render(request, "holding/report_edit.html", context, status=422 if form.errors else 200)


def _report_context(request, report: ExecutionReport) -> dict:
    session = report.session
    attendees = Attendee.objects.filter(session=session)
    counts = report.evaluation_counts or {}
    percents = reports.percentages(counts, report.respondents)
    return {
        "report": report,
        "session": session,
        "project": session.project,
        "problems": reports.report_problems(report),
        "participants": attendees.count(),
        "passed": attendees.filter(passed=True).count(),
        "learner_evaluations": attendees.filter(evaluation__isnull=False).count(),
        "evaluation": [
            (
                q,
                [
                    (c, (counts.get(q.key) or {}).get(c, 0), (percents.get(q.key) or {}).get(c))
                    for c in q.choices
                ],
            )
            for q in reports.QUESTIONS
        ],
        "levels": [
            (n, name, (report.effect_levels or {}).get(str(n), ""))
            for n, name in reports.EFFECT_LEVELS
        ],
        "lessons": session.lessons.all(),
        "summary": changes.session_summary(session),
        "plan": plan_awards(session),
        "requirements": actions.required_pre_reports(session),
        "missing_pre_reports": actions.missing_pre_reports(session),
        "today": timezone.localdate(),
    }


@login_required
def report_review(request, session_pk: int):
    session = session_for(request.user, session_pk)
    report = report_for(session)
    form = ReturnForm(request.POST or None)
    if request.method == "POST":
        if not reports.can_review(request.user, report):
            raise PermissionDenied(_("只有该项目执行情况的审核单位可以审核。"))
        if form.is_valid():
            approve = request.POST.get("decision") == "approve"
            try:
                reports.decide_report(
                    report, actor=request.user, approve=approve, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _("已审核通过，学分已生效。") if approve else _("已退回申办单位修改。"),
                )
                return redirect("holding:report_queue")
            except DomainError as exc:
                add_domain_error(form, shown_on_page(exc))
    context = _report_context(request, report) | {
        "form": form,
        "can_review": reports.can_review(request.user, report)
        and report.state == ExecutionReport.State.SUBMITTED,
    }
    return render(
        request, "holding/report_review.html", context, status=422 if form.errors else 200
    )


QUEUE_HEADERS = [
    "项目编号",
    "项目名称",
    "期次",
    "申办单位",
    "举办时间",
    "报送时间",
    "是否逾期报送",
    "最迟审核日期",
    "状态",
]


@login_required
def report_queue(request):
    """Reports sent to the reviewer's authority; overdue reviews first and marked."""
    if not is_authority(request.user):
        raise PermissionDenied(_("只有卫生健康行政部门可以审核执行情况。"))
    state = request.GET.get("state", ExecutionReport.State.SUBMITTED)
    qs = reports_for_reviewer(request.user)
    if state in ExecutionReport.State.values:
        qs = qs.filter(state=state)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                r.session.project.number or "",
                r.session.project.name,
                r.session.number,
                r.session.project.sponsor.name,
                "{a}至{b}".format(a=r.session.starts_on, b=r.session.ends_on),
                timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M")
                if r.submitted_at
                else "",
                "逾期" if r.late else "",
                r.review_due_on.isoformat() if r.review_due_on else "",
                r.get_state_display(),
            ]
            for r in qs
        )
        return xlsx_response("执行情况审核.xlsx", QUEUE_HEADERS, rows)
    context = {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "state": state,
        "states": ExecutionReport.State.choices,
        "today": timezone.localdate(),
    }
    return render(request, "holding/report_queue.html", context)


# --- learners ----------------------------------------------------------------------------------


@login_required
def my_sessions(request):
    """The sessions a learner attended, with the evaluation to fill and the credits."""
    person = getattr(request.user, "person", None)
    if person is None:
        return render(request, "holding/my_sessions.html", {"rows": []})
    credits = {
        r.session_id: r for r in CreditRecord.objects.filter(person=person, session__isnull=False)
    }
    rows = [(a, credits.get(a.session_id)) for a in attendance_for_person(person)]
    return render(request, "holding/my_sessions.html", {"rows": rows})


@login_required
def evaluate(request, attendee_pk: int):
    person = getattr(request.user, "person", None)
    attendee = (
        Attendee.objects.select_related("session__project")
        .filter(pk=attendee_pk, person=person)
        .first()
        if person
        else None
    )
    if attendee is None:
        raise NotFound()
    existing = getattr(attendee, "evaluation", None)
    form = EvaluationForm(request.POST or None, initial=existing.answers if existing else None)
    if request.method == "POST" and form.is_valid():
        try:
            reports.submit_evaluation(attendee, actor=request.user, answers=form.cleaned_data)
            messages.success(request, _("感谢您的评估。"))
            return redirect("holding:my_sessions")
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = {"attendee": attendee, "form": form, "session": attendee.session}
    return render(request, "holding/evaluate.html", context, status=422 if form.errors else 200)
