"""SPEC §5 "Attendance and credits": the roster (学员通讯录) comes in through the national
system's Excel template; import accepts real, messy files (ID numbers stored as numbers,
full-width characters, stray spaces, merged header cells), reports every bad row with its
row number and reason, and imports nothing half-way. Re-importing the same file adds
nothing; people new to the registry are created, joining a unit only when 工作单位 names
one exactly; an existing person's unit is never touched."""

import io
import random

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import DomainError
from cme.core.models import AuditEvent
from cme.demo.builders import resident_id
from cme.holding import rosters
from cme.holding.models import Attendee, ExecutionReport, RosterImport
from cme.holding.rosters import (
    commit_roster_import,
    preview_roster_import,
    queue_roster_import_commit,
    roster_template,
)
from cme.holding.tests.factories import attend, held_session
from cme.people.models import Person, UnitHistory
from cme.people.tests.test_staff_import import _replace_in_sheet
from cme.people.tests.test_staff_import import xlsx as staff_xlsx

HEADERS = [
    "序号",
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "工作单位",
    "科室",
    "职称",
    "手机号码",
    "电子邮箱",
    "考核结果",
]


def ids(n: int, seed: int = 5) -> list[str]:
    """Valid resident ID numbers without a final X (so they can be stored as numbers)."""
    rng, found = random.Random(seed), []
    while len(found) < n:
        number = resident_id(rng, "430102")
        if number[-1] != "X" and not number.endswith("000") and number not in found:
            found.append(number)
    return found


def row(n, name, number, *, unit="长沙市第一医院", title="护师", passed="合格", **kw):
    values = {
        "序号": n,
        "姓名": name,
        "性别": "",
        "证件类型": "",
        "证件号码": number,
        "工作单位": unit,
        "科室": "内科",
        "职称": title,
        "手机号码": "13800000000",
        "电子邮箱": "",
        "考核结果": passed,
    } | kw
    return [values[h] for h in HEADERS]


def xlsx(rows, *, headers=HEADERS, title=None) -> SimpleUploadedFile:
    """A roster as a sponsor's staff fill it in (the staff import's file builder): an
    optional merged title above the headers."""
    return staff_xlsx(rows, headers=headers, title=title, name="学员通讯录.xlsx")


def messages(record) -> list[str]:
    return ["第{row}行 {column}：{message}".format(**e) for e in record.errors]


@pytest.fixture
def session(cast):
    return held_session(cast)


@pytest.fixture
def admin(cast):
    return cast.users["city_admin"]


def preview(session, admin, upload):
    return preview_roster_import(session, upload, actor=admin)


def test_template_has_the_national_roster_columns_with_the_id_column_as_text():
    sheet = openpyxl.load_workbook(io.BytesIO(roster_template())).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["E2"].number_format == "@"  # 证件号码
    assert sheet["D2"].value == "居民身份证"


def test_a_messy_real_file_previews_then_commits_every_row(cast, session, admin):
    first, second, third = ids(3)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in second)
    rows = [
        row(1, "孙丽", 777, unit=" 长沙市 第一医院 "),  # the ID, stored as a number: below
        [],  # a blank row between people
        row(2, " 周 伟 ", " " + full_width + " ", unit="长沙市第一医院", passed=" 不合格 "),
        row(3, "吴敏", third, unit="某某社区卫生服务站", passed="", 电子邮箱="wu@example.cn"),
    ]
    upload = xlsx(rows, title="2024年某项目第1期学员通讯录")
    # Some tools write an 18-digit ID as a number cell with all its digits in the XML.
    upload = SimpleUploadedFile(
        "学员通讯录.xlsx",
        _replace_in_sheet(upload.read(), b"<v>777</v>", "<v>{n}</v>".format(n=first).encode()),
    )

    record = preview(session, admin, upload)

    assert record.errors == []
    assert record.state == RosterImport.State.PREVIEWED
    assert (record.total_rows, record.created_count, record.updated_count) == (3, 3, 0)
    assert not Person.objects.filter(id_number__in=[first, second, third]).exists()
    assert not session.attendees.exists()  # a preview writes nothing

    record = commit_roster_import(record, actor=admin)

    assert record.state == RosterImport.State.COMMITTED
    roster = {a.person.id_number: a for a in session.attendees.select_related("person__unit")}
    assert set(roster) == {first, second, third}
    assert roster[first].person.name == "孙丽" and roster[first].passed is True
    assert roster[second].person.name == "周伟" and roster[second].passed is False
    assert roster[third].passed is None and roster[third].email == "wu@example.cn"
    assert {a.source for a in roster.values()} == {Attendee.Source.IMPORT}
    assert AuditEvent.objects.filter(action="roster.import", object_id=str(record.pk)).exists()


def test_a_new_persons_unit_is_the_organisation_its_name_matches_exactly(cast, session, admin):
    matched, unmatched = ids(2, seed=8)
    record = preview(
        session,
        admin,
        xlsx(
            [
                row(1, "孙丽", matched, unit="长沙市　第一医院"),  # full-width space
                row(2, "周伟", unmatched, unit="某某社区卫生服务站"),
            ]
        ),
    )
    commit_roster_import(record, actor=admin)

    person = Person.objects.get(id_number=matched)
    assert person.unit == cast.city_hospital
    assert (person.sex, person.birth_date) != ("", None)  # derived from the ID, as staff import
    assert (person.title, person.department, person.phone) == ("护师", "内科", "13800000000")
    assert UnitHistory.objects.filter(person=person, unit=cast.city_hospital).exists()
    assert session.attendees.get(person=person).unit_name == "长沙市第一医院"

    stranger = Person.objects.get(id_number=unmatched)
    assert stranger.unit is None
    assert session.attendees.get(person=stranger).unit_name == "某某社区卫生服务站"


def test_an_existing_persons_unit_and_details_are_never_changed(cast, session, admin):
    nurse = cast.persons["zhuzhou_nurse"]  # registered at 株洲市中心医院
    before = Person.objects.filter(pk=nurse.pk).values().get()
    record = preview(
        session,
        admin,
        xlsx([row(1, nurse.name, nurse.id_number, unit="长沙市第一医院", title="主管护师")]),
    )
    assert record.errors == [] and record.created_count == 1
    commit_roster_import(record, actor=admin)

    assert Person.objects.filter(pk=nurse.pk).values().get() == before
    attendee = session.attendees.get(person=nurse)
    assert (attendee.unit_name, attendee.title) == ("长沙市第一医院", "主管护师")


def test_every_bad_row_is_reported_with_the_files_header_and_nothing_is_written(
    cast, session, admin
):
    good, other, unknown, bad_mail, dup = ids(5, seed=9)
    headers = [*HEADERS]
    headers[4] = "身份证号"  # the file's own header is the one named in the report
    rows = [
        row(1, "孙丽", good),
        row(2, "周伟", "360426199101010072"),  # check digit
        row(3, "吴敏", "110105491231002"),  # 15 digits
        row(4, "郑强", 1.23e17),  # Excel already lost the digits
        row(5, "", other),  # no name
        row(6, "错名字", cast.persons["nurse"].id_number),  # registry says 李小红
        row(7, "冯刚", unknown, passed="优秀"),
        row(8, "陈静", bad_mail, 电子邮箱="not-an-email"),
        row(9, "蒋涛", dup),
        row(10, "蒋涛", dup),  # the same attendee again
    ]
    record = preview(session, admin, xlsx(rows, headers=headers))

    assert record.state == RosterImport.State.INVALID
    assert messages(record) == [
        "第3行 身份证号：身份证号码校验位错误，请核对每一位数字。",
        "第4行 身份证号：15位身份证号为1999年以前的旧号码，已停止使用；请填写现行的18位居民身份证号码。",
        "第5行 身份证号：身份证号" + rosters_lost_digits(),
        "第6行 姓名：请填写姓名。",
        "第7行 姓名：姓名“错名字”与人员库中该证件号码登记的姓名不一致，请核对姓名和证件号码。",
        "第8行 考核结果：考核结果“优秀”无法识别，请填写“合格”或“不合格”，未考核可不填。",
        "第9行 电子邮箱：电子邮箱“not-an-email”格式不正确。",
        "第11行 身份证号：与第10行的证件号码重复。",
    ]
    with pytest.raises(DomainError) as exc:
        commit_roster_import(record, actor=admin)
    assert exc.value.code == "IMPORT_NOT_READY"
    assert not session.attendees.exists()
    assert not Person.objects.filter(id_number__in=[good, other, unknown, bad_mail, dup]).exists()


def rosters_lost_digits() -> str:
    from cme.core.excel import LOST_DIGITS

    return LOST_DIGITS


def test_reimporting_the_same_file_adds_nothing(cast, session, admin):
    numbers = ids(3, seed=12)
    upload = xlsx([row(i + 1, "学员{}".format(i), n) for i, n in enumerate(numbers)])
    commit_roster_import(preview(session, admin, upload), actor=admin)
    persons_before = Person.objects.count()
    upload.seek(0)

    again = preview(session, admin, upload)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    commit_roster_import(again, actor=admin)
    assert session.attendees.count() == 3
    assert Person.objects.count() == persons_before


def test_changed_values_are_updates_and_blank_cells_keep_what_is_there(cast, session, admin):
    numbers = ids(3, seed=13)
    rows = [row(i + 1, "学员{}".format(i), n) for i, n in enumerate(numbers)]
    commit_roster_import(preview(session, admin, xlsx(rows)), actor=admin)
    rows[0][10] = "不合格"
    rows[1][8] = "13900000000"
    rows[2][10] = ""  # blank: not given, the stored 合格 stays

    record = preview(session, admin, xlsx(rows))

    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 2, 1)
    commit_roster_import(record, actor=admin)
    roster = {a.person.id_number: a for a in session.attendees.select_related("person")}
    assert roster[numbers[0]].passed is False
    assert roster[numbers[1]].phone == "13900000000"
    assert roster[numbers[2]].passed is True


def test_an_attendee_already_entered_by_hand_is_matched_not_doubled(cast, session, admin):
    nurse = cast.persons["nurse"]
    attend(session, nurse, passed=None)
    record = preview(session, admin, xlsx([row(1, nurse.name, nurse.id_number)]))
    assert (record.created_count, record.updated_count) == (0, 1)
    commit_roster_import(record, actor=admin)
    attendee = session.attendees.get(person=nurse)
    assert attendee.passed is True and attendee.source == Attendee.Source.HAND


def test_csv_saved_in_gb18030(cast, session, admin):
    number = ids(1, seed=14)[0]
    text = "姓名,证件号码,工作单位,考核结果\n赵六,{n},长沙市第一医院,合格\n".format(n=number)
    record = preview(session, admin, SimpleUploadedFile("学员.csv", text.encode("gb18030")))
    assert record.errors == [] and record.created_count == 1


def test_legacy_xls_file(cast, session, admin):
    import xlwt

    number = ids(1, seed=15)[0]
    book = xlwt.Workbook()
    sheet = book.add_sheet("学员通讯录")
    for c, value in enumerate(["姓名", "证件号码", "工作单位", "考核结果"]):
        sheet.write(0, c, value)
    for c, value in enumerate(["钱七", number, "长沙市第一医院", "合格"]):
        sheet.write(1, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    record = preview(session, admin, SimpleUploadedFile("学员.xls", buffer.getvalue()))
    assert record.errors == [] and record.created_count == 1


def test_missing_required_column_is_named(session, admin):
    with pytest.raises(DomainError) as exc:
        preview(session, admin, xlsx([["张三", "内科"]], headers=["姓名", "科室"]))
    assert exc.value.code == "FILE_MISSING_COLUMN" and "证件号码" in exc.value.message


def lock(session, cast, state=ExecutionReport.State.SUBMITTED):
    return ExecutionReport.objects.create(
        session=session, state=state, due_on=session.ends_on, reviewer=cast.changsha
    )


def test_a_submitted_execution_report_locks_the_roster(cast, session, admin):
    lock(session, cast)
    with pytest.raises(DomainError) as exc:
        preview(session, admin, xlsx([row(1, "孙丽", ids(1)[0])]))
    assert exc.value.code == "ROSTER_LOCKED"
    assert "执行情况报告已提交" in exc.value.message


def test_a_returned_report_unlocks_it(cast, session, admin):
    lock(session, cast, ExecutionReport.State.RETURNED)
    assert preview(session, admin, xlsx([row(1, "孙丽", ids(1)[0])])).errors == []


def test_a_report_submitted_between_preview_and_commit_stops_the_commit(cast, session, admin):
    record = preview(session, admin, xlsx([row(1, "孙丽", ids(1)[0])]))
    lock(session, cast)
    with pytest.raises(DomainError):
        commit_roster_import(record, actor=admin)
    record.refresh_from_db()
    assert record.state == RosterImport.State.INVALID
    assert "执行情况报告已提交" in record.errors[0]["message"]
    assert not session.attendees.exists()


def test_commit_rechecks_against_the_registry_as_it_is_now(cast, session, admin):
    number = ids(1, seed=16)[0]
    record = preview(session, admin, xlsx([row(1, "孙丽", number)]))
    Person.objects.create(name="孙莉莉", id_number=number, unit=cast.zhuzhou_hospital)
    with pytest.raises(DomainError) as exc:
        commit_roster_import(record, actor=admin)
    assert exc.value.code == "IMPORT_HAS_ERRORS"
    record.refresh_from_db()
    assert "姓名“孙丽”与人员库" in record.errors[0]["message"]
    assert not session.attendees.exists()


def test_only_the_holding_unit_imports(cast, session):
    for key in ("changsha", "zhuzhou_admin"):
        with pytest.raises(DomainError) as exc:
            preview(session, cast.users[key], xlsx([row(1, "孙丽", ids(1)[0])]))
        assert exc.value.code == "FORBIDDEN"


def test_commit_is_queued_as_a_task_and_written_once(cast, session, admin):
    record = preview(session, admin, xlsx([row(1, "孙丽", ids(1, seed=17)[0])]))
    record = queue_roster_import_commit(record, actor=admin)  # ImmediateBackend in tests
    record.refresh_from_db()
    assert record.state == RosterImport.State.COMMITTED and record.created_count == 1
    with pytest.raises(DomainError):
        commit_roster_import(record, actor=admin)
    assert session.attendees.count() == 1


def test_a_crash_while_writing_leaves_nothing_and_says_so(cast, session, admin, monkeypatch):
    numbers = ids(2, seed=18)
    record = preview(session, admin, xlsx([row(1, "孙丽", numbers[0]), row(2, "周伟", numbers[1])]))

    def crash(session, plan, *, source):
        Person.objects.create(name="x", id_number=numbers[0])
        raise RuntimeError("disk full")

    monkeypatch.setattr(rosters, "write_roster_plan", crash)
    queue_roster_import_commit(record, actor=admin)  # the task fails inside
    assert not Person.objects.filter(id_number__in=numbers).exists()
    record.refresh_from_db()
    assert record.state == RosterImport.State.INVALID
    assert "系统错误" in record.errors[0]["message"]
