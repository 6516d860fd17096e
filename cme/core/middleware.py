import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from cme.core import audit

logger = logging.getLogger("cme.unavailable")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class RequestContextMiddleware:
    """Makes the client's address available to the audit trail for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.client_address.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            audit.client_address.reset(token)


class DomainErrorMiddleware:
    """NotFound anywhere in a page becomes the 404 page with its message (never that of
    Django's own Http404, which may be English), PermissionDenied the 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render
        from django.views import defaults

        from cme.core.errors import NotFound, PermissionDenied

        if isinstance(exception, NotFound):
            message = "" if exception.message == NotFound.default_message else exception.message
            return render(request, "404.html", {"message": message}, status=404)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception, template_name="403.html")
        return None


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language (cookie set by /i18n/setlang/).

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: hospitals'
    machines often run English systems, and the platform's default is Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response that has none of its own.

    Pages carry no inline script, style or event handler (the shared behaviour lives in
    static/cme/cme.js, driven by data attributes), so an injected one does not run.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class RequestSizeLimitMiddleware:
    """A request body over settings.UPLOAD_MAX_BYTES is refused with 413 from its declared
    Content-Length, before anything reads it (the CSRF check, the upload handlers or an
    API endpoint would otherwise stream it all to memory or disk first). Pages get the
    413 page, the API its JSON error."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.limit = settings.UPLOAD_MAX_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            return self.too_large(request, length)
        return self.get_response(request)

    def too_large(self, request, length: int):
        from django.http import JsonResponse
        from django.shortcuts import render

        from cme.api.errors import error_body

        mb = 1024 * 1024
        message = (
            "上传的文件过大：本次提交共{size}MB，超过{limit}MB的上限，未作处理。"
            "扫描件请压缩到10MB以内，名单请分批导入。".format(
                size=round(length / mb, 1), limit=self.limit // mb
            )
        )
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("FILE_TOO_LARGE", message), status=413)
        response = render(request, "413.html", {"message": message}, status=413)
        response["Connection"] = "close"  # the unread body is not left on the connection
        return response


def database_unavailable(request, exception: BaseException) -> HttpResponse:
    """503 when the database cannot be reached (restarting, failed over, out of
    connections): a short page, or `{code, message}` under /api/v1/. Renders without the
    database (no user, no session, no context processors)."""
    logger.warning(
        "database unavailable: %s %s: %s",
        request.method,
        request.path,
        exception.__class__.__name__,
    )
    message = _("服务暂时不可用，请稍后重试。")
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "SERVICE_UNAVAILABLE", "message": message},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        body = loader.get_template("503.html").render(
            {
                "language": translation.get_language() or "zh-hans",
                "retry_after": RETRY_AFTER_SECONDS,
                "path": request.path,
            }
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # the warning above is the log line: not Django's error with a traceback for each 503
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is gone answers a clean 503 instead of the
    500 page; `cme.core.views.server_error` (handler500) does the same for failures in
    other middleware, such as saving the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None
