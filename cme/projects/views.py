"""Declaration pages (SPEC §3-4): the list, starting a declaration, its five edit tabs,
the detail page and submission, the review queue and the decision page.

Views stay thin: objects come through `project_for` (404 outside the scope), every change
goes through `cme.projects.actions`, and a DomainError is shown beside its field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, role_of
from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied, shown_on_page
from cme.core.exports import xlsx_response
from cme.core.forms import add_domain_error
from cme.people.titles import TITLES
from cme.projects import actions, experts
from cme.projects.forms import (
    EVALUATION_LEVELS,
    NEEDS_SOURCES,
    AttachmentForm,
    BasicForm,
    BatchDecisionForm,
    CoursesEditor,
    DecisionForm,
    LeaderForm,
    SessionsEditor,
    StartForm,
    current_content,
    field_label,
    labels_of,
)
from cme.projects.models import (
    APPROVED_STATES,
    Attachment,
    Kind,
    Level,
    Project,
    ReviewStep,
    State,
)
from cme.projects.permissions import (
    EDITABLE_STATES,
    can_decide,
    can_declare_for,
    can_edit,
    can_submit,
)
from cme.projects.queries import project_for, projects_visible_to, review_queue_for
from cme.projects.rules import check_declaration

TABS = [
    ("basic", gettext_lazy("基本信息")),
    ("leader", gettext_lazy("项目负责人")),
    ("courses", gettext_lazy("课程与教师")),
    ("sessions", gettext_lazy("期次与地点")),
    ("attachments", gettext_lazy("附件")),
]
TAB_FIELDS = {
    "leader": {"leader", "leader_phone", "academic_leader", "technical_leader"},
    "courses": {"teachers", "lessons"},
    "sessions": {"planned_sessions", "sessions"},
    "attachments": {"attachments"},
}
SENSITIVE = ("leader_id_number", "academic_leader_id_number")


def tab_of(field: str) -> str:
    """The edit tab a finding's or a comment's field lives on ("teachers.3" → courses)."""
    name = (field or "").split(".")[0]
    return next((tab for tab, names in TAB_FIELDS.items() if name in names), "basic")


def _check(project: Project) -> list:
    try:
        return check_declaration(project)
    except DomainError as exc:  # e.g. the year's policy is missing: say so, do not crash
        error = shown_on_page(exc)
        return [{"rule_id": error.code, "level": "error", "field": "", "message": error.message}]


def _findings(findings, *, project: Project, link_tabs: bool = False, **extra) -> dict:
    rows = []
    for f in findings:
        row = f.as_dict() if hasattr(f, "as_dict") else dict(f)
        row["tab"] = tab_of(row.get("field", ""))
        row["field_label"] = field_label(row["field"]) if row.get("field") else ""
        rows.append(row)
    rows.sort(key=lambda r: r["level"] != "error")
    errors = sum(r["level"] == "error" for r in rows)
    return {
        "project": project,
        "findings": rows,
        "error_count": errors,
        "warning_count": len(rows) - errors,
        "link_tabs": link_tabs,
        **extra,
    }


def _declaration(project: Project) -> dict:
    """Everything the read-only partials show (detail page and decision page)."""
    lessons = list(project.lessons.select_related("teacher"))
    steps = list(
        project.review_steps.select_related("reviewer", "decided_by").order_by("round", "order")
    )
    for step in steps:
        step.comment_rows = [(field_label(k), v) for k, v in (step.field_comments or {}).items()]
    attachments = {}
    for attachment in project.attachments.all():
        attachments.setdefault(attachment.kind, attachment)
    return {
        "project": project,
        "teachers": list(project.teachers.all()),
        "lessons": lessons,
        "total_hours": sum((x.hours for x in lessons), start=0),
        "sessions": list(project.planned_sessions.select_related("region__parent__parent")),
        "attachment_rows": [
            {"kind": kind, "label": label, "current": attachments.get(kind)}
            for kind, label in Attachment.Kind.choices
        ],
        "steps": steps,
        "needs_labels": labels_of(project.needs_sources, NEEDS_SOURCES),
        "evaluation_labels": labels_of(project.evaluation_levels, EVALUATION_LEVELS),
    }


# -- list and export ---------------------------------------------------------------------

EXPORT_HEADERS = [
    "项目编号",
    "项目名称",
    "年度",
    "级别",
    "类型",
    "申办单位",
    "负责人",
    "状态",
    "更新时间",
]


@login_required
def project_list(request):
    qs = projects_visible_to(request.user)
    years = list(qs.order_by("-year").values_list("year", flat=True).distinct())
    year, level, state = (request.GET.get(k, "") for k in ("year", "level", "state"))
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if level in Level.values:
        qs = qs.filter(level=level)
    if state in State.values:
        qs = qs.filter(state=state)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                p.number or "",
                p.name,
                p.year,
                p.get_level_display(),
                p.get_kind_display(),
                p.sponsor.name,
                p.leader.name if p.leader else "",
                p.get_state_display(),
                timezone.localtime(p.updated_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for p in qs.iterator(chunk_size=2000)
        )
        return xlsx_response("项目申报.xlsx", EXPORT_HEADERS, rows)
    org = acting_org(request.user)
    context = {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "filters": {"year": year, "level": level, "state": state},
        "years": years,
        "levels": Level.choices,
        "states": State.choices,
        "can_start": org is not None and can_declare_for(request.user, org),
        "publish_levels": [(v, Level(v).label) for v in PUBLISHERS.get(role_of(request.user), [])],
        "this_year": timezone.localdate().year,
    }
    template = (
        "projects/partials/_project_table.html" if request.htmx else "projects/project_list.html"
    )
    return render(request, template, context)


# -- start -------------------------------------------------------------------------------


@login_required
def project_start(request):
    org = acting_org(request.user)
    if org is None or not can_declare_for(request.user, org):
        raise PermissionDenied(_("只有本单位账户管理员、分会秘书或项目负责人可以申报。"))

    def candidates(year: int):
        return projects_visible_to(request.user).filter(
            declared_by=org, year=year - 1, state__in=APPROVED_STATES
        )

    year = request.GET.get("year", "")
    initial = {"year": int(year) if year.isdigit() else timezone.localdate().year + 1}
    form = StartForm(request.POST or None, initial=initial, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.start_declaration(
                actor=request.user, declared_by=org, **form.start_values()
            )
            messages.success(request, _("已创建申报草稿，请逐页填写。"))
            return redirect("projects:edit", pk=project.pk, tab="basic")
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return render(request, "projects/project_start.html", {"form": form, "org": org})


# -- the five edit tabs ------------------------------------------------------------------


def _save_fields(request, project: Project, form) -> bool:
    """Save what is valid (a draft keeps what is right so far); True if all of it was."""
    valid = form.is_valid()
    values = form.valid_values()
    if values:
        try:
            actions.save_draft(project, values, actor=request.user)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
            return False
    return valid


def _save_content(request, project: Project, editor, *, files: bool) -> bool:
    if not editor.is_valid():
        return False
    current, evidence = current_content(project)
    content, evidence = editor.content(current, evidence, with_files=files)
    if editor.row_errors:
        return False
    for index, file in evidence.items():
        if index < len(content.get("teachers", [])):
            content["teachers"][index]["consent_evidence"] = file
    try:
        actions.replace_content(project, content, actor=request.user)
    except DomainError as exc:
        editor.error = shown_on_page(exc).message
        return False
    return True


def _basic_tab(request, project, *, post: bool, files: bool = True) -> dict:
    form = BasicForm(request.POST if post else None, project=project)
    return {"form": form, "saved": post and _save_fields(request, project, form)}


def _leader_tab(request, project, *, post: bool, files: bool = True) -> dict:
    form = LeaderForm(request.POST if post else None, project=project)
    return {"form": form, "saved": post and _save_fields(request, project, form)}


def _courses_tab(request, project, *, post: bool, files: bool = True) -> dict:
    editor = CoursesEditor(
        project,
        request.POST if post else None,
        request.FILES if post and files else None,
    )
    saved = post and _save_content(request, project, editor, files=files)
    return {
        "editor": editor,
        "saved": saved,
        "title_names": sorted(TITLES),
        "total_hours": sum((x.hours for x in project.lessons.all()), start=0),
    }


def _sessions_tab(request, project, *, post: bool, files: bool = True) -> dict:
    editor = SessionsEditor(project, request.POST if post else None)
    return {
        "editor": editor,
        "saved": post and _save_content(request, project, editor, files=False),
    }


def _attachments_tab(request, project, *, post: bool, files: bool = True) -> dict:
    bound = AttachmentForm(request.POST, request.FILES, auto_id="id_upload_%s") if post else None
    saved = False
    if bound is not None and bound.is_valid():
        actions.attach_file(
            project,
            kind=bound.cleaned_data["kind"],
            file=bound.cleaned_data["file"],
            actor=request.user,
        )
        saved = True
    current = {}
    for attachment in project.attachments.all():
        current.setdefault(attachment.kind, attachment)
    rows = []
    for kind, label in Attachment.Kind.choices:
        form = bound if bound is not None and bound.data.get("kind") == kind and not saved else None
        form = form or AttachmentForm(initial={"kind": kind}, auto_id="id_" + kind + "_%s")
        rows.append({"kind": kind, "label": label, "current": current.get(kind), "form": form})
    return {"attachment_rows": rows, "saved": saved}


TAB_HANDLERS = {
    "basic": _basic_tab,
    "leader": _leader_tab,
    "courses": _courses_tab,
    "sessions": _sessions_tab,
    "attachments": _attachments_tab,
}


def _returned_step(project: Project) -> ReviewStep | None:
    if project.state != State.RETURNED:
        return None
    return (
        project.review_steps.filter(decision=ReviewStep.Decision.RETURNED)
        .select_related("reviewer")
        .order_by("-round", "-order")
        .first()
    )


def _form_errors(ctx: dict) -> list[tuple[str, str]]:
    form = ctx.get("form")
    if form is None:
        return []
    return [
        (str(form.fields[name].label) if name in form.fields else "", " ".join(errors))
        for name, errors in form.errors.items()
    ]


@login_required
@sensitive_post_parameters(*SENSITIVE)
def project_edit(request, pk: int, tab: str):
    project = project_for(request.user, pk)
    if tab not in TAB_HANDLERS:
        raise NotFound()
    if not can_edit(request.user, project):
        if can_declare_for(request.user, project.declared_by):
            messages.info(
                request,
                _("该申报当前为“{state}”，不能修改。").format(state=project.get_state_display()),
            )
            return redirect("projects:detail", pk=project.pk)
        raise PermissionDenied(_("该申报当前不能修改。"))
    ctx = TAB_HANDLERS[tab](request, project, post=request.method == "POST")
    if request.method == "POST":
        if request.htmx:
            findings = _findings(
                _check(project),
                project=project,
                link_tabs=True,
                autosaved=ctx["saved"],
                autosave_errors=_form_errors(ctx),
                now=timezone.now(),
            )
            return render(request, "projects/partials/_findings.html", findings)
        if ctx["saved"]:
            messages.success(request, _("已保存。"))
            return redirect("projects:edit", pk=project.pk, tab=tab)
    returned = _returned_step(project)
    comments = returned.field_comments if returned else {}
    findings = _findings(_check(project), project=project, link_tabs=True)
    if ctx.get("form") is not None:
        ctx["form"].attach_comments(comments)
        ctx["form"].attach_findings(findings["findings"])
    counts = {}
    for key in comments:
        counts[tab_of(key)] = counts.get(tab_of(key), 0) + 1
    return render(
        request,
        "projects/project_edit.html",
        {
            **ctx,
            **findings,
            "tab": tab,
            "tabs": [(slug, label, counts.get(slug, 0)) for slug, label in TABS],
            "tab_template": "projects/partials/_tab_{t}.html".format(t=tab),
            "returned": returned,
            "comments": comments,
            "comment_rows": [(field_label(k), v, tab_of(k)) for k, v in comments.items()],
        },
    )


@login_required
@require_POST
@sensitive_post_parameters(*SENSITIVE)
def project_check(request, pk: int):
    """Run the rules without saving: the open tab's unsaved input is applied inside a
    transaction that is rolled back."""
    project = project_for(request.user, pk)
    tab = request.POST.get("tab", "")
    editable = can_edit(request.user, project)
    if tab in TAB_HANDLERS and tab != "attachments" and editable:
        with transaction.atomic():
            TAB_HANDLERS[tab](request, project, post=True, files=False)
            findings = _check(project)
            transaction.set_rollback(True)
        project.refresh_from_db()
    else:
        findings = _check(project)
    context = _findings(findings, project=project, link_tabs=editable, checked_at=timezone.now())
    return render(request, "projects/partials/_findings.html", context)


# -- detail and submission ---------------------------------------------------------------


@login_required
def project_detail(request, pk: int):
    project = project_for(request.user, pk)
    live = project.state in EDITABLE_STATES
    step = actions.current_step(project)
    editable = can_edit(request.user, project)
    return render(
        request,
        "projects/project_detail.html",
        {
            **_declaration(project),
            **_findings(
                _check(project) if live else project.findings, project=project, link_tabs=editable
            ),
            "live": live,
            "can_edit": editable,
            "can_submit": can_submit(request.user, project),
            "my_step": step if step is not None and can_decide(request.user, step) else None,
            "current_step": step,
        },
    )


@login_required
@require_POST
def project_submit(request, pk: int):
    project = project_for(request.user, pk)
    try:
        project = actions.submit_declaration(project, actor=request.user)
        step = actions.current_step(project)
        messages.success(
            request,
            _("已提交，等待{reviewer}审核。").format(reviewer=step.reviewer.name if step else ""),
        )
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("projects:detail", pk=project.pk)


# -- review ------------------------------------------------------------------------------


@login_required
def review_queue(request):
    qs = review_queue_for(request.user).order_by("project__submitted_at", "pk")
    return render(
        request,
        "projects/review_queue.html",
        {"page": Paginator(qs, 50).get_page(request.GET.get("page")), "form": BatchDecisionForm()},
    )


@login_required
@require_POST
def review_batch(request):
    form = BatchDecisionForm(request.POST)
    ids = [int(x) for x in request.POST.getlist("steps") if x.isdigit()]
    steps = list(review_queue_for(request.user).filter(pk__in=ids))
    if not form.is_valid() or not steps:
        messages.error(request, _("请勾选要审核的项目并选择审核结论。"))
        return redirect("projects:review_queue")
    done, failed = actions.batch_decide(
        steps,
        actor=request.user,
        decision=form.cleaned_data["decision"],
        comment=form.cleaned_data["comment"],
    )
    if done:
        messages.success(request, _("已审核{n}项。").format(n=done))
    for line in failed:
        messages.error(request, line)
    return redirect("projects:review_queue")


def _step_for(user, step_pk: int) -> tuple[ReviewStep, Project]:
    """The step and its project: 404 when the project is outside the user's scope."""
    step = ReviewStep.objects.select_related("reviewer").filter(pk=step_pk).first()
    if step is None:
        raise NotFound()
    return step, project_for(user, step.project_id)


@login_required
def review_decide(request, step_pk: int):
    step, project = _step_for(request.user, step_pk)
    if not can_decide(request.user, step):
        raise PermissionDenied(_("该环节不由您审核。"))
    is_current = step == actions.current_step(project)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            step = actions.decide(
                step,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                field_comments=form.field_comments(),
            )
            messages.success(
                request,
                _("已审核：{name} · {decision}").format(
                    name=project.name, decision=step.get_decision_display()
                ),
            )
            return redirect("projects:review_queue")
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("projects:review", step_pk=step.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return render(
        request,
        "projects/review_decide.html",
        {
            **_declaration(project),
            **_findings(_check(project), project=project),
            "step": step,
            "is_current": is_current,
            "form": form,
            "expert_summary": experts.score_summary(project) if project.kind == Kind.NEW else None,
            "can_assign_experts": experts.can_assign(request.user, project),
            "history": experts.previous_execution(project),
        },
    )


PUBLISHERS = {
    Role.PROVINCIAL_OFFICE: [Level.PROVINCIAL],
    Role.NATIONAL_OFFICE: [Level.NATIONAL],
    Role.CITY_REVIEWER: [Level.CITY],
    Role.SYSTEM_ADMIN: list(Level.values),
}


@login_required
@require_POST
def project_publish(request):
    """公布: the approving office makes a year's approved projects of its level public."""
    year, level = request.POST.get("year", ""), request.POST.get("level", "")
    if not year.isdigit() or level not in PUBLISHERS.get(role_of(request.user), []):
        raise PermissionDenied(_("您无权公布该级别的项目。"))
    count = actions.publish_year(int(year), level, actor=request.user)
    messages.success(
        request,
        _("已公布{year}年度{level}项目{n}项。").format(
            year=year, level=Level(level).label, n=count
        ),
    )
    return redirect("projects:list")
