from cme.core import audit


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
    """NotFound anywhere in a page becomes the 404 page, PermissionDenied the 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.views import defaults

        from cme.core.errors import NotFound, PermissionDenied

        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, exception, template_name="404.html")
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

