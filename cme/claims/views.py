"""Pages: a learner's claims (申报学分, 我的申报), the review queue of a unit or a city
(学分审核) with the claim's detail and decision, and a unit's academic activities
(单位学术活动). Objects come through the scoped queries (404 outside the scope); every
change goes through `actions`."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cme.accounts.scope import acting_org
from cme.claims import actions, activities
from cme.claims.forms import ActivityForm, ClaimForm, DecisionForm
from cme.claims.permissions import (
    can_decide,
    can_record_activity,
    can_resubmit,
    can_review_claims,
    is_claimant,
    is_returned,
)
from cme.claims.queries import (
    activities_visible_to,
    activity_for,
    claim_for,
    claims_decided_by,
    claims_held_by,
    my_claims,
    year_cap_of,
    year_cap_used,
)
from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied, shown_on_page
from cme.core.forms import add_domain_error
from cme.credits import ledger
from cme.credits.models import CreditRecord
from cme.people.models import Person

CLAIM_FIELDS = (
    "source",
    "year",
    "title",
    "activity_date",
    "quantity",
    "amount",
    "hours",
    "certificate_number",
)


def _claimant(request) -> Person:
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotFound(_("您的账户尚未关联人员信息，请联系本单位管理员。"))
    return person


def where(record: CreditRecord, today=None) -> str:
    """What the claimant and the reviewers read in the status column."""
    if is_returned(record):
        return _("已退回修改：{r}").format(r=record.status_reason)
    return ledger.where_is(record, today)


def _with_where(page) -> None:
    today = timezone.localdate()
    for record in page:
        record.where = where(record, today)


def _claim_args(data: dict) -> dict:
    return {
        "source": data["source"],
        "year": data["year"],
        "title": data["title"],
        "activity_date": data["activity_date"],
        "quantity": data.get("quantity"),
        "amount": data.get("amount"),
        "hours": data.get("hours"),
        "certificate_number": data.get("certificate_number") or "",
    }


def _submitted_message(record: CreditRecord) -> str:
    text = _("已提交，等待{h}审核。").format(h=record.holder.name)
    return text + (record.note or "")


# --- the learner -------------------------------------------------------------------------------


@login_required
def claim_list(request):
    """我的申报: every claim with its status and who holds it now."""
    person = _claimant(request)
    page = Paginator(my_claims(request.user), 50).get_page(request.GET.get("page"))
    _with_where(page)
    return render(request, "claims/claim_list.html", {"page": page, "person": person})


def _render_form(request, form, template: str, context: dict):
    if request.htmx and request.method == "GET":
        return render(request, "claims/partials/_claim_fields.html", {"form": form})
    status = 422 if form.errors else 200
    return render(request, template, context | {"form": form}, status=status)


@login_required
def claim_new(request):
    """申报学分. Choosing a source reloads the fields it needs (HTMX; without JavaScript
    every field shows and the action says what is missing)."""
    person = _claimant(request)
    initial = {"year": timezone.localdate().year}
    initial |= {k: request.GET[k] for k in CLAIM_FIELDS if request.GET.get(k)}
    form = ClaimForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.submit_claim(
                person,
                actor=request.user,
                evidence=form.cleaned_data["evidence"],
                **_claim_args(form.cleaned_data),
            )
            messages.success(request, _submitted_message(record))
            return redirect("claims:detail", pk=record.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return _render_form(request, form, "claims/claim_form.html", {"person": person})


@login_required
def claim_edit(request, pk: int):
    """A returned claim, corrected and sent to the unit again."""
    record = claim_for(request.user, pk)
    if not can_resubmit(request.user, record):
        raise PermissionDenied(_("只有被退回修改的本人申报可以修改后重新提交。"))
    initial = {name: getattr(record, name) for name in CLAIM_FIELDS if name != "source"}
    initial["source"] = record.source_id
    initial["amount"] = record.amount
    initial |= {k: request.GET[k] for k in CLAIM_FIELDS if request.GET.get(k)}
    form = ClaimForm(
        request.POST or None, request.FILES or None, initial=initial, evidence_required=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.resubmit_claim(
                record,
                actor=request.user,
                evidence=form.cleaned_data.get("evidence"),
                **_claim_args(form.cleaned_data),
            )
            messages.success(request, _submitted_message(record))
            return redirect("claims:detail", pk=record.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = {"person": record.person, "record": record}
    return _render_form(request, form, "claims/claim_form.html", context)


# --- one claim, for the claimant and its reviewers -------------------------------------------------


def _year_used(record: CreditRecord) -> Decimal | None:
    """Valid credits of the person's year under the same yearly cap, if the source has one."""
    cap = year_cap_of(record.source)
    if cap is None:
        return None
    return year_cap_used(record.person_id, cap, record.year, exclude_pk=record.pk)


def _detail_context(request, record: CreditRecord, form=None) -> dict:
    reviews = list(record.reviews.select_related("organisation", "decided_by"))
    decide = can_decide(request.user, record)
    next_holder = None
    if decide and not actions.is_last_step(record):
        next_holder = actions.claim_reviewer_above(record.holder)
    return {
        "record": record,
        "reviews": reviews,
        "where": where(record),
        "own": is_claimant(request.user, record),
        "can_decide": decide,
        "next_holder": next_holder,
        "can_resubmit": can_resubmit(request.user, record),
        "year_used": _year_used(record),
        "form": form or DecisionForm(),
    }


@login_required
def claim_detail(request, pk: int):
    record = claim_for(request.user, pk)
    return render(request, "claims/claim_detail.html", _detail_context(request, record))


DECIDED = {
    "approve": gettext_lazy("已审核通过。"),
    "return": gettext_lazy("已退回本人修改。"),
    "reject": gettext_lazy("已不予认可。"),
}


@login_required
@require_POST
def claim_decide(request, pk: int):
    record = claim_for(request.user, pk)
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision", "")
    if form.is_valid():
        try:
            actions.decide_claim(
                record, actor=request.user, decision=decision, reason=form.cleaned_data["reason"]
            )
            messages.success(request, DECIDED[decision])
            return redirect("claims:queue")
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("claims:detail", pk=record.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _detail_context(request, record, form)
    return render(request, "claims/claim_detail.html", context, status=422)


_CONTENT_TYPES = (
    (b"%PDF", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8", "image/jpeg"),
)


@login_required
def claim_evidence(request, pk: int):
    """The evidence, through the claim's scope (never a public media URL), typed by its
    content so a stored name can never make it HTML."""
    record = claim_for(request.user, pk)
    if not record.evidence:
        raise Http404
    handle = record.evidence.open("rb")
    head = handle.read(8)
    handle.seek(0)
    content_type = next((t for sig, t in _CONTENT_TYPES if head.startswith(sig)), None)
    name = record.evidence.name.rsplit("/", 1)[-1]
    if content_type is None:
        return FileResponse(handle, as_attachment=True, filename=name)
    return FileResponse(handle, content_type=content_type, filename=name)


# --- the reviewers -------------------------------------------------------------------------------


@login_required
def claim_queue(request):
    """学分审核: the claims the user's unit or authority holds now (longest waiting first),
    or those it has decided."""
    if not can_review_claims(request.user):
        raise PermissionDenied(_("只有单位管理员和卫生健康行政部门可以审核学分申报。"))
    tab = request.GET.get("tab", "pending")
    qs = claims_decided_by(request.user) if tab == "decided" else claims_held_by(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    _with_where(page)
    return render(request, "claims/claim_queue.html", {"page": page, "tab": tab})


# --- unit activities -----------------------------------------------------------------------------


@login_required
def activity_list(request):
    """单位学术活动 of the user's unit (or, for an authority, of the units below it)."""
    if not can_review_claims(request.user):
        raise PermissionDenied(_("只有单位管理员和卫生健康行政部门可以查看单位学术活动。"))
    qs = activities_visible_to(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "year": year,
        "can_add": can_record_activity(request.user, acting_org(request.user)),
    }
    return render(request, "claims/activity_list.html", context)


@login_required
@sensitive_post_parameters("lecturers", "participants")
def activity_new(request):
    unit = acting_org(request.user)
    if not can_record_activity(request.user, unit):
        raise PermissionDenied(_("只有本单位管理员可以录入本单位的学术活动。"))
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = activities.record_unit_activity(
                unit, actor=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                _("已录入“{t}”：主讲人{a}人，参加人员{b}人，学分已生效。").format(
                    t=activity.title, a=activity.lecturer_count, b=activity.participant_count
                ),
            )
            return redirect("claims:activity", pk=activity.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = {"form": form, "unit": unit}
    status = 422 if form.errors else 200
    return render(request, "claims/activity_form.html", context, status=status)


@login_required
def activity_detail(request, pk: int):
    activity = activity_for(request.user, pk)
    records = activity.records.select_related("person").order_by("-role", "person__name", "pk")
    return render(
        request, "claims/activity_detail.html", {"activity": activity, "records": records}
    )
