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
