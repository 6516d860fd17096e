from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cme.accounts.scope import acting_org, manages_staff
from cme.core import audit, idnumbers
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.exports import xlsx_download, xlsx_response
from cme.core.forms import add_domain_error
from cme.core.import_views import commit_from_page, report_response
from cme.orgs.models import Organisation
from cme.people import actions, imports
from cme.people.forms import (
    ImportForm,
    PersonEditForm,
    PersonForm,
    TransferLookupForm,
    TransferOutForm,
)
from cme.people.models import Person, StaffImport, Transfer
from cme.people.permissions import can_edit_person, can_read_full_id
from cme.people.queries import (
    import_for,
    pending_transfer_for,
    person_for,
    persons_visible_to,
    transfer_for,
    transfer_to_accept,
    transfers_visible_to,
)


def _own_unit(request) -> Organisation:
    org = acting_org(request.user)
    if not manages_staff(request.user) or org is None:
        raise PermissionDenied("只有单位账户管理员可以管理本单位人员。")
    return org


@login_required
def person_list(request):
    qs = persons_visible_to(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        number = idnumbers.normalise(q)
        qs = (
            qs.filter(Q(name__icontains=q) | Q(id_number=number))
            if len(number) >= 15
            else qs.filter(name__icontains=q)
        )
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        qs = qs.filter(unit_id=int(unit))
    qs = qs.order_by("unit_id", "name", "id")
    if request.GET.get("export") == "xlsx":
        return _export_persons(request, qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "unit": unit}
    template = "people/partials/_person_table.html" if request.htmx else "people/person_list.html"
    return render(request, template, context)


PERSON_EXPORT_HEADERS = [
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "工作单位",
    "科室",
    "职称",
    "职称级别",
    "手机号码",
]


def _export_persons(request, qs):
    """Unit admins export their own staff with whole ID numbers (logged); everyone else masked."""
    full = manages_staff(request.user)
    if full:
        audit.record(
            "person.export",
            actor=request.user,
            scope_path=acting_org(request.user).tree_path,
            changes={"人数": qs.count()},
        )
    rows = (
        [
            p.name,
            p.get_sex_display(),
            p.get_id_type_display(),
            p.id_number if full else idnumbers.mask(p.id_number),
            p.unit.name if p.unit else "",
            p.department,
            p.title,
            p.get_title_level_display(),
            p.phone,
        ]
        for p in qs.iterator(chunk_size=2000)
    )
    return xlsx_response("人员名单.xlsx", PERSON_EXPORT_HEADERS, rows)


@login_required
@require_POST
@sensitive_post_parameters("id_number")
def person_find(request):
    """Find a person by whole ID number: a POST, so the number never lands in a URL or log."""
    number = idnumbers.normalise(request.POST.get("id_number", ""))
    person = persons_visible_to(request.user).filter(id_number=number).first() if number else None
    if person is None:
        messages.error(request, "在您的管理范围内没有找到该证件号码的人员。")
        return redirect("people:list")
    return redirect("people:detail", pk=person.pk)


@login_required
def person_detail(request, pk: int):
    person = person_for(request.user, pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "history": person.unit_history.select_related("unit"),
            "transfers": person.transfers.select_related("from_unit", "to_unit"),
            "can_edit": can_edit_person(request.user, person),
            "can_reveal": can_read_full_id(request.user, person),
        },
    )


@login_required
@require_POST
def person_reveal_id(request, pk: int):
    """The whole ID number, for roles that need it; the reading is logged."""
    person = person_for(request.user, pk)
    number = actions.reveal_id_number(person, actor=request.user)
    return HttpResponse(format_html('<code class="user-select-all">{}</code>', number))


@login_required
@sensitive_post_parameters("id_number")
def person_add(request):
    unit = _own_unit(request)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.add_person(unit, form.values(), actor=request.user)
            messages.success(request, "已录入 {n}。".format(n=person.name))
            return redirect("people:detail", pk=person.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "people/person_form.html", {"form": form, "unit": unit})


@login_required
def person_edit(request, pk: int):
    person = person_for(request.user, pk)
    if not can_edit_person(request.user, person):
        raise PermissionDenied("只有本单位账户管理员可以修改人员信息。")
    initial = {
        "name": person.name,
        "sex": person.get_sex_display(),
        "title": person.title,
        "department": person.department,
        "phone": person.phone,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_person(person, form.values(), actor=request.user)
            messages.success(request, "已保存。")
            return redirect("people:detail", pk=person.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "people/person_form.html", {"form": form, "person": person})


# --- staff import ---------------------------------------------------------------------------


@login_required
def import_template(request):
    return xlsx_download("人员名单模板.xlsx", imports.staff_template())


@login_required
def import_upload(request):
    unit = _own_unit(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = imports.preview_staff_import(
                unit, form.cleaned_data["file"], actor=request.user
            )
            return redirect("people:import_detail", pk=record.pk)
        except DomainError as exc:
            form.add_error("file", exc.message)
    history = unit.staff_imports.select_related("uploaded_by")[:20]
    return render(
        request, "people/import_upload.html", {"form": form, "unit": unit, "history": history}
    )


def _import_for(request, pk: int) -> StaffImport:
    _own_unit(request)
    return import_for(request.user, pk)


@login_required
def import_detail(request, pk: int):
    record = _import_for(request, pk)
    elapsed = (
        int((timezone.now() - record.commit_started_at).total_seconds())
        if record.commit_started_at
        else 0
    )
    return report_response(
        request,
        record,
        page="people/import_detail.html",
        status_url=reverse("people:import_detail", args=[record.pk]),
        commit_url=reverse("people:import_commit", args=[record.pk]),
        upload_url=reverse("people:import_upload"),
        elapsed=elapsed,
    )


@login_required
@require_POST
def import_commit(request, pk: int):
    record = commit_from_page(request, _import_for(request, pk), imports.queue_staff_import_commit)
    return redirect("people:import_detail", pk=record.pk)


# --- transfers (003 §十八) ------------------------------------------------------------------


@login_required
def transfer_list(request):
    qs = transfers_visible_to(request.user)
    state = request.GET.get("state", "")
    if state in Transfer.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    org = acting_org(request.user)
    return render(
        request,
        "people/transfer_list.html",
        {
            "page": page,
            "state": state,
            "states": Transfer.State.choices,
            "org": org,
            "manages": manages_staff(request.user),
        },
    )


def _unit_by_account_or_name(text: str) -> Organisation:
    text = text.strip()
    unit = Organisation.objects.filter(
        Q(provincial_account=text) | Q(name=text), status=Organisation.Status.ACTIVE
    ).first()
    if unit is None:
        raise DomainError(
            "TRANSFER_TARGET",
            "未找到调入单位“{t}”，请填写其省级账号或单位全称。".format(t=text),
            field="to_unit",
        )
    return unit


@login_required
@sensitive_post_parameters("id_number")
def transfer_out(request):
    unit = _own_unit(request)
    form = TransferOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            number = idnumbers.normalise(form.cleaned_data["id_number"])
            person = Person.objects.filter(id_number=number, unit=unit).first()
            if person is None:
                raise DomainError(
                    "PERSON_NOT_IN_UNIT", "本单位在册人员中没有该证件号码。", field="id_number"
                )
            to_unit = (
                _unit_by_account_or_name(form.cleaned_data["to_unit"])
                if form.cleaned_data["to_unit"]
                else None
            )
            transfer = actions.transfer_out(
                person, actor=request.user, to_unit=to_unit, note=form.cleaned_data["note"]
            )
            messages.success(
                request,
                "已调出 {n}，等待{u}调入。".format(
                    n=person.name, u=to_unit.name if to_unit else "新单位"
                ),
            )
            return redirect("people:transfer_detail", pk=transfer.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "people/transfer_out.html", {"form": form, "unit": unit})


@login_required
@sensitive_post_parameters("id_number")
def transfer_in(request):
    """Look a person up by full ID number among those transferred out, then accept."""
    unit = _own_unit(request)
    form = TransferLookupForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            found = pending_transfer_for(unit, form.cleaned_data["id_number"])
        except NotFound as exc:
            form.add_error("id_number", exc.message)
    pending = Transfer.objects.filter(to_unit=unit, state=Transfer.State.PENDING).select_related(
        "person", "from_unit"
    )
    return render(
        request,
        "people/transfer_in.html",
        {"form": form, "found": found, "unit": unit, "pending": pending},
    )


@login_required
def transfer_detail(request, pk: int):
    transfer = transfer_for(request.user, pk)
    return render(request, "people/transfer_detail.html", {"transfer": transfer})


@login_required
@require_POST
def transfer_accept(request, pk: int):
    unit = _own_unit(request)
    transfer = transfer_to_accept(request.user, unit, pk, request.POST.get("id_number", ""))
    try:
        actions.transfer_in(transfer, actor=request.user, unit=unit)
        messages.success(request, "已调入 {n}。".format(n=transfer.person.name))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("people:transfers")


@login_required
@require_POST
def transfer_cancel(request, pk: int):
    transfer = transfer_for(request.user, pk)
    try:
        actions.cancel_transfer(transfer, actor=request.user)
        messages.success(request, "已撤销调出，{n}回到本单位。".format(n=transfer.person.name))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("people:transfer_detail", pk=transfer.pk)
