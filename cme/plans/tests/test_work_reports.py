"""Issue 7 §6 (003 §七): units the city licenses and county bureaus send their year's work
report by 31 December (policy); late ones are flagged; the city sees who is missing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.plans import actions
from cme.plans.queries import work_report_for, work_report_status
from cme.plans.reminders import plan_reminders
from cme.plans.tests.helpers import plan_of

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(y, m, d, h=12):
    return datetime.datetime(y, m, d, h, tzinfo=SHANGHAI)


def send(cast, key, when=None, **kw):
    values = {"year": 2025, "text": "全年举办市级项目12项。"} | kw
    return actions.submit_work_report(actor=cast.users[key], at=when or at(2025, 12, 20), **values)


def test_the_city_sees_who_has_reported_who_is_late_and_who_is_missing(cast):
    send(cast, "city_admin", at(2025, 12, 31, 23))
    send(cast, "furong", at(2026, 1, 1, 0))
    statuses = {s.org.name: s.status for s in work_report_status(cast.changsha, 2025)}
    assert statuses == {"长沙市第一医院": "submitted", "长沙市芙蓉区卫生健康局": "late"}
    send(cast, "city_admin", year=2024)
    assert {s.status for s in work_report_status(cast.changsha, 2026)} == {"missing"}


def test_a_county_licensed_unit_reports_to_its_county_not_the_city(cast):
    with pytest.raises(DomainError) as exc:
        send(cast, "county_admin")
    assert exc.value.code == "NO_REPORT_CITY"
    with pytest.raises(PermissionDenied):
        send(cast, "changsha")


def test_a_report_needs_text_or_a_pdf_or_word_file_checked_by_content(cast):
    with pytest.raises(DomainError) as exc:
        send(cast, "city_admin", text=" ")
    assert exc.value.code == "REPORT_EMPTY"
    fake = SimpleUploadedFile("总结.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(DomainError) as exc:
        send(cast, "city_admin", text="", file=fake)
    assert exc.value.code == "FILE_TYPE"
    report = send(cast, "city_admin", text="", file=SimpleUploadedFile("总结.pdf", b"%PDF-1.4\n"))
    assert report.file


def test_sending_again_replaces_the_content_and_keeps_the_first_time(cast):
    first = send(cast, "city_admin", at(2025, 12, 1))
    again = send(cast, "city_admin", at(2026, 1, 5), text="补充：远程学习情况。")
    assert again.pk == first.pk
    assert again.text == "补充：远程学习情况。"
    assert again.submitted_at == at(2025, 12, 1) and not again.late


def test_another_city_cannot_open_a_changsha_report(cast):
    report = send(cast, "city_admin")
    assert work_report_for(cast.users["changsha"], report.pk) == report
    with pytest.raises(NotFound):
        work_report_for(cast.users["zhuzhou"], report.pk)


def test_reminders_for_the_plan_and_the_work_report(cast):
    texts = [r.text for r in plan_reminders(cast.users["city_admin"], datetime.date(2025, 3, 25))]
    assert texts == ["2025年上半年培训计划：报送长沙市卫生健康委员会"]
    assert plan_reminders(cast.users["city_admin"], datetime.date(2025, 4, 2)) == []
    plan_of(cast)  # a started draft stays overdue until the half ends
    late = plan_reminders(cast.users["city_admin"], datetime.date(2025, 4, 2))
    assert late[0].overdue
    assert plan_reminders(cast.users["city_admin"], datetime.date(2025, 7, 1)) == []
    december = plan_reminders(cast.users["furong"], datetime.date(2025, 12, 20))
    assert [r.text for r in december] == ["2025年度继续医学教育工作总结：报送长沙市卫生健康委员会"]
    send(cast, "furong")
    assert plan_reminders(cast.users["furong"], datetime.date(2025, 12, 20)) == []


def test_the_menu_links_the_work_report_only_for_those_who_send_one(login):
    url = reverse("plans:work_report")
    for key in ("city_admin", "furong"):
        assert url in login(key).get(reverse("home")).content.decode(), key
    # a society branch's secretary keeps its staff but sends no report (003 §七)
    secretary = login("secretary")
    assert url not in secretary.get(reverse("home")).content.decode()
    assert secretary.get(url).status_code == 403
