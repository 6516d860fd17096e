"""The import contract for spreadsheets (staff lists now, rosters and records later).

1. Read .xlsx/.xls with python-calamine or .csv (UTF-8 or GB18030), keeping the
   spreadsheet's own row numbers.
2. Find the header row among the first rows (real files put a merged title above it),
   map its Chinese headers to fields, name a missing required column; extra columns
   are reported and ignored.
3. Normalise every cell as a person meant it: full-width to half-width, no stray
   spaces, whole numbers without ".0", ID numbers with every digit or a clear refusal
   when Excel already lost the digits (1.23E+17). A text cell that a spreadsheet would
   run as a formula (= + - @ in front, CSV injection) is refused with its row.
An upload is first judged by its first bytes (`check_upload`): a file whose content is
not a workbook, or a CSV named .xlsx, is refused before it is read.
Validation and writing belong to each importer; it collects `RowError`s and writes
nothing unless there are none.
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

import python_calamine
from stdnum.cn import ric

from cme.core.errors import DomainError

HEADER_SCAN_ROWS = 10
MAX_ROWS = 100_000
MAX_COLUMNS = 256  # templates have a few dozen columns
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: its parts unpacked
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
LOST_DIGITS = (
    "以数字格式保存，Excel只保留15位有效数字，后几位已丢失（显示为1.23E+17一类）；"
    "请把该列设为文本格式，重新填写完整号码后再导入。"
)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    identifier: bool = False  # long digit strings: keep every digit, never a float
    date: bool = False  # a number in the cell is an Excel date serial (46086) or 20260305
    serial: bool = False  # a 序号 column: a row with nothing else in it is blank

    def names(self) -> set[str]:
        return {_header_key(self.header), *(_header_key(a) for a in self.aliases)}


@dataclass
class Row:
    number: int  # the row number the user sees in Excel
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return "第{row}行 {column}：{message}".format(
            row=self.row, column=self.column, message=self.message
        )

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    rows: list[Row]
    header_row: int
    sheet: str = ""  # the worksheet read (a workbook's first visible one with the header)
    ignored_headers: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(
        default_factory=dict
    )  # field -> the header as the file wrote it
    errors: list[RowError] = field(default_factory=list)  # cell-level problems found while reading


# what a file that is not a spreadsheet turns out to be, for the message
_NOT_SPREADSHEETS = [
    (b"MZ", "Windows可执行程序"),
    (b"\x7fELF", "Linux可执行程序"),
    (b"\xcf\xfa\xed\xfe", "macOS可执行程序"),
    (b"#!", "脚本程序"),
    (b"%PDF-", "PDF文件"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPG图片"),
    (b"Rar!", "RAR压缩包"),
    (b"7z\xbc\xaf", "7z压缩包"),
    (b"\x1f\x8b", "gzip压缩包"),
]
SPREADSHEET_NAMES = (".xlsx", ".xlsm", ".xls")
TEXT_NAMES = (".csv", ".txt")
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
_QUOTED_TEXT = re.compile(r'^="([0-9A-Za-z-]*)"$')
_FORMULA_START = re.compile(r"^[=@]|^[+-](?![\d\s.,()-]*$)")


def check_upload(name: str, head: bytes) -> None:
    """Refuse an upload whose first bytes say it is no spreadsheet, whatever its name says:
    an .xlsx must be a zip, an .xls an OLE file (or an .xlsx saved under the old name), a
    .csv text; anything else (a renamed program, a PDF, a picture) is named in the message.
    Called with the first 4 KB before the upload is read in full."""
    kind = next((label for sig, label in _NOT_SPREADSHEETS if head.startswith(sig)), None)
    is_zip = head[:4] == b"PK\x03\x04"
    is_ole = head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    lower = name.lower()
    if kind is None and not (is_zip or is_ole):
        if b"\x00" in head:
            kind = "二进制文件"
        elif lower.endswith(SPREADSHEET_NAMES):
            kind = "文本或CSV文件"
        elif lower.endswith(TEXT_NAMES) or "." not in lower:
            return
        else:
            kind = "“{ext}”文件".format(ext=lower.rsplit(".", 1)[-1])
    if kind is None:  # a zip or OLE file: a workbook unless named otherwise
        if lower.endswith(TEXT_NAMES):
            kind = "Excel或其他二进制文件，与扩展名不符"
        else:
            return
    raise DomainError(
        "FILE_TYPE",
        "上传的文件“{name}”不是Excel表格（.xlsx/.xls）或CSV文件：内容是{kind}。"
        "请使用下载的模板填写后重新上传。".format(name=name, kind=kind),
        field="file",
    )


def sniff_format(data: bytes) -> str:
    """The file's real format from its content, whatever its name says."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if b"\x00" in data[:4096]:
        raise DomainError("FILE_TYPE", "文件不是Excel（.xlsx/.xls）或CSV文件，请使用下载的模板。")
    return "csv"


def read_table(data: bytes, columns: Iterable[Column]) -> Table:
    columns = list(columns)
    fmt = sniff_format(data)
    sheets = [("", _read_csv(data))] if fmt == "csv" else _read_workbook(data)
    sheet, raw, (header_index, mapping, ignored) = _choose_sheet(sheets, columns)
    table = Table(
        rows=[],
        header_row=header_index + 1,
        sheet=sheet,
        ignored_headers=ignored,
        headers={column.field: str(raw[header_index][c]).strip() for c, column in mapping.items()},
    )
    data_columns = [c for c, column in mapping.items() if not column.serial]
    exact_needed: list[tuple[int, int, Column]] = []
    last_data = _last_data_row(raw, header_index, data_columns)
    for r in range(header_index + 1, last_data + 1):
        cells = raw[r]
        if all(_is_blank(cells[c]) for c in data_columns if c < len(cells)):
            continue  # blank, or only a 序号 the template numbered in advance
        values = {}
        for c, column in mapping.items():
            cell = cells[c] if c < len(cells) else ""
            if column.identifier and isinstance(cell, float) and abs(cell) >= 1e15:
                exact_needed.append((r, c, column))
                values[column.field] = ""
                continue
            if column.date:
                cell = _date_cell(cell)
            values[column.field] = text = _cell_text(cell, identifier=column.identifier)
            if isinstance(cell, str) and _FORMULA_START.match(text):
                header = str(raw[header_index][c]).strip() or column.header
                table.errors.append(RowError(r + 1, header, formula_message(text[0])))
        table.rows.append(Row(number=r + 1, values=values))
        if len(table.rows) > MAX_ROWS:
            raise DomainError(
                "FILE_TOO_MANY_ROWS", "文件超过{n}行，请分批导入。".format(n=MAX_ROWS)
            )
    if exact_needed:
        _recover_long_numbers(data, fmt, sheet, exact_needed, table)
    return table


# What a form puts under its list: a totals row, the signatures, a note. Such rows after
# the last person are not data (合计 2人 is no person without an ID number).
_FOOTER = re.compile(
    r"^[(（]?\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|以下空白|以下无内容|(?:填表|制表|填报|审核|"
    r"经办|单位负责|负责|联系)人\s*[:：]|(?:填表|制表|填报)(?:日期|时间)\s*[:：]|"
    r"(?:注|备注|说明)\s*[:：])"
)


def _is_footer(cells: list) -> bool:
    first = next((c for c in cells if not _is_blank(c)), None)
    return isinstance(first, str) and bool(
        _FOOTER.match(unicodedata.normalize("NFKC", first).strip())
    )


def _last_data_row(raw: list[list], header_index: int, data_columns: list[int]) -> int:
    """The index of the last row that is neither blank nor a footer (合计, 填表人：…)."""
    for r in range(len(raw) - 1, header_index, -1):
        cells = raw[r]
        if all(_is_blank(cells[c]) for c in data_columns if c < len(cells)):
            continue
        if not _is_footer(cells):
            return r
    return header_index


_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _date_cell(cell: object) -> object:
    """A date column's number as the date it stands for: an Excel serial (46086, a date
    cell whose format was changed to 常规) or 20260305 typed as one number."""
    if isinstance(cell, bool) or not isinstance(cell, int | float | str):
        return cell
    text = cell.strip() if isinstance(cell, str) else None
    if text is not None and not re.fullmatch(r"\d{8}", text):
        return cell
    number = int(text) if text is not None else cell
    if isinstance(number, float):
        if not number.is_integer():
            return cell
        number = int(number)
    if 19000101 <= number <= 21001231:
        try:
            return datetime.date(number // 10000, number // 100 % 100, number % 100)
        except ValueError:
            return cell
    if text is None and 1 <= number <= 73050:  # 1900-01-01 to 2099-12-31
        return _EXCEL_EPOCH + datetime.timedelta(days=number)
    return cell


def formula_message(first: str) -> str:
    return (
        "内容以“{c}”开头，在电子表格中会被当作公式执行，不能导入；"
        "请删除开头的“{c}”后重新导入。".format(c=first)
    )


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_xlsx(data: bytes) -> None:
    """Refuse, before anything unpacks it, an .xlsx that would take the reader's memory: a
    zip whose parts unpack past MAX_UNPACKED_BYTES (a zip bomb), or a sheet with a cell far
    outside the import's range (one value in XFD1048576 makes every reader build a grid of
    17 billion cells)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DomainError("FILE_UNREADABLE", "无法读取该Excel文件，文件可能已损坏或加密。") from exc
    if "xl/workbook.xml" not in {p.filename for p in parts}:  # a .docx, .jar, .apk, a zip
        raise DomainError(
            "FILE_TYPE",
            "文件是压缩包而不是Excel表格（.xlsx）；请使用下载的模板填写后重新上传。",
            field="file",
        )
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise DomainError(
            "FILE_UNPACKS_TOO_LARGE",
            "文件解压后超过{n}MB（可能是压缩炸弹），请另存为普通Excel文件或分批导入。".format(
                n=MAX_UNPACKED_BYTES // 1024 // 1024
            ),
        )
    for part in parts:
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        max_row = max_col = 0
        for letters, digits in _CELL_REF.findall(archive.read(part)):
            max_row = max(max_row, int(digits))
            max_col = max(max_col, _column_number(letters))
        if max_row > MAX_ROWS + HEADER_SCAN_ROWS or max_col > MAX_COLUMNS:
            raise DomainError(
                "FILE_RANGE_TOO_LARGE",
                "工作表中第{r}行或第{c}列有内容，超出导入范围（最多{n}行、{m}列）；"
                "请删除表格右侧和下方多余的单元格后重新导入。".format(
                    r=max_row, c=max_col, n=MAX_ROWS, m=MAX_COLUMNS
                ),
            )


def _read_workbook(data: bytes) -> list[tuple[str, list[list]]]:
    """Every visible worksheet, by name (a hidden sheet holds drop-down lists or an old copy,
    never the list the user sees)."""
    if data[:4] == b"PK\x03\x04":
        check_xlsx(data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [
            (meta.name, book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False))
            for meta in book.sheets_metadata
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            and meta.visible == python_calamine.SheetVisibleEnum.Visible
        ]
    except Exception as exc:  # calamine raises several types for damaged files
        raise DomainError("FILE_UNREADABLE", "无法读取该Excel文件，文件可能已损坏或加密。") from exc


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError("FILE_ENCODING", "无法识别CSV文件的编码，请另存为UTF-8或使用Excel模板。")
    return list(csv.reader(io.StringIO(text)))


def _header_key(text: object) -> str:
    key = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：()（）【】\[\]]", "", key).strip()


def _header_keys(text: object) -> list[str]:
    """A header as written, then without what it says in brackets: 身份证号码（18位） is
    身份证号码, 手机号码(必填) is 手机号码."""
    key = _header_key(text)
    bare = _header_key(
        re.sub(r"[(（【\[][^)）】\]]*[)）】\]]", "", unicodedata.normalize("NFKC", str(text or "")))
    )
    return [key, bare] if bare and bare != key else [key]


def _best_header(
    raw: list[list], columns: list[Column]
) -> tuple[int, dict[int, Column], list[str]] | None:
    lookup = {name: column for column in columns for name in column.names()}
    best: tuple[int, dict[int, Column], list[str]] | None = None
    for r, cells in enumerate(raw[:HEADER_SCAN_ROWS]):
        mapping: dict[int, Column] = {}
        ignored = []
        for c, cell in enumerate(cells):
            keys = _header_keys(cell)
            if not keys[0]:
                continue
            column = next((lookup[k] for k in keys if k in lookup), None)
            if column and column not in mapping.values():
                mapping[c] = column
            else:
                ignored.append(str(cell).strip())
        if len(mapping) >= 2 and (best is None or len(mapping) > len(best[1])):
            best = (r, mapping, ignored)
    return best


def _missing(best: tuple[int, dict[int, Column], list[str]], columns: list[Column]) -> list[str]:
    found = set(best[1].values())
    return [c.header for c in columns if c.required and c not in found]


def _has_rows(raw: list[list], best: tuple[int, dict[int, Column], list[str]]) -> bool:
    header_index, mapping, _ = best
    return (
        _last_data_row(raw, header_index, [c for c, col in mapping.items() if not col.serial])
        > header_index
    )


def _choose_sheet(
    sheets: list[tuple[str, list[list]]], columns: list[Column]
) -> tuple[str, list[list], tuple[int, dict[int, Column], list[str]]]:
    """The worksheet holding the list: the one visible sheet with the header (the data may
    be on the second sheet, after a 说明 sheet). Two sheets both holding a list are refused
    rather than one of them silently left out."""
    found = [(name, raw, best) for name, raw in sheets if (best := _best_header(raw, columns))]
    if not found:
        raise DomainError(
            "FILE_NO_HEADER",
            "在文件前{n}行中没有找到表头（如“姓名”“证件号码”），请使用下载的模板。".format(
                n=HEADER_SCAN_ROWS
            ),
        )
    complete = [f for f in found if not _missing(f[2], columns)]
    with_rows = [f for f in complete if _has_rows(f[1], f[2])]
    if len(with_rows) > 1:
        raise DomainError(
            "FILE_MANY_SHEETS",
            "文件中有{n}个工作表都填有名单（{names}），请合并到一个工作表后再导入，"
            "或分别保存为单独的文件导入。".format(
                n=len(with_rows), names="、".join("“{s}”".format(s=f[0]) for f in with_rows)
            ),
        )
    if with_rows or complete:
        return (with_rows or complete)[0]
    name, _raw, best = max(found, key=lambda f: len(f[2][1]))
    raise DomainError(
        "FILE_MISSING_COLUMN",
        "{sheet}第{row}行表头缺少必填列：{cols}。".format(
            sheet="工作表“{s}”".format(s=name) if len(sheets) > 1 else "",
            row=best[0] + 1,
            cols="、".join(_missing(best, columns)),
        ),
    )


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _cell_text(cell: object, *, identifier: bool = False) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time() else cell.isoformat(" ")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    text = str(cell)
    if not unicodedata.is_normalized("NFKC", text):  # cheap; most cells already are
        text = unicodedata.normalize("NFKC", text)
    if _INVISIBLE.search(text):  # pasted from a web page or a chat: zero-width spaces
        text = _INVISIBLE.sub("", text)
    if identifier:
        text = "".join(text.split())
        quoted = _QUOTED_TEXT.match(text)
        if quoted:  # ="430102…", the way exported CSV files keep a number as text
            text = quoted[1]
        text = text.lstrip("'‘’`")  # Excel's leading apostrophe, or a Chinese IME's
    else:
        text = " ".join(text.split())  # no stray spaces: trimmed, inner runs made one
    return text


def is_lost_digits(text: str) -> bool:
    """A number Excel already rounded: scientific notation, or 18 digits ending in 000."""
    return bool(_SCIENTIFIC.match(text))


def _recover_long_numbers(
    data: bytes, fmt: str, sheet: str, cells: list[tuple[int, int, Column]], table: Table
) -> None:
    """calamine reads every number as a float; a long ID number needs its exact digits.

    A file written by a program keeps them in the XML (openpyxl reads an int); a file
    where Excel already rounded the number has only a float or trailing zeros.
    """
    exact: dict[tuple[int, int], object] = {}
    if fmt == "xlsx":
        import openpyxl  # only for this rare path

        wanted = {(r, c) for r, c, _ in cells}
        last_row = max(r for r, _, _ in cells)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for r, values in enumerate(book[sheet].iter_rows(max_row=last_row + 1, values_only=True)):
            for c, value in enumerate(values):
                if (r, c) in wanted:
                    exact[(r, c)] = value
        book.close()
    rows_by_number = {row.number: row for row in table.rows}
    for r, c, column in cells:
        value = exact.get((r, c))
        row = rows_by_number[r + 1]
        if isinstance(value, int) and (not str(value).endswith("000") or ric.is_valid(str(value))):
            row.values[column.field] = str(value)
        else:
            row.values[column.field] = ""
            header = table.headers.get(column.field, column.header)
            table.errors.append(RowError(r + 1, header, header + LOST_DIGITS))
