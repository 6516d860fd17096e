"""Society annual meeting pages (002 §四.三): the society records the meeting and its
attendance and submits it; the provincial office confirms or refuses it. Meetings come
through `meeting_for` (404 outside the scope); changes go through cme.distance.meetings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cme.accounts.scope import acting_org, is_authority
from cme.core.errors import DomainError, PermissionDenied, shown_on_page
from cme.core.exports import xlsx_download
from cme.core.forms import add_domain_error
from cme.core.import_views import commit_from_page, report_response
from cme.distance import meetings
from cme.distance.forms import AttendeeForm, DecisionForm, ImportForm, MeetingForm
from cme.distance.models import AnnualMeeting
from cme.distance.permissions import (
    can_confirm_meetings,
    can_edit_meeting,
    is_society_admin,
    owns_meeting,
)
from cme.distance.queries import (
    attendance_import_for,
    attendee_for,
    meeting_for,
    meetings_visible_to,
)

PAGE_SIZE = 50


@login_required
def meeting_list(request):
    if not is_society_admin(request.user) and not is_authority(request.user):
        raise PermissionDenied(_("学术年会仅供学会、协会和卫生健康行政部门查看。"))
    qs = meetings_visible_to(request.user).annotate(attendee_count=Count("attendees"))
    qs = qs.order_by("-year", "-starts_on", "-id")
    state = request.GET.get("state", "")
    if state in AnnualMeeting.State.values:
        qs = qs.filter(state=state)
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        qs = qs.filter(year=int(year))
    context = {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "states": AnnualMeeting.State.choices,
        "state": state,
        "year": year,
        "is_society": is_society_admin(request.user),
        "can_confirm": can_confirm_meetings(request.user),
    }
    if request.htmx:
        return render(request, "distance/partials/_meeting_table.html", context)
    return render(request, "distance/meeting_list.html", context)


@login_required
def meeting_add(request):
    if not is_society_admin(request.user):
        raise PermissionDenied(_("只有学会、协会的单位账户可以登记学术年会。"))
    form = MeetingForm(
        request.POST or None, request.FILES or None, society=acting_org(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.record_meeting(actor=request.user, **form.cleaned_data)
            messages.success(request, _("学术年会已登记，请导入或录入参会名单后报送。"))
            return redirect("distance:meeting", pk=meeting.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return render(request, "distance/meeting_form.html", {"form": form})


def _meeting_context(request, meeting: AnnualMeeting, **forms) -> dict:
    user = request.user
    attendees = meeting.attendees.select_related("person__unit", "record").order_by("pk")
    q = request.GET.get("q", "").strip()
    if q:
        attendees = attendees.filter(person__name__icontains=q)
    owner = owns_meeting(user, meeting)
    return {
        "meeting": meeting,
        "page": Paginator(attendees, 100).get_page(request.GET.get("page")),
        "q": q,
        "count": meeting.attendees.count(),
        "editable": can_edit_meeting(user, meeting),
        "owns": owner,
        "can_decide": can_confirm_meetings(user) and meeting.state == AnnualMeeting.State.SUBMITTED,
        "attendee_form": forms.get("attendee_form") or AttendeeForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "imports": meeting.imports.select_related("uploaded_by")[:10] if owner else [],
    }


@login_required
def meeting_detail(request, pk: int):
    meeting = meeting_for(request.user, pk)
    return render(request, "distance/meeting_detail.html", _meeting_context(request, meeting))


@login_required
def meeting_plan(request, pk: int):
    meeting = meeting_for(request.user, pk)
    if not meeting.plan_document:
        raise Http404
    name = meeting.plan_document.name.rsplit("/", 1)[-1]
    return FileResponse(meeting.plan_document.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
@sensitive_post_parameters("id_number")
def attendee_add(request, pk: int):
    meeting = meeting_for(request.user, pk)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            attendee = meetings.add_attendee(meeting, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已将 {n} 加入参会名单。").format(n=attendee.person.name))
            return redirect("distance:meeting", pk=meeting.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _meeting_context(request, meeting, attendee_form=form)
    return render(request, "distance/meeting_detail.html", context, status=400)


@login_required
@require_POST
def attendee_remove(request, pk: int):
    attendee = attendee_for(request.user, pk)
    try:
        meetings.remove_attendee(attendee, actor=request.user)
        messages.success(request, _("已将 {n} 移出参会名单。").format(n=attendee.person.name))
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("distance:meeting", pk=attendee.meeting_id)


@login_required
@require_POST
def meeting_submit(request, pk: int):
    meeting = meeting_for(request.user, pk)
    try:
        meetings.submit_meeting(meeting, actor=request.user)
        messages.success(request, _("已报送省继教办确认。"))
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("distance:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_decide(request, pk: int):
    meeting = meeting_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            meetings.decide_meeting(
                meeting,
                actor=request.user,
                confirm=form.accept,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已作出学术年会确认决定。"))
            return redirect("distance:meeting", pk=meeting.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _meeting_context(request, meeting, decision_form=form)
    return render(request, "distance/meeting_detail.html", context, status=400)


# --- attendance import -------------------------------------------------------------------------


@login_required
def attendance_template(request):
    return xlsx_download("学术年会参会名单模板.xlsx", meetings.attendance_template())


@login_required
def attendance_upload(request, pk: int):
    meeting = meeting_for(request.user, pk)
    if not owns_meeting(request.user, meeting):
        raise PermissionDenied(_("只有举办年会的学会可以修改参会名单。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = meetings.preview_attendance_import(
                meeting, form.cleaned_data["file"], actor=request.user
            )
            return redirect("distance:attendance_import", pk=record.pk)
        except DomainError as exc:
            form.add_error("file", shown_on_page(exc).message)
    context = {
        "meeting": meeting,
        "form": form,
        "editable": meeting.editable,
        "history": meeting.imports.select_related("uploaded_by")[:20],
    }
    return render(request, "distance/attendance_upload.html", context)


def _own_import(request, pk: int):
    record = attendance_import_for(request.user, pk)
    if not owns_meeting(request.user, record.meeting):
        raise PermissionDenied(_("只有举办年会的学会可以查看导入记录。"))
    return record


@login_required
def attendance_import(request, pk: int):
    record = _own_import(request, pk)
    return report_response(
        request,
        record,
        page="distance/attendance_import.html",
        status_url=reverse("distance:attendance_import", args=[record.pk]),
        commit_url=reverse("distance:attendance_commit", args=[record.pk]),
        upload_url=reverse("distance:attendance_upload", args=[record.meeting_id]),
        extra={"meeting": record.meeting},
    )


@login_required
@require_POST
def attendance_commit(request, pk: int):
    record = _own_import(request, pk)
    record = commit_from_page(request, record, meetings.queue_attendance_commit)
    return redirect("distance:attendance_import", pk=record.pk)
