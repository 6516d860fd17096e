from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render

from cme.accounts.scope import acting_org
from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.forms import add_domain_error
from cme.policy import actions
from cme.policy.forms import WindowForm
from cme.policy.models import DeclarationWindow


def _windows_for(user):
    """Windows the user's authority set, and those set above it that apply to its units."""
    org = acting_org(user)
    if org is None:
        return DeclarationWindow.objects.select_related("owner")
    return DeclarationWindow.objects.filter(
        Q(owner=org) | Q(owner_id__in=org.ancestor_ids())
    ).select_related("owner")


@login_required
def window_list(request):
    if not actions.can_set_windows(request.user):
        raise PermissionDenied("申报时间由卫生健康行政部门设置。")
    windows = _windows_for(request.user).order_by("-year", "level", "kind", "closes_at")
    return render(
        request, "policy/window_list.html", {"windows": windows, "org": acting_org(request.user)}
    )


@login_required
def window_edit(request, pk: int | None = None):
    if not actions.can_set_windows(request.user):
        raise PermissionDenied("申报时间由卫生健康行政部门设置。")
    window = None
    if pk is not None:
        window = _windows_for(request.user).filter(pk=pk, owner=acting_org(request.user)).first()
        if window is None:
            raise NotFound()
    form = WindowForm(request.POST or None, instance=window)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_window(form.save(commit=False), actor=request.user)
            messages.success(request, "申报时间已保存。")
            return redirect("policy:windows")
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "policy/window_form.html", {"form": form, "window": window})
