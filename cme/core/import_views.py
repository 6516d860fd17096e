"""The pages of an import under the import contract (cme.core.imports), the same for every
importer: the report, polled by HTMX while the commit runs, and 确认导入."""

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.models import ImportRecord

REPORT_PARTIAL = "partials/_import_status.html"


def report_response(
    request,
    record: ImportRecord,
    *,
    page: str,
    status_url: str,
    commit_url: str,
    upload_url: str,
    elapsed: int | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """The full report page, or only the report when HTMX polls it."""
    context = {
        "record": record,
        "errors": Paginator(record.errors, 200).get_page(request.GET.get("page")),
        "elapsed": elapsed,
        "status_url": status_url,
        "commit_url": commit_url,
        "upload_url": upload_url,
        **(extra or {}),
    }
    return render(request, REPORT_PARTIAL if request.htmx else page, context)


def commit_from_page(request, record: ImportRecord, queue: Callable[..., ImportRecord]):
    """确认导入 from a page: queue the commit; say what happened (a message) unless it is
    a 404 or 403, which go on to the middleware."""
    try:
        record = queue(record, actor=request.user)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return record
    if record.state == ImportRecord.State.COMMITTED:
        messages.success(
            request,
            _("导入完成：新增{c}人，更新{u}人，未变化{n}人。").format(
                c=record.created_count, u=record.updated_count, n=record.unchanged_count
            ),
        )
    return record
