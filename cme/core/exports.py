"""Excel exports: written row by row (xlsxwriter constant memory), formula injection neutralised."""

import io
import tempfile
from collections.abc import Iterable
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that Excel would run as a formula gets a leading apostrophe-like quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def xlsx_response(
    filename: str, headers: list[str], rows: Iterable[Iterable[object]]
) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it after streaming
    book = xlsxwriter.Workbook(
        spool, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, headers, bold)
    text = book.add_format({"num_format": "@"})
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            cell = safe_cell(value)
            if isinstance(cell, str):
                sheet.write_string(r, c, cell, text)
            else:
                sheet.write(r, c, cell)
    book.close()
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(filename)
    return response


def xlsx_download(filename: str, data: bytes) -> HttpResponse:
    """A workbook already in memory (an import template) as a download named `filename`."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_template(
    sheet_name: str,
    headers: list[str],
    example: list[str],
    widths: list[int],
    *,
    choices: dict[str, list[str]] | None = None,
    notes: list[str] | None = None,
    rows: int = 5000,
) -> bytes:
    """A download template for an import: bold headers, one example row, every column
    formatted as text (ID and phone numbers keep their digits), drop-down lists for the
    columns named in `choices`, and an optional sheet of notes after the data sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(sheet_name)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet.write_row(0, 0, headers, head)
    sheet.write_row(1, 0, example, text)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width, text)
    for header, values in (choices or {}).items():
        col = headers.index(header)
        sheet.data_validation(1, col, rows, col, {"validate": "list", "source": values})
    sheet.freeze_panes(1, 0)
    if notes:
        help_sheet = book.add_worksheet("填写说明")
        help_sheet.set_column(0, 0, 100)
        for r, line in enumerate(notes):
            help_sheet.write_string(r, 0, line)
    book.close()
    return buffer.getvalue()
