import sys

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import defaults

from cme.accounts.scope import is_authority, scope_path
from cme.core.audit import ACTION_LABELS
from cme.core.errors import PermissionDenied
from cme.core.middleware import DATABASE_ERRORS, database_unavailable
from cme.core.models import AuditEvent


def events_visible_to(user):
    """Authorities see the events of their subtree; nobody else reads the trail."""
    path = scope_path(user)
    if not is_authority(user) or path is None:
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.select_related("acting_for")
    return qs.filter(scope_path__startswith=path) if path else qs


@login_required
def audit_list(request):
    if not is_authority(request.user):
        raise PermissionDenied("操作日志仅供主管部门查看。")
    qs = events_visible_to(request.user)
    action = request.GET.get("action", "")
    if action in ACTION_LABELS:
        qs = qs.filter(action=action)
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_list.html",
        {"page": page, "labels": ACTION_LABELS, "action": action, "actor": actor},
    )


def server_error(request):
    """handler500: a lost database is a 503 that says to retry, not a 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request, exception)
    return defaults.server_error(request)
