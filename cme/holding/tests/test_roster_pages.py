"""SPEC §5 "Attendance and credits" on the pages: the holding unit imports, enters and marks
its roster (学员通讯录); authorities over it read it; another city sees nothing (404); a
submitted execution report locks it. Check-in: the unit opens it and shows a QR code; a
person on the roster checks in on the public page on the session's days, anyone else is
refused without learning who is on it; ID numbers are never shown whole."""

import datetime
import io
import random

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.core.models import AuditEvent
from cme.demo.builders import resident_id
from cme.holding.models import Attendee, ExecutionReport, HeldSession, RosterImport
from cme.holding.tests.factories import attend, held_session
from cme.people.models import Person

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
FIRST_DAY = datetime.datetime(2024, 5, 10, 8, 30, tzinfo=SHANGHAI)  # held_session: 10-11 May


@pytest.fixture
def session(cast) -> HeldSession:
    return held_session(cast)


@pytest.fixture
def nurse_on_roster(cast, session) -> Attendee:
    return attend(session, cast.persons["nurse"], passed=None)


def new_id(seed: int = 31) -> str:
    return resident_id(random.Random(seed), "430102")


def roster_file(rows, name="学员通讯录.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(["序号", "姓名", "证件号码", "工作单位", "职称", "考核结果"])
    for n, r in enumerate(rows, start=1):
        book.active.append([n, *r])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def url(name: str, *args) -> str:
    return reverse("holding:" + name, args=args)


def lock(cast, session) -> None:
    ExecutionReport.objects.create(
        session=session,
        state=ExecutionReport.State.SUBMITTED,
        due_on=session.ends_on,
        reviewer=cast.changsha,
    )


# --- seeing the roster ---------------------------------------------------------------------------


def test_the_holding_unit_sees_its_roster_with_masked_ids(login, cast, session, nurse_on_roster):
    nurse = cast.persons["nurse"]
    body = login("city_admin").get(url("roster", session.pk)).content.decode()
    assert nurse.name in body
    assert nurse.id_number not in body
    assert nurse.id_number[:4] + "**********" + nurse.id_number[-4:] in body
    for link in ("roster_import", "attendee_add", "roster_pass_all", "check_in_qr"):
        assert url(link, session.pk) in body, link


def test_the_session_card_links_to_the_roster(login, session):
    body = login("city_admin").get(url("project_sessions", session.project_id)).content.decode()
    assert url("roster", session.pk) in body and url("check_in_qr", session.pk) in body


def test_an_authority_over_the_unit_reads_it_but_cannot_change_it(
    login, cast, session, nurse_on_roster
):
    client = login("changsha")
    body = client.get(url("roster", session.pk)).content.decode()
    assert cast.persons["nurse"].name in body
    assert url("roster_import", session.pk) not in body
    assert url("attendee_passed", nurse_on_roster.pk) not in body
    assert client.get(url("roster_import", session.pk)).status_code == 403
    assert client.post(url("roster_pass_all", session.pk)).status_code == 403
    assert (
        client.post(url("attendee_passed", nurse_on_roster.pk), {"passed": "1"}).status_code == 403
    )
    assert client.get(url("check_in_qr", session.pk)).status_code == 403


def test_another_citys_reviewer_gets_404_everywhere(login, cast, session, nurse_on_roster):
    record = RosterImport.objects.create(
        session=session,
        uploaded_by=cast.users["city_admin"],
        file_name="a.xlsx",
        sha256="0" * 64,
        state=RosterImport.State.INVALID,
    )
    client = login("zhuzhou")
    for name, pk in [
        ("roster", session.pk),
        ("roster_template", session.pk),
        ("roster_import", session.pk),
        ("attendee_add", session.pk),
        ("check_in_qr", session.pk),
        ("roster_import_detail", record.pk),
    ]:
        assert client.get(url(name, pk)).status_code == 404, name
    for name, pk in [
        ("roster_pass_all", session.pk),
        ("check_in_open", session.pk),
        ("attendee_passed", nurse_on_roster.pk),
        ("attendee_remove", nurse_on_roster.pk),
        ("roster_import_commit", record.pk),
    ]:
        assert client.post(url(name, pk), {"passed": "1"}).status_code == 404, name
    assert Attendee.objects.filter(pk=nurse_on_roster.pk, passed=None).exists()


def test_the_roster_exports_with_masked_ids(login, cast, session, nurse_on_roster):
    response = login("changsha").get(url("roster", session.pk) + "?export=xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    nurse = cast.persons["nurse"]
    assert (
        rows[1][1] == nurse.name
        and rows[1][4] == nurse.id_number[:4] + "*" * 10 + nurse.id_number[-4:]
    )


def test_the_template_downloads(login, session):
    response = login("city_admin").get(url("roster_template", session.pk))
    assert response.status_code == 200 and response.content[:2] == b"PK"


# --- import through the pages --------------------------------------------------------------------


def test_upload_shows_the_report_then_commit_writes_the_roster(login, cast, session):
    client = login("city_admin")
    bad = client.post(
        url("roster_import", session.pk),
        {"file": roster_file([["孙丽", "360426199101010072", "长沙市第一医院", "护师", "合格"]])},
        follow=True,
    )
    report = bad.content.decode()
    assert "第2行" in report and "证件号码" in report and "校验位错误" in report
    assert "确认导入" not in report

    number = new_id()
    response = client.post(
        url("roster_import", session.pk),
        {"file": roster_file([["孙丽", number, "长沙市第一医院", "护师", "合格"]])},
    )
    record = RosterImport.objects.latest("pk")
    assert response["Location"] == url("roster_import_detail", record.pk)
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page and url("roster_import_commit", record.pk) in page

    client.post(url("roster_import_commit", record.pk))  # ImmediateBackend: done at once

    record.refresh_from_db()
    assert record.state == RosterImport.State.COMMITTED
    body = client.get(url("roster", session.pk)).content.decode()
    assert "孙丽" in body and number not in body


def test_commit_runs_as_a_background_task_and_the_page_shows_progress(
    login, cast, session, settings
):
    from django_tasks_db.models import DBTaskResult

    from cme.holding.tasks import commit_roster_import_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = login("city_admin")
    client.post(
        url("roster_import", session.pk),
        {"file": roster_file([["孙丽", new_id(), "长沙市第一医院", "护师", "合格"]])},
    )
    record = RosterImport.objects.latest("pk")
    client.post(url("roster_import_commit", record.pk))
    record.refresh_from_db()
    assert record.state == RosterImport.State.COMMITTING
    page = client.get(url("roster_import_detail", record.pk), HTTP_HX_REQUEST="true")
    assert "正在导入 1 行数据" in page.content.decode() and "hx-get" in page.content.decode()

    [queued] = DBTaskResult.objects.filter(status="READY")
    assert queued.task_path == "cme.holding.tasks.commit_roster_import_task"
    commit_roster_import_task.call(**queued.args_kwargs["kwargs"])
    record.refresh_from_db()
    assert record.state == RosterImport.State.COMMITTED and session.attendees.count() == 1
    assert "hx-get" not in client.get(url("roster_import_detail", record.pk)).content.decode()


# --- entry by hand, pass/fail, removal -----------------------------------------------------------


def add(client, session, **values):
    return client.post(
        url("attendee_add", session.pk),
        {"name": "", "id_type": "resident", "id_number": "", "sex": "", "passed": ""} | values,
    )


def test_entry_by_hand_is_checked_like_an_imported_row(login, cast, session):
    client = login("city_admin")
    bad = add(client, session, name="孙丽", id_number="360426199101010072")
    assert bad.status_code == 200 and "校验位错误" in bad.content.decode()

    nurse = cast.persons["nurse"]
    wrong_name = add(client, session, name="李晓红", id_number=nurse.id_number)
    assert "与人员库中该证件号码登记的姓名不一致" in wrong_name.content.decode()

    number = new_id(32)
    done = add(
        client, session, name="孙丽", id_number=number, unit_name="长沙市第一医院", passed="合格"
    )
    assert done.status_code == 302
    attendee = session.attendees.select_related("person").get(person__id_number=number)
    assert attendee.source == Attendee.Source.HAND and attendee.passed is True
    assert attendee.person.unit == cast.city_hospital
    event = AuditEvent.objects.get(action="roster.add")
    assert number not in str(event.changes)

    again = add(client, session, name="孙丽", id_number=number.lower())
    assert "该学员已在本期学员名单中" in again.content.decode()


def test_pass_or_fail_per_attendee_and_everyone_at_once(login, cast, session, nurse_on_roster):
    client = login("city_admin")
    other = attend(session, cast.persons["doctor"], passed=False)

    row = client.post(
        url("attendee_passed", nurse_on_roster.pk), {"passed": "0"}, HTTP_HX_REQUEST="true"
    )
    assert (
        row.status_code == 200
        and 'id="attendee-{}"'.format(nurse_on_roster.pk) in row.content.decode()
    )
    nurse_on_roster.refresh_from_db()
    assert nurse_on_roster.passed is False
    assert AuditEvent.objects.get(action="roster.passed").changes == {
        "考核结果": ["未考核", "不合格"]
    }

    client.post(url("roster_pass_all", session.pk))
    assert set(session.attendees.values_list("passed", flat=True)) == {True}
    assert AuditEvent.objects.get(action="roster.pass_all").changes == {"设为合格": 2}
    assert other.pk


def test_removing_an_attendee(login, cast, session, nurse_on_roster):
    client = login("city_admin")
    client.post(url("attendee_remove", nurse_on_roster.pk))
    assert not session.attendees.exists()
    assert Person.objects.filter(pk=cast.persons["nurse"].pk).exists()  # the person stays
    assert AuditEvent.objects.filter(action="roster.remove").exists()


def test_a_locked_roster_refuses_every_change_with_the_reason(
    login, cast, session, nurse_on_roster
):
    lock(cast, session)
    client = login("city_admin")
    page = client.get(url("roster", session.pk)).content.decode()
    assert "执行情况报告已提交或已审核通过" in page
    assert url("attendee_passed", nurse_on_roster.pk) not in page

    for response in (
        client.post(url("attendee_passed", nurse_on_roster.pk), {"passed": "1"}, follow=True),
        client.post(url("attendee_remove", nurse_on_roster.pk), follow=True),
        client.post(url("roster_pass_all", session.pk), follow=True),
        add(client, session, name="孙丽", id_number=new_id(33)),
    ):
        assert "学员通讯录不能再修改" in response.content.decode()
    nurse_on_roster.refresh_from_db()
    assert nurse_on_roster.passed is None and session.attendees.count() == 1


# --- check-in --------------------------------------------------------------------------------------


@pytest.fixture
def checkin_url(login, session, nurse_on_roster, settings) -> str:
    settings.PUBLIC_BASE_URL = "https://cme.example.cn"
    client = login("city_admin")
    client.post(url("check_in_open", session.pk))
    session.refresh_from_db()
    assert session.check_in_token
    page = client.get(url("check_in_qr", session.pk)).content.decode()
    public = "https://cme.example.cn" + reverse("check_in", args=[session.check_in_token])
    assert public in page and "<svg" in page and "cdn" not in page.lower()
    client.logout()
    return reverse("check_in", args=[session.check_in_token])


def sign(client, path, name, number):
    return client.post(path, {"name": name, "id_number": number})


def test_a_person_on_the_roster_checks_in_on_the_public_page(client, cast, checkin_url):
    nurse = cast.persons["nurse"]
    with time_machine.travel(FIRST_DAY, tick=False):
        form = client.get(checkin_url)
        assert form.status_code == 200 and "证件号码" in form.content.decode()
        done = sign(client, checkin_url, " " + nurse.name, nurse.id_number.lower())
    body = done.content.decode()
    assert "签到成功" in body
    assert nurse.id_number not in body and nurse.id_number[-4:] in body
    attendee = Attendee.objects.get(person=nurse)
    assert attendee.checked_in_at == FIRST_DAY

    with time_machine.travel(FIRST_DAY + datetime.timedelta(hours=3), tick=False):
        again = sign(client, checkin_url, nurse.name, nurse.id_number).content.decode()
    assert "您已签到" in again
    attendee.refresh_from_db()
    assert attendee.checked_in_at == FIRST_DAY  # the first time is kept


def test_anyone_not_on_the_roster_is_refused_without_learning_who_is(client, cast, checkin_url):
    doctor = cast.persons["doctor"]  # registered, not on this roster
    nurse = cast.persons["nurse"]
    with time_machine.travel(FIRST_DAY, tick=False):
        answers = [
            sign(client, checkin_url, doctor.name, doctor.id_number),
            sign(client, checkin_url, "孙丽", new_id(34)),
            sign(client, checkin_url, "李晓红", nurse.id_number),  # someone else's number
        ]
    for response in answers:
        body = response.content.decode()
        assert "您不在本期学员名单中，请联系主办方" in body
        assert nurse.name not in body
    assert not Attendee.objects.filter(checked_in_at__isnull=False).exists()


def test_a_malformed_id_number_is_explained(client, checkin_url):
    with time_machine.travel(FIRST_DAY, tick=False):
        body = sign(client, checkin_url, "孙丽", "360426199101010072").content.decode()
    assert "校验位错误" in body


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2024, 5, 9, 23, 50, tzinfo=SHANGHAI),
        datetime.datetime(2024, 5, 12, 0, 10, tzinfo=SHANGHAI),  # still 11 May in UTC
    ],
)
def test_check_in_works_only_on_the_sessions_days_local_time(client, cast, checkin_url, moment):
    nurse = cast.persons["nurse"]
    with time_machine.travel(moment, tick=False):
        body = sign(client, checkin_url, nurse.name, nurse.id_number).content.decode()
    assert "当前不在签到时间内" in body
    assert not Attendee.objects.filter(checked_in_at__isnull=False).exists()


def test_the_last_day_counts_until_midnight(client, cast, checkin_url):
    nurse = cast.persons["nurse"]
    with time_machine.travel(datetime.datetime(2024, 5, 11, 23, 50, tzinfo=SHANGHAI), tick=False):
        assert "签到成功" in sign(client, checkin_url, nurse.name, nurse.id_number).content.decode()


def test_a_closed_check_in_no_longer_answers(login, client, cast, session, checkin_url):
    login("city_admin").post(url("check_in_close", session.pk))
    nurse = cast.persons["nurse"]
    with time_machine.travel(FIRST_DAY, tick=False):
        response = sign(client, checkin_url, nurse.name, nurse.id_number)
    assert response.status_code == 404 and "签到已关闭" in response.content.decode()
    assert AuditEvent.objects.filter(action="roster.check_in_close").exists()


def test_repeated_refusals_are_slowed_down(client, checkin_url):
    from django.core.cache import cache

    cache.clear()
    with time_machine.travel(FIRST_DAY, tick=False):
        for seed in range(20):
            sign(client, checkin_url, "孙丽", new_id(100 + seed))
        response = sign(client, checkin_url, "孙丽", new_id(200))
    assert response.status_code == 429
    cache.clear()


def test_the_roster_page_uses_a_fixed_number_of_queries(
    login, cast, session, django_assert_max_num_queries
):
    """Adding attendees must not add queries (no query per row)."""
    from cme.demo.builders import person

    rng = random.Random(7)
    for i in range(30):
        attend(session, person(cast.city_hospital, "学员{}".format(i), resident_id(rng, "430102")))
    client = login("city_admin")
    for path in (url("roster", session.pk), url("roster", session.pk) + "?export=xlsx"):
        with django_assert_max_num_queries(12):
            assert client.get(path).status_code == 200
