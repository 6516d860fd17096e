from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cme.core import idnumbers
from cme.core.errors import DomainError, PermissionDenied
from cme.core.exports import xlsx_response
from cme.core.forms import add_domain_error
from cme.orgs.queries import org_for
from cme.projects.models import Level
from cme.supervision import actions, quotas
from cme.supervision.forms import QuotaComputeForm, QuotaSetForm, RevokeForm, SanctionForm
from cme.supervision.models import Sanction
from cme.supervision.permissions import can_record_sanctions, can_revoke, can_set_quotas
from cme.supervision.queries import sanction_for, sanctions_visible_to

STATUS_LABELS = {
    "revoked": "已撤销",
    "pending": "未开始",
    "in_force": "执行中",
    "expired": "已到期",
}


def _authority(request) -> None:
    if not can_record_sanctions(request.user):
        raise PermissionDenied("处理决定仅供主管部门查看和录入。")


def _filtered(request, qs: QuerySet[Sanction]) -> tuple[QuerySet[Sanction], dict]:
    kind = request.GET.get("kind", "")
    if kind in Sanction.Kind.values:
        qs = qs.filter(kind=kind)
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        qs = qs.filter(from_year__lte=int(year), to_year__gte=int(year))
    active = request.GET.get("active", "")
    this_year = timezone.localdate().year
    current = Q(revoked_at__isnull=True, to_year__gte=this_year)
    if active == "1":
        qs = qs.filter(current)
    elif active == "0":
        qs = qs.exclude(current)
    return qs, {"kind": kind, "year": year, "active": active}


@login_required
def sanction_list(request):
    _authority(request)
    qs, filters = _filtered(request, sanctions_visible_to(request.user))
    if request.GET.get("export") == "xlsx":
        return _export(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "kinds": Sanction.Kind.choices, **filters}
    template = (
        "supervision/partials/_sanction_table.html"
        if request.htmx
        else "supervision/sanction_list.html"
    )
    return render(request, template, context)


SANCTION_EXPORT_HEADERS = [
    "处理类型",
    "被处理单位",
    "被处理人员",
    "证件号码",
    "人员所在单位",
    "起始年度",
    "截止年度",
    "事由",
    "决定机构",
    "决定日期",
    "状态",
    "撤销理由",
]


def _export(qs: QuerySet[Sanction]):
    """The filtered list; a person's ID number masked, as on the page."""
    rows = (
        [
            s.get_kind_display(),
            s.organisation.name if s.organisation else "",
            s.person.name if s.person else "",
            idnumbers.mask(s.person.id_number) if s.person else "",
            s.person.unit.name if s.person and s.person.unit else "",
            s.from_year,
            s.to_year,
            s.reason,
            s.decided_by.name,
            s.decided_on.isoformat(),
            STATUS_LABELS[s.status],
            s.revocation_reason,
        ]
        for s in qs.iterator(chunk_size=2000)
    )
    return xlsx_response("处理决定.xlsx", SANCTION_EXPORT_HEADERS, rows)


@login_required
@sensitive_post_parameters("id_number")
def sanction_create(request):
    """Record a decision; a person is named by whole ID number in the POST body only."""
    _authority(request)
    q = request.GET.get("q", "").strip()
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = int(request.GET["organisation"])
    # pre-filled from another page, e.g. a failed spot check (抽查评估不合格)
    if request.GET.get("kind", "") in Sanction.Kind.values:
        initial["kind"] = request.GET["kind"]
    if request.GET.get("reason", "").strip():
        initial["reason"] = request.GET["reason"].strip()[:2000]
    form = SanctionForm(
        request.POST or None, request.FILES or None, user=request.user, q=q, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            sanction = actions.record_sanction(actor=request.user, **form.values())
            messages.success(request, "处理决定已录入。")
            return redirect("supervision:sanction_detail", pk=sanction.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "supervision/sanction_form.html", {"form": form, "q": q})


@login_required
def sanction_detail(request, pk: int):
    _authority(request)
    sanction = sanction_for(request.user, pk)
    return render(
        request,
        "supervision/sanction_detail.html",
        {
            "sanction": sanction,
            "can_revoke": not sanction.is_revoked and can_revoke(request.user, sanction),
            "form": RevokeForm(),
        },
    )


@login_required
@require_POST
def sanction_revoke(request, pk: int):
    _authority(request)
    sanction = sanction_for(request.user, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            actions.revoke_sanction(
                sanction, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "处理决定已撤销。")
            return redirect("supervision:sanction_detail", pk=sanction.pk)
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            add_domain_error(form, exc)
    return render(
        request,
        "supervision/sanction_detail.html",
        {
            "sanction": sanction,
            "can_revoke": not sanction.is_revoked and can_revoke(request.user, sanction),
            "form": form,
        },
    )


@login_required
def sanction_evidence(request, pk: int):
    """The evidence file, through the same scope as the decision (never a public media URL)."""
    _authority(request)
    sanction = sanction_for(request.user, pk)
    if not sanction.evidence:
        raise Http404
    name = sanction.evidence.name.rsplit("/", 1)[-1]
    return FileResponse(sanction.evidence.open("rb"), as_attachment=True, filename=name)


# --- quotas (000 §三.4) ----------------------------------------------------------------------


def _provincial(request) -> None:
    if not can_set_quotas(request.user):
        raise PermissionDenied("申报名额由省继教办管理。")


def _year_level(data) -> tuple[int, str]:
    year = data.get("year", "")
    level = data.get("level", "")
    return (
        int(year) if year.isdigit() else timezone.localdate().year + 1,
        level if level in Level.values else Level.PROVINCIAL,
    )


def _quota_page(request, year: int, level: str, compute_form=None):
    rate_year = request.GET.get("rate_year", "")
    table = quotas.quota_table(
        request.user, year, level, int(rate_year) if rate_year.isdigit() else None
    )
    if compute_form is None:
        defaults = quotas.policy_defaults(year)
        compute_form = QuotaComputeForm(
            initial={
                "year": year,
                "level": level,
                "rate_year": table.rate_year,
                "base_quota": defaults[quotas.BASE_KEY],
                "cut_ratio": defaults[quotas.CUT_KEY],
            }
        )
    return render(
        request,
        "supervision/quota_list.html",
        {
            "table": table,
            "year": year,
            "level": level,
            "levels": Level.choices,
            "compute_form": compute_form,
        },
    )


QUOTA_EXPORT_HEADERS = [
    "单位名称",
    "批准项目数",
    "已完成项目数",
    "执行率",
    "低于平均",
    "处理决定缩减",
    "按执行率计算的名额",
    "名额",
    "调整理由",
]


@login_required
def quota_list(request):
    _provincial(request)
    year, level = _year_level(request.GET)
    if request.GET.get("export") == "xlsx":
        table = quotas.quota_table(request.user, year, level)
        rows = (
            [
                r.unit.name,
                r.execution.approved if r.execution else "",
                r.execution.completed if r.execution else "",
                r.rate_display,
                "是" if r.below_average else "",
                "是" if r.cut_by_sanction else "",
                r.quota.computed_quota if r.quota and r.quota.computed_quota is not None else "",
                r.quota.quota if r.quota else "",
                r.quota.reason if r.quota else "",
            ]
            for r in table.rows
        )
        return xlsx_response("申报名额{y}.xlsx".format(y=year), QUOTA_EXPORT_HEADERS, rows)
    return _quota_page(request, year, level)


def _quota_url(year: int, level: str) -> str:
    return reverse("supervision:quotas") + "?year={y}&level={lv}".format(y=year, lv=level)


@login_required
@require_POST
def quota_compute(request):
    _provincial(request)
    form = QuotaComputeForm(request.POST)
    year, level = _year_level(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            stored = quotas.compute_quotas(
                data["year"],
                data["level"],
                base_quota=data["base_quota"],
                cut_ratio=data["cut_ratio"],
                rate_year=data["rate_year"],
                actor=request.user,
            )
            messages.success(request, "已计算{n}个单位的申报名额。".format(n=len(stored)))
            return redirect(_quota_url(data["year"], data["level"]))
        except DomainError as exc:
            add_domain_error(form, exc)
    return _quota_page(request, year, level, compute_form=form)


@login_required
@require_POST
def quota_set(request, unit_pk: int):
    _provincial(request)
    unit = org_for(request.user, unit_pk)
    form = QuotaSetForm(request.POST)
    year, level = _year_level(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            quotas.set_quota(
                unit,
                data["year"],
                data["level"],
                data["quota"],
                actor=request.user,
                reason=data["reason"],
            )
            messages.success(request, "已调整{u}的申报名额。".format(u=unit.name))
            return redirect(_quota_url(data["year"], data["level"]))
        except DomainError as exc:
            add_domain_error(form, exc)
    errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
    messages.error(request, "{u}：{e}".format(u=unit.name, e=errors))
    return redirect(_quota_url(year, level))
