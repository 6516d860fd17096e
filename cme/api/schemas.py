"""Pieces shared by every router: the error body, references, pagination."""

from ninja import Schema
from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """Every error: a stable code (the API contract) and a Chinese message."""

    code: str
    message: str
    field: str | None = None
    row: int | None = None
    errors: list[FieldError] | None = None


class OrgRef(Schema):
    id: int
    name: str


# Documented on every endpoint; the handlers in cme.api.errors produce them.
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class Pages(PageNumberPagination):
    """?page=1&page_size=50 → {"items": [...], "count": n}."""

    def __init__(self, **kwargs) -> None:
        super().__init__(page_size=PAGE_SIZE, **kwargs)
