"""Spreadsheets as a hospital's CME officer really sends them, for the importers' tests: a
merged title above the header, blank rows and a totals row at the end, a hidden sheet or the
list on the second sheet, the old .xls format, a CSV saved by Chinese Excel (GB18030)."""

import csv
import datetime
import io
import zipfile

import openpyxl
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile

FOOTER = [["合计", "共{n}人"], ["填表人：王芳", "", "联系电话：0731-84567890"]]


def sheet_rows(headers, rows, *, title=None, footer=None, blank_after=2):
    """The cells of one sheet top to bottom: title, an empty line, header, rows, blank
    rows, then the form's footer (合计, 填表人)."""
    out = []
    if title:
        out += [[title], []]
    out.append(headers)
    out += rows
    out += [[]] * blank_after
    for line in footer if footer is not None else FOOTER:
        out.append([cell.format(n=len(rows)) if isinstance(cell, str) else cell for cell in line])
    return out


def xlsx(*sheets, hidden=(), merge_title=True) -> bytes:
    """sheets: (name, cells) pairs; the sheets named in `hidden` are hidden."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, cells in sheets:
        sheet = book.create_sheet(name)
        for line in cells:
            sheet.append(line)
        if merge_title and cells and len(cells[0]) == 1 and len(cells) > 2:
            width = max(len(line) for line in cells)
            if width > 1:
                sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_exact_numbers(data: bytes, sheet_part: str, numbers: dict[int, str]) -> bytes:
    """Some tools write an 18-digit ID as a number cell with every digit in the XML
    (openpyxl writes a float): <v>777</v> → <v>430102…</v>."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == sheet_part:
                for placeholder, number in numbers.items():
                    content = content.replace(
                        "<v>{p}</v>".format(p=placeholder).encode(),
                        "<v>{n}</v>".format(n=number).encode(),
                    )
            out.writestr(item, content)
    return target.getvalue()


def xls(cells, *, date_columns=()) -> bytes:
    """An Excel 97-2003 workbook; cells in `date_columns` that are dates get a date format."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, line in enumerate(cells):
        for c, value in enumerate(line):
            if isinstance(value, datetime.date) and c in date_columns:
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def gb18030_csv(cells) -> bytes:
    """A CSV as Chinese Excel saves it: GB18030, CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(cells)
    return buffer.getvalue().encode("gb18030")


def upload(data: bytes, name: str = "名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def spaced(number: str) -> str:
    """430102 19900101 1234, as typed to be read back."""
    return "{a} {b} {c}".format(a=number[:6], b=number[6:14], c=number[14:])


def messages(record) -> list[str]:
    return ["第{row}行 {column}：{message}".format(**e) for e in record.errors]
