"""The ledger pages (SPEC §6; issue 6 §6): a learner's credits of a year against the year's
requirement, every record with its status and, while pending, who holds it now; the same
page for a unit admin or an authority looking at one of their staff, where the unit can
mark the person 不计达标 for a year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Min
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cme.core.errors import DomainError, NotFound, PermissionDenied, shown_on_page
from cme.core.forms import add_domain_error
from cme.credits import actions, ledger
from cme.credits.forms import ExemptionForm
from cme.credits.models import CreditRecord, Exemption
from cme.people.models import Person
from cme.people.queries import person_for


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() else timezone.localdate().year


def _years(person: Person, current: int) -> list[int]:
    """The years the person has records in, and this year."""
    first = CreditRecord.objects.filter(person=person).aggregate(y=Min("year"))["y"]
    this_year = timezone.localdate().year
    start = min(first or this_year, current)
    return list(range(max(this_year, current), start - 1, -1))


def _context(person: Person, year: int) -> dict:
    summary = ledger.summarise(person, year)
    today = timezone.localdate()
    for line in summary.lines:
        line.where = ledger.where_is(line.record, today)
        line.certificate = getattr(line.record, "certificate", None)
    return {
        "person": person,
        "year": year,
        "years": _years(person, year),
        "summary": summary,
        "past": year < today.year,
        "exemption": Exemption.objects.filter(person=person, year=year).first(),
    }


@login_required
def my_credits(request):
    person = (
        Person.objects.select_related("unit__licensing_authority__region")
        .filter(user=request.user)
        .first()
    )
    if person is None:
        raise NotFound("您的账户尚未关联人员信息，请联系本单位管理员。")
    from cme.audits.queries import annual_certificate_for

    year = _year(request)
    context = _context(person, year) | {
        "own": True,
        "annual": annual_certificate_for(person, year),
    }
    return render(request, "credits/ledger.html", context)


@login_required
def person_credits(request, person_pk: int):
    """A staff member's year, for their unit admin and the authorities above the unit."""
    from cme.audits.permissions import can_print_for
    from cme.audits.queries import annual_certificate_for

    person = person_for(request.user, person_pk)
    year = _year(request)
    context = _context(person, year) | {
        "own": False,
        "can_exempt": actions.can_exempt(request.user, person),
        "form": ExemptionForm(),
        "annual": annual_certificate_for(person, year)
        if can_print_for(request.user, person)
        else None,
    }
    return render(request, "credits/ledger.html", context)


@login_required
@require_POST
def exempt(request, person_pk: int):
    """不计达标 from the person's page; a refusal shows beside its field on that page."""
    person = person_for(request.user, person_pk)
    if not actions.can_exempt(request.user, person):
        raise PermissionDenied(_("只有本单位管理员可以设置不计达标。"))
    year = _year(request)
    form = ExemptionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.grant_exemption(person, year, actor=request.user, **form.cleaned_data)
            messages.success(
                request, _("已将{n}设为{y}年度不计达标。").format(n=person.name, y=year)
            )
            return redirect(
                "{u}?year={y}".format(u=reverse("credits:person", args=[person.pk]), y=year)
            )
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    context = _context(person, year) | {"own": False, "can_exempt": True, "form": form}
    return render(request, "credits/ledger.html", context, status=422)
