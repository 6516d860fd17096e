"""The authorities' desk (issue 7 §1): a dashboard over the user's scope whose every figure
links to the list behind it, and those lists, each exportable to Excel (?export=xlsx)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cme.accounts.scope import acting_org, is_authority, scope_path
from cme.audits.models import AnnualAudit
from cme.core.errors import PermissionDenied
from cme.core.exports import xlsx_response
from cme.policy.access import for_year
from cme.projects.models import Level, State
from cme.stats import exports, figures, indicators, tallies

PER_PAGE = 50


def _authority(request) -> None:
    if not is_authority(request.user):
        raise PermissionDenied(_("统计分析只对卫生健康行政部门开放。"))


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 < int(value) < 2100 else timezone.localdate().year


def _years() -> range:
    this = timezone.localdate().year
    return range(this + 1, this - 5, -1)


def _url(name: str, **query) -> str:
    given = {k: v for k, v in query.items() if v not in ("", None)}
    return reverse(name) + ("?" + urlencode(given) if given else "")


@login_required
def dashboard(request):
    _authority(request)
    year = _year(request)
    today = timezone.localdate()
    table = figures.declarations(request.user, year)
    areas = figures.area_rates(request.user, year)
    months = figures.credits_by_month(request.user, year)
    audits = figures.audit_progress(request.user, year, with_missing=False)
    overdue = figures.overdue(request.user, today)
    submitted = [r for r in audits if r.share is not None]
    states = [State.UNDER_REVIEW, State.RETURNED, State.REJECTED, *figures.AFTER_APPROVAL]
    level_labels = dict(Level.choices)
    charts = {
        "declarations": {
            "levels": [str(level_labels[lv]) for lv in Level.values],
            "series": [
                {
                    "name": str(State(s).label),
                    "data": [
                        {
                            "value": table[lv].get(s, 0),
                            "url": _url("stats:projects", year=year, level=lv, state=s),
                        }
                        for lv in Level.values
                    ],
                }
                for s in states
                if any(table[lv].get(s) for lv in Level.values)
            ],
        },
        "areas": {
            "names": [a.name for a in areas],
            "approval": [
                {
                    "value": float(a.approval_rate) if a.approval_rate is not None else None,
                    "url": _url("stats:units", year=year, area=a.id),
                }
                for a in areas
            ],
            "execution": [
                {
                    "value": float(a.execution_rate) if a.execution_rate is not None else None,
                    "url": _url("stats:units", year=year, area=a.id),
                }
                for a in areas
            ],
        },
        "months": {
            "names": [_("{m}月").format(m=m) for m, _a, _n in months],
            "data": [
                {"value": float(a), "url": _url("stats:credits", year=year, month=m)}
                for m, a, _n in months
            ],
        },
        "audits": {
            "names": [r.name for r in submitted[:15]],
            "data": [
                {"value": float(r.share), "url": _url("stats:audits", year=year, unit=r.unit_id)}
                for r in submitted[:15]
            ],
        },
    }
    totals = {
        "declared": sum(sum(v.values()) for v in table.values()),
        "approved": sum(table[lv].get(s, 0) for lv in Level.values for s in figures.AFTER_APPROVAL),
        "completed": sum(table[lv].get(State.COMPLETED, 0) for lv in Level.values),
        "credits": sum(a for _m, a, _n in months),
        "overdue": overdue.count,
        "audits_approved": sum(1 for r in audits if r.state == AnnualAudit.State.APPROVED),
        "audit_units": figures.staffed_units(request.user),
    }
    context = {
        "org": acting_org(request.user),
        "year": year,
        "years": _years(),
        "totals": totals,
        "areas": areas,
        "behind": figures.behind(request.user, year, 10),
        "overdue": overdue,
        "charts": charts,
        "counted_at": tallies.counted(year),
    }
    return render(request, "stats/dashboard.html", context)


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


@login_required
def project_list(request):
    _authority(request)
    year = _year(request)
    level, state = request.GET.get("level", ""), request.GET.get("state", "")
    unit = request.GET.get("unit", "")
    rows = figures.projects(
        request.user, year, level=level, state=state, unit=int(unit) if unit.isdigit() else None
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            _("{y}年度项目.xlsx").format(y=year),
            exports.headers(exports.PROJECT_HEADERS),
            exports.project_rows(rows),
        )
    context = {
        "year": year,
        "years": _years(),
        "level": level,
        "state": state,
        "levels": Level.choices,
        "states": [(s, State(s).label) for s in figures.DECLARED]
        + [("approved", _("已批准（含已公布、举办中、已完成、未执行、已废止）"))],
        "page": _page(request, rows),
    }
    return render(request, "stats/project_list.html", context)


@login_required
def unit_list(request):
    """Approval and execution rates per unit, or the units of one area."""
    _authority(request)
    year = _year(request)
    level = request.GET.get("level", "")
    rows = figures.unit_rates(request.user, year, level)
    area = request.GET.get("area", "")
    area_name = ""
    if area.isdigit():
        base = scope_path(request.user) or "/"
        rows = [
            r for r in rows if figures.area_of(r.tree_path, base) == int(area) or r.id == int(area)
        ]
        found = figures.areas(request.user).get(int(area))
        area_name = found.name if found else ""
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            _("{y}年度单位执行率.xlsx").format(y=year),
            exports.headers(exports.RATE_HEADERS),
            exports.rate_rows(rows),
        )
    context = {
        "year": year,
        "years": _years(),
        "level": level,
        "levels": Level.choices,
        "area": area,
        "area_name": area_name,
        "rows": rows,
        "areas": figures.area_rates(request.user, year, level),
    }
    return render(request, "stats/unit_list.html", context)


@login_required
def overdue_list(request):
    _authority(request)
    overdue = figures.overdue(request.user, timezone.localdate())
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            _("逾期事项.xlsx"),
            exports.headers(exports.OVERDUE_HEADERS),
            exports.overdue_rows(overdue),
        )
    return render(request, "stats/overdue_list.html", {"overdue": overdue})


@login_required
def credit_list(request):
    _authority(request)
    year = _year(request)
    month = request.GET.get("month", "")
    month = int(month) if month.isdigit() and 1 <= int(month) <= 12 else None
    rows = figures.credits_by_unit(request.user, year, month)
    if request.GET.get("export") == "xlsx":
        name = _("{y}年度学分授予.xlsx").format(y=year)
        return xlsx_response(
            name, exports.headers(exports.CREDIT_HEADERS), exports.credit_rows(rows)
        )
    context = {
        "year": year,
        "years": _years(),
        "month": month,
        "months": range(1, 13),
        "page": _page(request, rows),
        "counted_at": tallies.counted(year),
    }
    return render(request, "stats/credit_list.html", context)


@login_required
def audit_list(request):
    _authority(request)
    year = _year(request)
    state = request.GET.get("state", "")
    everything = figures.audit_progress(request.user, year)
    rows = [r for r in everything if r.state == state] if state else everything
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        rows = [r for r in rows if r.unit_id == int(unit)]
    if request.GET.get("export") == "xlsx":
        name = _("{y}年度学分审核进度.xlsx").format(y=year)
        return xlsx_response(
            name, exports.headers(exports.AUDIT_HEADERS), exports.audit_rows(rows, year)
        )
    context = {
        "year": year,
        "years": _years(),
        "state": state,
        "states": AnnualAudit.State.choices,
        "page": _page(request, rows),
        "counts": figures.audit_states(everything),
    }
    return render(request, "stats/audit_list.html", context)


@login_required
def indicator_list(request):
    """The year's approved projects in scope with their execution indicators (004 §六.7)."""
    _authority(request)
    year = _year(request)
    level = request.GET.get("level", "")
    qs = figures.projects(request.user, year, level=level, state="approved")
    if request.GET.get("export") == "xlsx":
        rows = list(qs)
        found = indicators.indicators_for(qs)
        name = _("{y}年度项目执行指标.xlsx").format(y=year)
        return xlsx_response(
            name, exports.headers(exports.indicator_headers()), exports.indicator_rows(rows, found)
        )
    page = _page(request, qs)
    found = indicators.indicators_for(qs.filter(pk__in=[p.pk for p in page]))
    rows = [
        (p, found[p.pk], [found[p.pk].percent(key) for key, _g, _l in indicators.INDICATORS])
        for p in page
    ]
    weights = for_year(year).get("indicator.weights") or {}
    context = {
        "year": year,
        "years": _years(),
        "level": level,
        "levels": Level.choices,
        "page": page,
        "rows": rows,
        "indicators": indicators.INDICATORS,
        "weights": [(label, weights.get(key, 0)) for key, _g, label in indicators.INDICATORS],
    }
    return render(request, "stats/indicator_list.html", context)
