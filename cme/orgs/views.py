from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from cme.core.errors import DomainError, PermissionDenied
from cme.core.exports import xlsx_response
from cme.core.forms import add_domain_error
from cme.orgs import actions
from cme.orgs.chains import review_chain
from cme.orgs.forms import DeregisterForm, OrganisationForm
from cme.orgs.models import Organisation
from cme.orgs.permissions import can_edit_org, is_own_unit
from cme.orgs.queries import org_for, orgs_visible_to
from cme.people import actions as people_actions
from cme.people.permissions import can_transfer_for_deregistered
from cme.supervision.queries import active_sanctions_of

ORG_EXPORT_HEADERS = [
    "单位名称",
    "类别",
    "医院等级",
    "所在地区",
    "发证机构",
    "上级学会",
    "统一社会信用代码",
    "国家级账号",
    "省级账号",
    "执业许可状态",
    "年度校验",
    "名称符合规定",
    "一级防保单位",
    "状态",
]


def _org_row(o: Organisation) -> list:
    return [
        o.name,
        o.get_kind_display(),
        o.get_grade_display() if o.grade else "",
        o.region.full_name if o.region else "",
        o.licensing_authority.name if o.licensing_authority else "",
        o.parent.name if o.parent else "",
        o.uscc or "",
        o.national_account or "",
        o.provincial_account or "",
        o.get_licence_status_display(),
        o.get_inspection_result_display(),
        "是" if o.name_compliant else "否",
        "是" if o.first_class_prevention else "否",
        o.get_status_display(),
    ]


@login_required
def org_list(request):
    qs = orgs_visible_to(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    kind = request.GET.get("kind", "")
    if kind in Organisation.Kind.values:
        qs = qs.filter(kind=kind)
    status = request.GET.get("status", "active")
    if status in Organisation.Status.values:
        qs = qs.filter(status=status)
    qs = qs.order_by("tree_path")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "单位名单.xlsx", ORG_EXPORT_HEADERS, (_org_row(o) for o in qs.iterator(chunk_size=2000))
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "kind": kind,
        "status": status,
        "kinds": Organisation.Kind.choices,
    }
    template = "orgs/partials/_org_table.html" if request.htmx else "orgs/organisation_list.html"
    return render(request, template, context)


@login_required
def org_detail(request, pk: int):
    org = org_for(request.user, pk)
    context = {
        "org": org,
        "chain": review_chain(org),
        "names": org.name_history.all(),
        "staff_count": org.staff.count(),
        "branches": orgs_visible_to(request.user).filter(parent=org),
        "can_edit": can_edit_org(request.user, org),
        "own_unit": is_own_unit(request.user, org),
        "sanctions": active_sanctions_of(org, timezone.localdate().year),
        "can_transfer_all": org.is_active
        and (is_own_unit(request.user, org) or can_transfer_for_deregistered(request.user, org)),
    }
    return render(request, "orgs/organisation_detail.html", context)


@login_required
def org_edit(request, pk: int):
    org = org_for(request.user, pk)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("只有该单位的发证机构可以修改单位信息。")
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organisation(
                org, actor=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
            )
            messages.success(request, "单位信息已保存。")
            return redirect("orgs:detail", pk=org.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "orgs/organisation_form.html", {"org": org, "form": form})


@login_required
def org_deregister(request, pk: int):
    """Transfer every staff member out (or have the authority do it on proof), then deregister."""
    org = org_for(request.user, pk)
    own = is_own_unit(request.user, org)
    if not (own or can_transfer_for_deregistered(request.user, org)):
        raise PermissionDenied("只有本单位管理员或其发证机构可以办理注销。")
    form = DeregisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        deregister = bool(request.POST.get("deregister"))
        try:
            moved = people_actions.clear_out(
                org,
                actor=request.user,
                proof=form.cleaned_data["proof"],
                note=form.cleaned_data["comment"],
                deregister=deregister,
            )
            if deregister:
                messages.success(request, "已调出{n}人，单位已注销。".format(n=moved))
            else:
                messages.success(request, "已将{n}人全部调出，等待新单位调入。".format(n=moved))
            return redirect("orgs:detail", pk=org.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "orgs/organisation_deregister.html",
        {"org": org, "form": form, "own": own, "staff_count": org.staff.count()},
    )
