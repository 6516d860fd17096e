"""Issue 8 §5: uploads are judged by their content, and a spreadsheet built to exhaust the
reader's memory is refused before anything unpacks it — with a clear message, nothing
written, and the worker still alive (one cell in XFD1048576 otherwise aborts the process)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import DomainError
from cme.core.excel import Column, read_table
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
    table = read_table(workbook(("Z100", "备注")), COLUMNS)
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
