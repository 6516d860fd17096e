"""Who is calling: a personal token (`Authorization: Bearer cme_…`) or the browser session."""

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from cme.accounts.models import ApiToken, User


class TokenAuth(HttpBearer):
    """A personal API token; only its SHA-256 is stored. Revoked tokens and inactive users fail."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token:
            return None
        record = (
            ApiToken.objects.select_related("user__membership__organisation")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


class SessionAuth(NinjaSessionAuth):
    """The logged-in browser (with its CSRF check); not consulted when a token is sent,
    so a bad token is a 401 and never a CSRF failure."""

    def __call__(self, request: HttpRequest) -> User | None:
        if "Authorization" in request.headers:
            return None
        return super().__call__(request)


def current_user(request: HttpRequest) -> User:
    """The authenticated caller (set by whichever of the two methods succeeded)."""
    return request.auth  # type: ignore[attr-defined]
