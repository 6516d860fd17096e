"""Excel exports: written row by row (xlsxwriter constant memory), formula injection neutralised."""

import tempfile
from collections.abc import Iterable
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse

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
