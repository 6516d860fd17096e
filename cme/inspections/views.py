from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cme.core.errors import DomainError, PermissionDenied, shown_on_page
from cme.core.forms import add_domain_error
from cme.inspections import actions, indicators
from cme.inspections.exports import spot_check_xlsx
from cme.inspections.forms import AssignForm, DrawForm, FileForm, FindingsForm
from cme.inspections.models import SpotCheckItem
from cme.inspections.permissions import can_draw, can_manage, can_record, can_view_draws
from cme.inspections.queries import item_for, spot_check_for, spot_checks_visible_to, tasks_of
from cme.projects.models import Level
from cme.supervision.permissions import can_sanction


def _authority(request) -> None:
    if not can_view_draws(request.user):
        raise PermissionDenied("抽查评估由卫生健康行政部门组织。")


@login_required
def spot_check_list(request):
    _authority(request)
    qs = spot_checks_visible_to(request.user)
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        qs = qs.filter(year=int(year))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/spotcheck_list.html",
        {"page": page, "year": year, "can_draw": can_draw(request.user)},
    )


@login_required
def spot_check_new(request):
    """The draw: 预览 shows the sample, 确认抽取 draws the same sample again and keeps it."""
    if not can_draw(request.user):
        raise PermissionDenied("只有卫生健康行政部门可以组织抽查评估。")
    preview = None
    if request.method == "POST":
        form = DrawForm(request.POST)
        if form.is_valid():
            try:
                if request.POST.get("action") == "save":
                    spot_check = actions.create_spot_check(
                        actor=request.user, note=form.cleaned_data["note"], **form.values()
                    )
                    messages.success(
                        request,
                        "已抽取{n}个项目，随机种子{s}。".format(
                            n=spot_check.items.count(), s=spot_check.seed
                        ),
                    )
                    return redirect("inspections:detail", pk=spot_check.pk)
                preview = actions.preview_draw(actor=request.user, **form.values())
            except DomainError as exc:
                add_domain_error(form, shown_on_page(exc))
    else:
        form = DrawForm(
            initial={
                "year": timezone.localdate().year,
                "levels": Level.values,
                "rate_percent": 10,
                "seed": actions.new_seed(),
            }
        )
    return render(request, "inspections/spotcheck_form.html", {"form": form, "preview": preview})


def _strata(items):
    return [
        {"key": key, "items": list(group)}
        for key, group in groupby(items, key=lambda i: (i.get_level_display(), i.city_name))
    ]


@login_required
def spot_check_detail(request, pk: int):
    _authority(request)
    spot_check = spot_check_for(request.user, pk)
    items = (
        spot_check.items.select_related("project__sponsor", "session")
        .prefetch_related("inspectors")
        .order_by("level", "city_code", "project_id")
    )
    if request.GET.get("export") == "xlsx":
        return spot_check_xlsx(spot_check, items)
    manage = can_manage(request.user, spot_check)
    return render(
        request,
        "inspections/spotcheck_detail.html",
        {
            "spot_check": spot_check,
            "strata": _strata(items),
            "can_manage": manage,
            "assign_form": AssignForm(spot_check=spot_check) if manage else None,
            "verified": actions.verify_draw(spot_check),
            "counts": {
                "total": len(items),
                "checked": sum(i.state == SpotCheckItem.State.CHECKED for i in items),
                "fail": sum(i.result == SpotCheckItem.Result.FAIL for i in items),
            },
        },
    )


@login_required
@require_POST
def spot_check_assign(request, pk: int):
    _authority(request)
    spot_check = spot_check_for(request.user, pk)
    if not can_manage(request.user, spot_check):
        raise PermissionDenied("只有组织抽查的部门可以指派检查人员。")
    form = AssignForm(request.POST, spot_check=spot_check)
    if form.is_valid():
        try:
            done = actions.assign_inspectors(
                spot_check,
                actor=request.user,
                items=list(form.cleaned_data["items"]),
                inspectors=list(form.cleaned_data["inspectors"]),
                visit_date=form.cleaned_data["visit_date"],
            )
            messages.success(request, "已为{n}个项目指派检查人员。".format(n=len(done)))
        except DomainError as exc:
            messages.error(request, shown_on_page(exc).message)
    else:
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, "指派失败：{e}".format(e=errors))
    return redirect("inspections:detail", pk=spot_check.pk)


def _sanction_url(item: SpotCheckItem) -> str:
    """The sanction form, pre-filled with the sponsor and the spot check as the reason."""
    project = item.project
    reason = (
        "{sc}：项目“{p}”（{no}）现场抽查评估不合格，得分{s}分（检查日期{d}）。{summary}".format(
            sc=item.spot_check,
            p=project.name,
            no=project.number or "无编号",
            s=item.score.normalize() if item.score is not None else "",
            d=item.visit_date.isoformat() if item.visit_date else "",
            summary=item.summary,
        )
    )
    query = {
        "organisation": project.sponsor_id,
        "kind": "notification",
        "reason": reason,
        "q": project.sponsor.name,
    }
    return reverse("supervision:sanction_add") + "?" + urlencode(query)


def _item_page(request, item: SpotCheckItem, *, form=None, file_form=None, status=200):
    record = can_record(request.user, item)
    if form is None and record:
        form = FindingsForm(item=item)
    fail = item.result == SpotCheckItem.Result.FAIL
    return render(
        request,
        "inspections/spotcheckitem_detail.html",
        {
            "item": item,
            "form": form,
            "file_form": file_form or (FileForm() if record else None),
            "can_record": record,
            "rows": _finding_rows(item),
            "total": _total(item.findings) if item.findings else None,
            "max_total": indicators.MAX_TOTAL,
            "thresholds": indicators.THRESHOLDS,
            "sanction_url": _sanction_url(item)
            if fail and can_sanction(request.user, item.project.sponsor)
            else "",
            "files": item.files.all(),
            "inspectors": item.inspectors.all(),
            "draw_visible": spot_checks_visible_to(request.user)
            .filter(pk=item.spot_check_id)
            .exists(),
        },
        status=status,
    )


def _finding_rows(item: SpotCheckItem) -> list[dict]:
    return [
        {
            "indicator": i,
            "score": item.findings.get(i.id, {}).get("score", ""),
            "note": item.findings.get(i.id, {}).get("note", ""),
        }
        for i in indicators.INDICATORS
    ]


def _total(findings: dict) -> dict:
    result = indicators.result_of(findings)
    return {
        "score": indicators.total_of(findings).normalize(),
        "result": result,
        "label": SpotCheckItem.Result(result).label,
        "vetoed": indicators.vetoed(findings),
    }


@login_required
def item_detail(request, pk: int):
    item = item_for(request.user, pk)
    if request.method != "POST":
        return _item_page(request, item)
    if not can_record(request.user, item):
        raise PermissionDenied("只有被指派的检查人员或组织抽查的部门可以录入检查结果。")
    form = FindingsForm(request.POST, item=item)
    if form.is_valid():
        try:
            actions.record_findings(
                item,
                actor=request.user,
                scores=form.scores(),
                visit_date=form.cleaned_data["visit_date"],
                summary=form.cleaned_data["summary"],
                session=form.cleaned_data["session"],
            )
            messages.success(request, "检查结果已保存。")
            return redirect("inspections:item", pk=item.pk)
        except DomainError as exc:
            exc = shown_on_page(exc)
            field = "score_" + exc.field if exc.field in indicators.BY_ID else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
    return _item_page(request, item, form=form)


@login_required
@require_POST
def item_total(request, pk: int):
    """The live total of the findings form (HTMX): scores so far, the result they give."""
    item = item_for(request.user, pk)
    findings = {}
    for indicator in indicators.INDICATORS:
        raw = request.POST.get("score_" + indicator.id, "").strip()
        try:
            findings[indicator.id] = {
                "score": str(actions.parse_score(indicator, raw)) if raw else "0"
            }
        except DomainError:
            findings[indicator.id] = {"score": "0"}
    return render(
        request,
        "inspections/partials/_total.html",
        {"total": _total(findings), "max_total": indicators.MAX_TOTAL, "item": item},
    )


@login_required
@require_POST
def item_upload(request, pk: int):
    item = item_for(request.user, pk)
    if not can_record(request.user, item):
        raise PermissionDenied("只有被指派的检查人员或组织抽查的部门可以上传检查资料。")
    file_form = FileForm(request.POST, request.FILES)
    if file_form.is_valid():
        try:
            actions.add_file(
                item,
                actor=request.user,
                upload=file_form.cleaned_data["file"],
                kind=file_form.cleaned_data["kind"],
                note=file_form.cleaned_data["note"],
            )
            messages.success(request, "文件已上传。")
            return redirect("inspections:item", pk=item.pk)
        except DomainError as exc:
            add_domain_error(file_form, shown_on_page(exc))
    return _item_page(request, item, file_form=file_form, status=400)


@login_required
def item_file(request, pk: int, file_pk: int):
    """A photo or file, through the same scope as its item (never a public media URL)."""
    item = item_for(request.user, pk)
    record = item.files.filter(pk=file_pk).first()
    if record is None:
        raise Http404
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.name)


@login_required
def my_tasks(request):
    """我的检查任务: the items the user is assigned to inspect."""
    page = Paginator(tasks_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "inspections/task_list.html", {"page": page})
