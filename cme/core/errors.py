"""The one error type that business rules raise.

`code` is stable (a SPEC rule id or a short upper-case code) and doubles as the API
error code; `message` is the Chinese text shown to the user.
"""


class DomainError(Exception):
    def __init__(
        self, code: str, message: str, *, field: str | None = None, row: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        self.row = row

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """Outside the user's scope or not there at all: callers answer 404 either way."""

    default_message = "未找到该记录，或您无权查看。"

    def __init__(self, message: str = default_message):
        super().__init__("NOT_FOUND", message)


class PermissionDenied(DomainError):
    """Visible to the user, but this action is not theirs to take: callers answer 403."""

    def __init__(self, message: str = "您无权执行此操作。"):
        super().__init__("FORBIDDEN", message)


class Conflict(DomainError):
    """Someone else changed the item first (two reviewers deciding at once)."""

    default_message = "该事项已被他人处理，请刷新后查看最新状态。"

    def __init__(self, message: str = default_message):
        super().__init__("CONFLICT", message)


def shown_on_page(exc: DomainError) -> DomainError:
    """A DomainError a page shows beside its form; 404 and 403 go on to the middleware."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    return exc
