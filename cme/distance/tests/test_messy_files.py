"""The completion and attendance imports against the lists providers and societies really
send: dates however they are written, IDs with a lowercase x or spaces, the list on the
second sheet, .xls and GB18030 CSV; every bad row named by row and column."""

import datetime

import pytest

from cme.core.errors import DomainError
from cme.core.models import ImportRecord
from cme.core.tests import messy
from cme.distance import completions, meetings
from cme.distance.models import Completion, MeetingAttendee
from cme.distance.tests.test_meetings import record as record_meeting

HEADERS = ["序号", "学员姓名", "身份证号", "课程名称", "学习时长\n（学时）", "完成时间"]
SERIAL_2024_05_06 = 45418


def preview(cast, filing, data, name="学习记录.xlsx"):
    return completions.preview_completion_import(
        filing, messy.upload(data, name), actor=cast.users["distance"]
    )


def test_completion_dates_and_ids_as_written(cast, filing, course):
    nurse, doctor, county = (cast.persons[k] for k in ("nurse", "doctor", "county_doctor"))
    zhuzhou = cast.persons["zhuzhou_nurse"]
    rows = [
        [1, nurse.name, nurse.id_number.lower(), course.name, 6, datetime.date(2024, 5, 6)],
        [2, doctor.name, messy.spaced(doctor.id_number), course.name, "6", SERIAL_2024_05_06],
        [3, county.name, "'" + county.id_number, course.name, 3.0, "2024.5.6"],
        [4, zhuzhou.name, messy.full_width(zhuzhou.id_number), course.name, 6, "2024年5月6日"],
    ]
    data = messy.xlsx(("记录", messy.sheet_rows(HEADERS, rows, title="远程学习记录")))
    batch = preview(cast, filing, data)
    assert batch.errors == []
    assert batch.total_rows == 4
    completions.queue_completion_commit(batch, actor=cast.users["distance"])
    assert set(Completion.objects.values_list("record__activity_date", flat=True)) == {
        datetime.date(2024, 5, 6)
    }


def test_completion_bad_rows_are_named(cast, filing, course):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    rows = [
        [1, nurse.name, nurse.id_number, course.name, 6, "2024/05/06"],
        [2, doctor.name, doctor.id_number, course.name, 6, "2024.13.6"],
        [3, doctor.name, float(doctor.id_number), course.name, 6, "2024/05/06"],
        [4, nurse.name, nurse.id_number, course.name, 6, "2024/05/07"],
    ]
    data = messy.xlsx(("记录", messy.sheet_rows(HEADERS, rows, title="远程学习记录")))
    batch = preview(cast, filing, data)
    assert batch.state == ImportRecord.State.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert set(found) == {(5, "完成时间"), (6, "身份证号"), (7, "身份证号")}
    assert "“2024.13.6”无法识别" in found[(5, "完成时间")]
    assert "15位有效数字" in found[(6, "身份证号")]
    with pytest.raises(DomainError):
        completions.commit_completion_import(batch, actor=cast.users["distance"])
    assert not Completion.objects.exists()


def test_completions_in_xls_and_gb18030_csv(cast, filing, course):
    nurse = cast.persons["nurse"]
    line = [1, nurse.name, nurse.id_number, course.name, 6, datetime.date(2024, 5, 6)]
    xls = messy.xls(messy.sheet_rows(HEADERS, [line], title="记录"), date_columns=(5,))
    assert preview(cast, filing, xls, "记录.xls").errors == []
    csv = messy.gb18030_csv(messy.sheet_rows(HEADERS, [[*line[:5], "2024/5/6"]]))
    assert preview(cast, filing, csv, "记录.csv").errors == []


def test_an_attendance_list_on_the_second_sheet_with_a_footer(cast):
    meeting = record_meeting(cast)
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    rows = [
        [1, nurse.name, nurse.id_number.lower(), "长沙市第一医院"],
        [2, " ".join(doctor.name), messy.spaced(doctor.id_number), "长沙市第一医院"],
        [3, doctor.name, doctor.id_number, "长沙市第一医院"],  # listed twice
    ]
    data = messy.xlsx(
        ("说明", [["参会名单填写说明"]]),
        ("参会名单", messy.sheet_rows(["序号", "姓名", "身份证号码", "工作单位"], rows)),
    )
    report = meetings.preview_attendance_import(
        meeting, messy.upload(data), actor=cast.users["society_admin"]
    )
    assert messy.messages(report) == ["第4行 身份证号码：与第3行的证件号码重复。"]
    assert not MeetingAttendee.objects.exists()
    rows.pop()
    data = messy.gb18030_csv(messy.sheet_rows(["序号", "姓名", "身份证号码", "工作单位"], rows))
    report = meetings.preview_attendance_import(
        meeting, messy.upload(data, "名单.csv"), actor=cast.users["society_admin"]
    )
    assert report.errors == [] and report.created_count == 2
