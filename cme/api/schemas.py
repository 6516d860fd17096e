"""Pieces shared by every router: the error body, references, pagination."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
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


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


def file_response(description: str, media_type: str = "application/pdf") -> dict:
    """`openapi_extra` of an operation that answers 200 with a file (a PDF unless told)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": {media_type: binary}}}}


class ReasonIn(Schema):
    reason: str


class ImportCounts(Schema):
    total: int
    created: int
    updated: int
    unchanged: int


class ImportRecordOut(Schema):
    """The report of an import (cme.core.models.ImportRecord); each importer adds what it
    imports into."""

    id: int
    file_name: str
    state: str
    state_label: str
    counts: ImportCounts
    errors: list[RowErrorOut]
    ignored_headers: list[str] = Field(default_factory=list, description="文件中未使用的列")
    created_at: datetime
    committed_at: datetime | None

    @staticmethod
    def resolve_state_label(record) -> str:
        return record.get_state_display()

    @staticmethod
    def resolve_counts(record) -> dict[str, int]:
        return {
            "total": record.total_rows,
            "created": record.created_count,
            "updated": record.updated_count,
            "unchanged": record.unchanged_count,
        }

    @staticmethod
    def resolve_ignored_headers(record) -> list[str]:
        return getattr(record, "ignored_headers", [])


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


MAX_PAGE = 1_000_000  # far beyond any list; keeps the offset within the database's integers
# A year given to the API: a calendar year the platform can hold data for.
Year = Annotated[int, Field(ge=1990, le=2100, description="年度，如 2026")]


class Pages(PageNumberPagination):
    """?page=1&page_size=50 → {"items": [...], "count": n}."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从1开始")
        page_size: int | None = Field(None, ge=1, le=1000, description="每页条数")

    def __init__(self, **kwargs) -> None:
        super().__init__(page_size=PAGE_SIZE, **kwargs)
