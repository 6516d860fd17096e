"""Audit pages (SPEC §7; issue 6 §7-10): a unit's year with every staff member's result,
its submission and each reviewer's decision; a reviewer's queue; the province's year and its
list for 人社; voiding a person's year for fraud; the policy what-if; the learner's annual
certificate. Objects come through the scoped queries (404 outside the scope); changes go
through `actions`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cme.accounts.scope import acting_org, is_authority, manages_staff
from cme.audits import actions, documents, exports, queries
from cme.audits.forms import DecisionForm, VoidConfirmForm, VoidLookupForm, WhatIfForm
from cme.audits.models import AnnualAudit, HrTransmission
from cme.audits.permissions import (
    can_decide,
    can_submit,
    can_void,
    is_province,
)
from cme.audits.whatif import what_if as run_what_if
from cme.core import idnumbers
from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied, shown_on_page
from cme.core.exports import xlsx_response
from cme.core.forms import add_domain_error
from cme.credits import ledger
from cme.credits.ledger import Result
from cme.people.models import Person
from cme.people.queries import person_for, persons_visible_to


def _last_year() -> int:
    """The year audited by default: the one just ended (003 §二十五: 完成上年度学分审核)."""
    return timezone.localdate().year - 1


def _year(request, default: int) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else default


@login_required
def index(request):
    """A unit admin goes to the unit's audit of last year, an authority to its queue."""
    org = acting_org(request.user)
    if manages_staff(request.user) and org is not None:
        return redirect("audits:unit", unit_pk=org.pk, year=_year(request, _last_year()))
    if is_authority(request.user):
        return redirect("audits:queue")
    raise PermissionDenied(_("只有单位管理员和卫生健康行政部门可以使用学分审核。"))


# --- a unit's year ------------------------------------------------------------------------------


@login_required
def unit_audit(request, unit_pk: int, year: int):
    unit = queries.unit_for_audit(request.user, unit_pk)
    audit = queries.audit_of(unit, year)
    if request.GET.get("export") == "xlsx":
        rows = queries.all_rows(
            audit,
            result=request.GET.get("result", ""),
            department=request.GET.get("department", ""),
        )
        name = "{u}_{y}年度学分审核.xlsx".format(u=unit.name, y=year)
        return xlsx_response(name, exports.UNIT_HEADERS, exports.unit_rows(rows))
    context = _unit_context(request, unit, audit)
    if request.htmx:
        return render(request, "audits/partials/_audit_table.html", context)
    return render(request, "audits/audit_unit.html", context)


def _unit_context(request, unit, audit: AnnualAudit, form: DecisionForm | None = None) -> dict:
    """The unit's year as the page shows it; `form` is a refused decision, shown again."""
    year = audit.year
    result = request.GET.get("result", "")
    department = request.GET.get("department", "")
    listing = queries.unit_list(
        audit,
        result=result,
        department=department,
        page=request.GET.get("page"),
        fresh=request.GET.get("fresh") == "1",
    )
    context = {
        "unit": unit,
        "year": year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        "audit": audit,
        "listing": listing,
        "page": listing.page,
        "result": result,
        "department": department,
        "results": [*Result.LABELS.items()]
        + ([(queries.VOIDED, _("已作废"))] if listing.snapshot else []),
        "departments": queries.departments_of(unit),
        "requirement": ledger.requirement_for(unit, year),
        "can_submit": can_submit(request.user, unit)
        and audit.state in actions.SUBMITTABLE
        and year <= timezone.localdate().year,
        "can_decide": audit.pk is not None and can_decide(request.user, audit),
        "form": form or DecisionForm(),
    }
    if request.htmx:
        return context
    if audit.pk:
        context["chain"] = queries.chain_of(audit)
        context["decisions"] = audit.decisions.select_related("organisation")
    else:
        context["chain"] = actions.reviewers_of(unit)
    if not (audit.pk and audit.shows_snapshot):
        context["pending"] = queries.pending_credits(unit, year)
    return context


@login_required
@require_POST
def submit(request, unit_pk: int, year: int):
    unit = queries.unit_for_audit(request.user, unit_pk)
    try:
        audit = actions.submit_audit(unit, year, actor=request.user)
        messages.success(
            request,
            _("{y}年度学分审核已提交{h}审核：共{n}人，达标{q}人。").format(
                y=year, h=audit.holder.name, n=audit.staff_count, q=audit.qualified_count
            ),
        )
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("audits:unit", unit_pk=unit.pk, year=year)


@login_required
@require_POST
def decide(request, pk: int):
    """A decision; a refused one (a reason left empty) is shown beside its field, and one
    someone else made first is told on the unit's page."""
    audit = queries.audit_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            audit = actions.decide_audit(audit, actor=request.user, **form.cleaned_data)
            messages.success(request, _decided_message(audit))
            return redirect("audits:queue")
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("audits:unit", unit_pk=audit.unit_id, year=audit.year)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _unit_context(request, audit.unit, audit, form)
    return render(request, "audits/audit_unit.html", context, status=422)


def _decided_message(audit: AnnualAudit) -> str:
    if audit.state == AnnualAudit.State.IN_REVIEW:
        return _("已审核通过，已报送{h}。").format(h=audit.holder.name)
    if audit.state == AnnualAudit.State.APPROVED:
        return _("{u}{y}年度学分审核已通过，达标人员可打印年度合格证明。").format(
            u=audit.unit.name, y=audit.year
        )
    if audit.state == AnnualAudit.State.RETURNED:
        return _("已退回{u}修改。").format(u=audit.unit.name)
    return _("已审核不通过。")


# --- the reviewer's queue and the province's year -----------------------------------------------


@login_required
def queue(request):
    if not is_authority(request.user):
        raise PermissionDenied(_("只有卫生健康行政部门可以审核学分。"))
    state = request.GET.get("state", "")
    qs = queries.review_queue_for(request.user, state or None)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if request.GET.get("export") == "xlsx":
        return xlsx_response("学分审核.xlsx", exports.QUEUE_HEADERS, exports.queue_rows(qs))
    states = [(s, label) for s, label in AnnualAudit.State.choices if s != "not_submitted"]
    context = {
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "state": state,
        "states": states,
        "year": year,
        "province": is_province(request.user),
        "can_void": can_void(request.user),
        "last_year": _last_year(),
    }
    return render(request, "audits/audit_queue.html", context)


@login_required
def hr_year(request, year: int):
    """The province's year: how far the audits have come, the list of 达标 persons of the
    approved audits (Excel) and whether it was sent to 人社."""
    if not is_province(request.user):
        raise PermissionDenied(_("只有省继教办可以报送人社。"))
    entries = queries.hr_entries(request.user, year)
    if request.GET.get("export") == "xlsx":
        rows = exports.hr_rows(year, entries.iterator(chunk_size=2000))
        return xlsx_response(
            "{y}年度继续医学教育学分达标人员名单.xlsx".format(y=year), exports.HR_HEADERS, rows
        )
    if request.method == "POST":
        try:
            sent = actions.mark_sent_to_hr(year, actor=request.user)
            messages.success(
                request,
                _("{y}年度达标人员名单（{n}人）已标记为报送人社。").format(y=year, n=sent.persons),
            )
        except DomainError as exc:
            messages.error(request, shown_on_page(exc).message)
        return redirect("audits:hr", year=year)
    context = {
        "year": year,
        "overview": [
            (label, queries.year_overview(request.user, year)[state])
            for state, label in AnnualAudit.State.choices
            if state != AnnualAudit.State.NOT_SUBMITTED
        ],
        "persons": entries.count(),
        "sent": HrTransmission.objects.filter(
            organisation=acting_org(request.user), year=year
        ).first(),
    }
    return render(request, "audits/hr_year.html", context)


# --- voiding a person's year --------------------------------------------------------------------


@login_required
@sensitive_post_parameters("id_number")
def void_year(request):
    """Find the person by ID number (POST), show what would be voided, then void on
    confirmation. Only people in the authority's scope are found."""
    if not can_void(request.user):
        raise PermissionDenied(_("只有卫生健康行政部门可以作废年度学分。"))
    form = VoidLookupForm(request.POST if "lookup" in request.POST else None)
    if request.method == "POST" and "confirm" in request.POST:
        return _void_confirmed(request)
    if form.is_bound and form.is_valid():
        number = idnumbers.normalise(form.cleaned_data["id_number"])
        person = persons_visible_to(request.user).filter(id_number=number).first()
        if person is None:
            form.add_error("id_number", _("在您的管理范围内没有找到该证件号码的人员。"))
        else:
            year = form.cleaned_data["year"]
            confirm = VoidConfirmForm(
                initial={"person": person.pk, "year": year, "reason": form.cleaned_data["reason"]}
            )
            context = {
                "person": person,
                "year": year,
                "reason": form.cleaned_data["reason"],
                "summary": ledger.summarise(person, year),
                "certificate": queries.annual_certificate_for(person, year),
                "confirm": confirm,
            }
            return render(request, "audits/void_confirm.html", context)
    status = 422 if form.errors else 200
    return render(request, "audits/void_form.html", {"form": form}, status=status)


def _void_confirmed(request):
    confirm = VoidConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, _("请重新查找人员。"))
        return redirect("audits:void")
    data = confirm.cleaned_data
    try:
        person = persons_visible_to(request.user).get(pk=data["person"])
    except Person.DoesNotExist:
        raise NotFound() from None
    try:
        count = actions.void_person_year(
            person, data["year"], actor=request.user, reason=data["reason"]
        )
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
        return redirect("audits:void")
    messages.success(
        request,
        _("已作废{n}{y}年度的{c}条学分记录，相关审核名单和年度合格证明已同步作废。").format(
            n=person.name, y=data["year"], c=count
        ),
    )
    return redirect(
        "{u}?year={y}".format(u=reverse("credits:person", args=[person.pk]), y=data["year"])
    )


# --- the policy what-if -------------------------------------------------------------------------


@login_required
def what_if(request):
    """Nothing is saved: the draft requirement is read from the query string."""
    if not is_authority(request.user):
        raise PermissionDenied(_("只有卫生健康行政部门可以试算年度学分要求。"))
    form = WhatIfForm(request.GET if "year" in request.GET else None)
    outcome = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        outcome = run_what_if(
            request.user,
            data["year"],
            total_min=data["total_min"],
            class1_min=data["class1_min"],
            class2_max_counted=data["class2_max_counted"],
        )
    elif not form.is_bound:
        default, _by_level = ledger.requirements_of(_last_year())
        form = WhatIfForm(
            initial={
                "year": _last_year(),
                "total_min": default.total_min,
                "class1_min": default.class1_min,
                "class2_max_counted": default.class2_max_counted,
            }
        )
    current = ledger.requirements_of(outcome.year) if outcome else None
    context = {"form": form, "outcome": outcome, "current": current}
    return render(request, "audits/what_if.html", context)


# --- the learner's annual certificate ------------------------------------------------------------


@login_required
def annual_certificate_pdf(request, year: int):
    """The learner's own 年度合格证明 of the year (from the 我的学分 page)."""
    return documents.annual_certificate_download(getattr(request.user, "person", None), year)


@login_required
def staff_certificate_pdf(request, person_pk: int, year: int):
    """A staff member's 年度合格证明, for the unit's HR and the authorities above it (from
    the person's credits page)."""
    person = person_for(request.user, person_pk)
    return documents.annual_certificate_download(person, year, printed_by=request.user)
