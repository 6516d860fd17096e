"""Roster pages (学员通讯录, SPEC §5): the list with pass/fail, the import with its report,
entry by hand, the check-in QR code, and the public check-in page.

The session comes through `session_for` (404 outside the scope); authorities over the
unit see the roster, only the holding unit changes it (403 otherwise), and every change
goes through `cme.holding.rosters`.
"""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cme.core import idnumbers
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.exports import xlsx_download, xlsx_response
from cme.core.forms import add_domain_error
from cme.core.import_views import commit_from_page, report_response
from cme.holding import rosters
from cme.holding.actions import can_hold
from cme.holding.forms import AttendeeForm, CheckInForm, RosterImportForm
from cme.holding.models import Attendee, HeldSession, RosterImport
from cme.holding.queries import attendee_for, roster_import_for, session_for

PAGE_SIZE = 100
CHECK_IN_ATTEMPTS = 20  # refused attempts per address and session in CHECK_IN_WINDOW seconds
CHECK_IN_WINDOW = 600


def _holder_session(request, session_pk: int) -> HeldSession:
    session = session_for(request.user, session_pk)
    if not can_hold(request.user, session.project):
        raise PermissionDenied(_("只有举办单位可以修改学员通讯录。"))
    return session


def _filtered(session: HeldSession, params) -> tuple:
    qs = session.attendees.select_related("person").order_by("id")
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(person__name__icontains=q)
    result = params.get("passed", "")
    if result in {"1", "0"}:
        qs = qs.filter(passed=result == "1")
    elif result == "none":
        qs = qs.filter(passed__isnull=True)
    if params.get("checked") == "1":
        qs = qs.filter(checked_in_at__isnull=False)
    return qs, {"q": q, "passed": result, "checked": params.get("checked", "")}


ROSTER_EXPORT_HEADERS = [*rosters.TEMPLATE_HEADERS, "签到时间"]


def _export(session: HeldSession, qs):
    """The roster as the template's columns; ID numbers masked, as on the page."""
    rows = (
        [
            n,
            a.person.name,
            a.person.get_sex_display(),
            a.person.get_id_type_display(),
            idnumbers.mask(a.person.id_number),
            a.unit_name,
            a.department,
            a.title,
            a.phone,
            a.email,
            rosters.passed_label(a.passed),
            timezone.localtime(a.checked_in_at).strftime("%Y-%m-%d %H:%M")
            if a.checked_in_at
            else "",
        ]
        for n, a in enumerate(qs.iterator(chunk_size=2000), start=1)
    )
    name = "学员通讯录-{n}-第{s}期.xlsx".format(n=session.project.number or "", s=session.number)
    return xlsx_response(name, ROSTER_EXPORT_HEADERS, rows)


@login_required
def roster(request, session_pk: int):
    session = session_for(request.user, session_pk)
    qs, filters = _filtered(session, request.GET)
    if request.GET.get("export") == "xlsx":
        return _export(session, qs)
    holder = can_hold(request.user, session.project)
    locked = session.is_reported()
    context = {
        "session": session,
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "filters": filters,
        "editable": holder and not locked,
    }
    if request.htmx:
        return render(request, "holding/partials/_attendee_table.html", context)
    context |= {
        "can_hold": holder,
        "locked": locked,
        "counts": session.attendees.aggregate(
            total=Count("id"),
            ok=Count("id", filter=Q(passed=True)),
            failed=Count("id", filter=Q(passed=False)),
            pending=Count("id", filter=Q(passed__isnull=True)),
            checked=Count("id", filter=Q(checked_in_at__isnull=False)),
        ),
        "imports": session.imports.select_related("uploaded_by")[:10] if holder else [],
        "locked_message": rosters.LOCKED_MESSAGE,
    }
    return render(request, "holding/attendee_list.html", context)


@login_required
def roster_template(request, session_pk: int):
    session_for(request.user, session_pk)
    return xlsx_download("学员通讯录模板.xlsx", rosters.roster_template())


@login_required
def roster_import(request, session_pk: int):
    session = _holder_session(request, session_pk)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = rosters.preview_roster_import(
                session, form.cleaned_data["file"], actor=request.user
            )
            return redirect("holding:roster_import_detail", pk=record.pk)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_error("file", exc.message)
    context = {
        "session": session,
        "form": form,
        "history": session.imports.select_related("uploaded_by")[:20],
        "locked": session.is_reported(),
    }
    return render(request, "holding/roster_import_upload.html", context)


def _import_for(request, pk: int) -> RosterImport:
    record = roster_import_for(request.user, pk)
    if not can_hold(request.user, record.session.project):
        raise PermissionDenied(_("只有举办单位可以查看导入记录。"))
    return record


@login_required
def roster_import_detail(request, pk: int):
    record = _import_for(request, pk)
    return report_response(
        request,
        record,
        page="holding/roster_import_detail.html",
        status_url=reverse("holding:roster_import_detail", args=[record.pk]),
        commit_url=reverse("holding:roster_import_commit", args=[record.pk]),
        upload_url=reverse("holding:roster_import", args=[record.session_id]),
        extra={"session": record.session},
    )


@login_required
@require_POST
def roster_import_commit(request, pk: int):
    record = _import_for(request, pk)
    record = commit_from_page(request, record, rosters.queue_roster_import_commit)
    return redirect("holding:roster_import_detail", pk=record.pk)


@login_required
@sensitive_post_parameters("id_number")
def attendee_add(request, session_pk: int):
    session = _holder_session(request, session_pk)
    form = AttendeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendee = rosters.add_attendee(session, form.values(), actor=request.user)
            messages.success(request, _("已将 {n} 加入学员通讯录。").format(n=attendee.person.name))
            if "again" in request.POST:
                return redirect("holding:attendee_add", session_pk=session.pk)
            return redirect("holding:roster", session_pk=session.pk)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "holding/attendee_form.html", {"session": session, "form": form})


def _changed_attendee(request, pk: int) -> Attendee:
    attendee = attendee_for(request.user, pk)
    if not can_hold(request.user, attendee.session.project):
        raise PermissionDenied(_("只有举办单位可以修改学员通讯录。"))
    return attendee


PASSED_VALUES = {"1": True, "0": False, "": None}


@login_required
@require_POST
def attendee_passed(request, pk: int):
    attendee = _changed_attendee(request, pk)
    value = request.POST.get("passed", "")
    if value not in PASSED_VALUES:
        raise NotFound()
    try:
        rosters.set_passed(attendee, PASSED_VALUES[value], actor=request.user)
    except DomainError as exc:
        if request.htmx:
            return HttpResponse(exc.message, status=409)
        messages.error(request, exc.message)
    if request.htmx:
        context = {"a": attendee, "editable": True, "session": attendee.session}
        return render(request, "holding/partials/_attendee_row.html", context)
    return redirect("holding:roster", session_pk=attendee.session_id)


@login_required
@require_POST
def attendee_remove(request, pk: int):
    attendee = _changed_attendee(request, pk)
    try:
        rosters.remove_attendee(attendee, actor=request.user)
        messages.success(request, _("已将 {n} 移出学员通讯录。").format(n=attendee.person.name))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("holding:roster", session_pk=attendee.session_id)


@login_required
@require_POST
def roster_pass_all(request, session_pk: int):
    session = _holder_session(request, session_pk)
    try:
        count = rosters.pass_everyone(session, actor=request.user)
        messages.success(request, _("已将{n}名学员设为考核合格。").format(n=count))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("holding:roster", session_pk=session.pk)


# --- check-in -----------------------------------------------------------------------------------


@login_required
def check_in_qr(request, session_pk: int):
    """The unit's page for the venue: a big QR code of the public check-in address."""
    session = _holder_session(request, session_pk)
    context = {
        "session": session,
        "today_refusal": rosters.check_in_window(session, timezone.localdate()),
        "checked": session.attendees.filter(checked_in_at__isnull=False).count(),
        "total": session.attendees.count(),
    }
    if session.check_in_token:
        url = rosters.check_in_url(session)
        context |= {
            "url": url,
            "qr_svg": segno.make(url, error="m").svg_inline(border=2, omitsize=True, light="#fff"),
        }
    return render(request, "holding/check_in_qr.html", context)


@login_required
@require_POST
def check_in_open(request, session_pk: int):
    session = _holder_session(request, session_pk)
    try:
        rosters.open_check_in(session, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("holding:check_in_qr", session_pk=session.pk)


@login_required
@require_POST
def check_in_close(request, session_pk: int):
    session = _holder_session(request, session_pk)
    rosters.close_check_in(session, actor=request.user)
    messages.success(request, _("签到已关闭，原二维码已失效。"))
    return redirect("holding:check_in_qr", session_pk=session.pk)


def _too_many_attempts(request, session: HeldSession) -> bool:
    key = "check-in:{s}:{a}".format(s=session.pk, a=request.META.get("REMOTE_ADDR", ""))
    return cache.get(key, 0) >= CHECK_IN_ATTEMPTS


def _count_refusal(request, session: HeldSession) -> None:
    key = "check-in:{s}:{a}".format(s=session.pk, a=request.META.get("REMOTE_ADDR", ""))
    if not cache.add(key, 1, CHECK_IN_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, CHECK_IN_WINDOW)


@sensitive_post_parameters("id_number")
def check_in(request, token: str):
    """签到 (public, no login): 姓名 + 证件号码 against the roster; nothing about who is on it
    is shown — only this person's own result, with the ID masked."""
    session = rosters.session_for_check_in(token)
    if session is None:
        return render(request, "holding/check_in.html", {"closed": True}, status=404)
    form = CheckInForm(request.POST or None)
    context = {"session": session, "form": form}
    refusal = rosters.check_in_window(session, timezone.localdate())
    if refusal is not None:
        context["refusal"] = refusal.message
    elif request.method == "POST" and form.is_valid():
        if _too_many_attempts(request, session):
            context["refusal"] = _("尝试次数过多，请稍后再试或联系主办方。")
            return render(request, "holding/check_in.html", context, status=429)
        try:
            attendee, first = rosters.check_in(
                session, name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"]
            )
        except DomainError as exc:
            _count_refusal(request, session)
            add_domain_error(form, exc)
        else:
            context |= {
                "done": attendee,
                "first": first,
                "masked": idnumbers.mask(attendee.person.id_number),
            }
            context["form"] = None
    return render(request, "holding/check_in.html", context)
