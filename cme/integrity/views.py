"""Integrity alert pages (诚信预警): the authority's list with counts per rule, an alert
with the records it names, the decision that closes it, and a scan of the subtree."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cme.core.errors import DomainError, NotFound, PermissionDenied, shown_on_page
from cme.core.forms import add_domain_error
from cme.integrity import actions
from cme.integrity.forms import DecideForm, ScanForm
from cme.integrity.models import IntegrityAlert
from cme.integrity.permissions import can_decide, can_view_alerts
from cme.integrity.queries import alert_for, alerts_visible_to, counts_by_rule
from cme.integrity.rules import RULES, rule_choices
from cme.supervision.queries import sanction_for


def _authority(request) -> None:
    if not can_view_alerts(request.user):
        raise PermissionDenied("诚信预警仅供主管部门查看和处理。")


def _filtered(request, qs: QuerySet[IntegrityAlert]) -> tuple[QuerySet, QuerySet, dict]:
    """(rows, rows before the rule filter — for the counts, the filters)."""
    state = request.GET.get("state", IntegrityAlert.State.OPEN)
    if state in IntegrityAlert.State.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        qs = qs.filter(year=int(year))
    rule = request.GET.get("rule", "")
    rows = qs.filter(rule=rule) if rule in RULES else qs
    return rows, qs, {"state": state, "year": year, "rule": rule if rule in RULES else ""}


@login_required
def alert_list(request):
    _authority(request)
    rows, unfiltered, filters = _filtered(request, alerts_visible_to(request.user))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = counts_by_rule(unfiltered)
    context = {
        "page": page,
        "rules": [
            (rule_id, title, counts.get(rule_id, {"open": 0, "total": 0}))
            for rule_id, title in rule_choices()
        ],
        "states": IntegrityAlert.State.choices,
        "scan_form": ScanForm(),
        **filters,
    }
    template = (
        "integrity/partials/_alert_table.html" if request.htmx else "integrity/alert_list.html"
    )
    return render(request, template, context)


def _detail(request, alert: IntegrityAlert, form: DecideForm, status: int = 200):
    return render(
        request,
        "integrity/alert_detail.html",
        {
            "alert": alert,
            "source": RULES[alert.rule].source if alert.rule in RULES else "",
            "can_decide": alert.is_open and can_decide(request.user, alert),
            "form": form,
        },
        status=status,
    )


@login_required
def alert_detail(request, pk: int):
    _authority(request)
    return _detail(request, alert_for(request.user, pk), DecideForm())


@login_required
@require_POST
def alert_decide(request, pk: int):
    _authority(request)
    alert = alert_for(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sanction = None
            if data["sanction"]:
                try:
                    sanction = sanction_for(request.user, data["sanction"])
                except NotFound:
                    raise DomainError(
                        "SANCTION_NOT_FOUND",
                        "在您的管理范围内没有编号为{n}的处理决定。".format(n=data["sanction"]),
                        field="sanction",
                    ) from None
            actions.decide_alert(
                alert,
                actor=request.user,
                decision=data["decision"],
                reason=data["reason"],
                action_taken=data["action_taken"],
                sanction=sanction,
            )
            messages.success(request, "预警已处理。")
            return redirect("integrity:detail", pk=alert.pk)
        except DomainError as exc:
            add_domain_error(form, shown_on_page(exc))
    return _detail(request, alert, form, status=400)


@login_required
@require_POST
def scan(request):
    _authority(request)
    form = ScanForm(request.POST)
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
    try:
        result = actions.scan_scope(actor=request.user, year=year)
        messages.success(
            request,
            "已扫描{y}年度：发现{f}条，其中新增预警{c}条。".format(
                y=year, f=result.total_found, c=result.total_created
            ),
        )
    except DomainError as exc:
        messages.error(request, shown_on_page(exc).message)
    return redirect("integrity:list")
