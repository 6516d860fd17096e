"""A real year's audit, through the pages and the API: in January the hospital's CME officer
runs the unit's 2024 audit, finds who is short and why, grants an exemption (不计达标) with
its scan, exports the list and checks it against the page, and submits to the city; the
city returns it with a reason, then approves it after a fix; the province accepts it; the
city sees its units' summary and the late ones; HR downloads a staff member's annual
certificate and the unit's list. Bad input is refused beside its field and writes nothing."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cme.audits.models import AnnualAudit, AnnualCertificate, AuditDecision
from cme.audits.tests.factories import YEAR, qualified, short, staff
from cme.claims.tests.factories import pdf
from cme.credits.models import Exemption
from cme.holding.tests.test_api import api

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
JANUARY = datetime.datetime(2025, 1, 10, 9, tzinfo=SHANGHAI)


@pytest.fixture
def january(time_machine, cast):
    """The nurse is 达标 (30), the doctor short of I类, two new staff: one short of
    everything, one on long sick leave."""
    time_machine.move_to(JANUARY, tick=False)
    qualified(cast.persons["nurse"])
    qualified(cast.persons["doctor"], class1="3", class2="25")
    cast.short_one, cast.sick = staff(cast.city_hospital, 2)
    short(cast.short_one)
    return cast


def counts(body: str) -> dict[str, int]:
    found = dict(re.findall(r'<strong class="count-([a-z-]+)">(\d+)</strong>', body))
    return {k.replace("-", "_"): int(v) for k, v in found.items()}


def field_error(body: str, field: str) -> str:
    match = re.search(
        r'name="{f}".*?<div class="invalid-feedback[^"]*">(.*?)</div>'.format(f=field), body, re.S
    )
    return match.group(1) if match else ""


def logged_in(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


def test_the_officer_runs_the_year_and_the_city_returns_then_approves(january, client):
    cast = january
    unit_url = reverse("audits:unit", args=[cast.city_hospital.pk, YEAR])
    officer = logged_in(client.__class__, cast.users["city_admin"])

    assert officer.get(reverse("audits:index"))["Location"] == unit_url
    page = officer.get(unit_url).content.decode()
    assert counts(page) == {"qualified": 1, "not_qualified": 3, "exempt": 0}
    assert 'id="submit-audit"' in page
    short_page = officer.get(unit_url, {"result": "not_qualified"}, headers={"HX-Request": "true"})
    body = short_page.content.decode()
    assert "<html" not in body and "I类学分" in body and cast.persons["doctor"].name in body

    # the exemption: the scan is required, a wrong file and an empty reason are refused
    sick_url = reverse("credits:exempt", args=[cast.sick.pk]) + "?year=2024"
    person_page = officer.get(reverse("credits:person", args=[cast.sick.pk]) + "?year=2024")
    assert "设为本年度不计达标" in person_page.content.decode()
    empty = officer.post(sick_url, {"reason": "", "evidence": pdf()})
    assert empty.status_code == 422 and field_error(empty.content.decode(), "reason")
    no_scan = officer.post(sick_url, {"reason": "病假"})
    assert no_scan.status_code == 422 and field_error(no_scan.content.decode(), "evidence")
    text = SimpleUploadedFile("病假证明.pdf", b"not a scan", content_type="application/pdf")
    wrong = officer.post(sick_url, {"reason": "病假", "evidence": text})
    assert "不是PDF、JPG或PNG格式" in field_error(wrong.content.decode(), "evidence")
    future = officer.post(
        reverse("credits:exempt", args=[cast.sick.pk]) + "?year=2026",
        {"reason": "病假", "evidence": pdf()},
    )
    assert future.status_code == 422
    assert not Exemption.objects.exists()
    done = officer.post(sick_url, {"reason": "长期病假（2024年3月至12月）", "evidence": pdf()})
    assert done.status_code == 302
    assert counts(officer.get(unit_url, {"fresh": "1"}).content.decode()) == {
        "qualified": 1,
        "not_qualified": 2,
        "exempt": 1,
    }

    # the Excel list says what the page says
    export = officer.get(unit_url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    results = [r[8] for r in rows[1:]]
    assert sorted(results) == sorted(["达标", "不达标", "不达标", "不计达标"])
    doctor = next(r for r in rows[1:] if r[0] == cast.persons["doctor"].name)
    assert (doctor[4], doctor[5]) == (28, 3)
    assert cast.persons["doctor"].id_number not in str(rows)

    # the API answers the same
    data = api(client, cast.users["city_admin"])(
        "get", "/audits/units/{u}/{y}".format(u=cast.city_hospital.pk, y=YEAR)
    ).json()
    assert data["counts"] == {"qualified": 1, "not_qualified": 2, "exempt": 1}

    # submit to the city; it cannot be submitted twice
    response = officer.post(reverse("audits:submit", args=[cast.city_hospital.pk, YEAR]))
    assert response.status_code == 302
    audit = AnnualAudit.objects.get()
    assert (audit.state, audit.holder, audit.qualified_count) == ("in_review", cast.changsha, 1)
    page = officer.get(unit_url).content.decode()
    assert 'id="submit-audit"' not in page and "等待长沙市卫生健康委员会审核" in page
    # the exemption cannot change a list that is with the reviewers
    late = officer.post(
        reverse("credits:exempt", args=[cast.short_one.pk]) + "?year=2024",
        {"reason": "产假", "evidence": pdf()},
    )
    assert late.status_code == 422 and "审核中" in late.content.decode()
    assert Exemption.objects.count() == 1

    # the city: a reason left empty is refused beside the field
    city = logged_in(client.__class__, cast.users["changsha"])
    queue = city.get(reverse("audits:queue")).content.decode()
    assert cast.city_hospital.name in queue and ">审核<" in queue
    decide = reverse("audits:decide", args=[audit.pk])
    empty = city.post(decide, {"decision": "return", "reason": ""})
    assert empty.status_code == 422
    assert "须填写原因" in field_error(empty.content.decode(), "reason")
    audit.refresh_from_db()
    assert audit.state == "in_review" and audit.decisions.count() == 1
    city.post(decide, {"decision": "return", "reason": "王建国的I类学分请核实"})
    audit.refresh_from_db()
    assert audit.state == "returned"
    page = officer.get(unit_url).content.decode()
    assert "退回原因：王建国的I类学分请核实" in page and "重新提交审核" in page

    # the unit fixes the doctor's year and resubmits
    qualified(cast.persons["doctor"], class1="5", class2="0")
    officer.post(reverse("audits:submit", args=[cast.city_hospital.pk, YEAR]))
    audit.refresh_from_db()
    assert (audit.state, audit.qualified_count) == ("in_review", 2)
    city.post(decide, {"decision": "approve"})
    audit.refresh_from_db()
    assert audit.holder == cast.province
    # a second click of the city is told, and nothing is written twice
    again = city.post(decide, {"decision": "approve"}, follow=True)
    assert "已被他人处理" in again.content.decode()
    province = logged_in(client.__class__, cast.users["province"])
    province.post(decide, {"decision": "approve"})
    audit.refresh_from_db()
    assert audit.state == "approved"
    assert AuditDecision.objects.filter(audit=audit, kind="approved").count() == 2
    assert AnnualCertificate.objects.count() == 2

    # the nurse prints her certificate
    learner = logged_in(client.__class__, cast.users["learner"])
    mine = learner.get(reverse("credits:mine") + "?year=2024").content.decode()
    assert reverse("audits:annual_certificate_pdf", args=[YEAR]) in mine
    pdf_response = learner.get(reverse("audits:annual_certificate_pdf", args=[YEAR]))
    assert pdf_response["Content-Type"] == "application/pdf"

    # HR (the unit's account) downloads a staff member's certificate and the unit's list
    nurse = cast.persons["nurse"]
    staff_page = officer.get(reverse("credits:person", args=[nurse.pk]) + "?year=2024")
    url = reverse("audits:staff_certificate_pdf", args=[nurse.pk, YEAR])
    assert url in staff_page.content.decode()
    response = officer.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join([response.content]).startswith(b"%PDF")
    missing = officer.get(reverse("audits:staff_certificate_pdf", args=[cast.sick.pk, YEAR]))
    assert missing.status_code == 404 and "没有年度合格证明" in missing.content.decode()
    other = logged_in(client.__class__, cast.users["zhuzhou_admin"])
    assert other.get(url).status_code == 404
    assert logged_in(client.__class__, cast.users["changsha"]).get(url).status_code == 200
    hr_api = api(client, cast.users["city_admin"])(
        "get", "/persons/{p}/annual-certificates/{y}/pdf".format(p=nurse.pk, y=YEAR)
    )
    assert hr_api.status_code == 200 and hr_api["Content-Type"] == "application/pdf"
    unit_list = officer.get(unit_url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(unit_list.streaming_content))).active
    assert sum(1 for r in sheet.iter_rows(min_row=2, values_only=True) if r[8] == "达标") == 2


def test_the_city_sees_its_units_and_the_late_ones(january, client):
    cast = january
    officer = logged_in(client.__class__, cast.users["city_admin"])
    officer.post(reverse("audits:submit", args=[cast.city_hospital.pk, YEAR]))
    city = logged_in(client.__class__, cast.users["changsha"])
    body = city.get(reverse("stats:audits"), {"year": YEAR}).content.decode()
    assert cast.city_hospital.name in body and cast.county_hospital.name in body
    assert cast.zhuzhou_hospital.name not in body
    late = city.get(reverse("stats:audits"), {"year": YEAR, "state": "not_submitted"})
    late_body = late.content.decode()
    assert cast.county_hospital.name in late_body and cast.city_hospital.name not in late_body
    data = api(client, cast.users["changsha"])("get", "/audits/queue").json()
    assert [a["unit"]["name"] for a in data["items"]] == [cast.city_hospital.name]


def test_an_audit_of_a_year_not_begun_is_refused(january, client):
    cast = january
    officer = logged_in(client.__class__, cast.users["city_admin"])
    page = officer.get(reverse("audits:unit", args=[cast.city_hospital.pk, 2026])).content.decode()
    assert 'id="submit-audit"' not in page
    response = officer.post(
        reverse("audits:submit", args=[cast.city_hospital.pk, 2026]), follow=True
    )
    assert "2026年度尚未开始" in response.content.decode()
    assert not AnnualAudit.objects.exists()
    call = api(client, cast.users["city_admin"])
    response = call("post", "/audits/units/{u}/2026/submit".format(u=cast.city_hospital.pk))
    assert response.status_code == 400 and response.json()["code"] == "AUDIT_FUTURE_YEAR"
    # a learner is offered no audit at all
    learner = logged_in(client.__class__, cast.users["learner"])
    assert learner.get(reverse("audits:index")).status_code == 403
