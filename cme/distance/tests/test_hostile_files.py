"""Issue 8 §5: the distance-learning imports (completion records, meeting attendance) refuse
a renamed program or a CSV named .xlsx by its first bytes, before reading it, writing
nothing — through the same check as every other import (cme.core.imports.read_upload)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import DomainError
from cme.distance import completions, meetings
from cme.distance.models import AttendanceImport, CompletionImport
from cme.distance.tests.test_meetings import record

RENAMED = {
    "exe": b"MZ\x90\x00\x03\x00\x00\x00" + bytes(512),
    "elf": b"\x7fELF\x02\x01\x01\x00" + bytes(512),
    "csv": "姓名,证件号码\n张三,430102199001011234\n".encode(),
}


@pytest.mark.parametrize("kind", RENAMED)
def test_the_completion_import_refuses_a_renamed_file(cast, filing, kind):
    with pytest.raises(DomainError) as refused:
        completions.preview_completion_import(
            filing, SimpleUploadedFile("学习记录.xlsx", RENAMED[kind]), actor=cast.users["distance"]
        )
    assert refused.value.code == "FILE_TYPE"
    assert "不是Excel表格" in refused.value.message
    assert not CompletionImport.objects.exists()


@pytest.mark.parametrize("kind", RENAMED)
def test_the_attendance_import_refuses_a_renamed_file(cast, kind):
    meeting = record(cast)
    with pytest.raises(DomainError) as refused:
        meetings.preview_attendance_import(
            meeting,
            SimpleUploadedFile("名单.xlsx", RENAMED[kind]),
            actor=cast.users["society_admin"],
        )
    assert refused.value.code == "FILE_TYPE"
    assert not AttendanceImport.objects.exists()
