"""Issue 5 in the API: sessions of an approved project, their pre-event reports (late ones
flagged), the authority's received list, and scope."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.accounts.actions import create_api_token
from cme.projects.models import State
from cme.projects.tests.factories import national_declaration, valid_declaration

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def api(client, user):
    _record, token = create_api_token(actor=user, name="test")
    header = "Bearer " + token

    def call(method, url, data=None, **kw):
        if method == "post" and "files" in kw:
            return client.post("/api/v1" + url, kw.pop("files"), HTTP_AUTHORIZATION=header)
        return getattr(client, method)(
            "/api/v1" + url,
            data,
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
            **kw,
        )

    return call


def approved(project, number="2024-04-08-001(湘)"):
    project.state, project.number = State.APPROVED, number
    project.save(update_fields=["state", "number"])
    return project


def session_in(start="2024-05-10", end="2024-05-11") -> dict:
    return {
        "starts_on": start,
        "ends_on": end,
        "region": "430102",
        "address": "长沙市第一医院学术报告厅",
        "expected_participants": 120,
        "credits": "0.7",
    }


def pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% test\n", content_type="application/pdf")


@pytest.fixture
def project(cast):
    return approved(valid_declaration(cast))


def test_sessions_up_to_the_approved_number(cast, client, project):
    call = api(client, cast.users["city_admin"])
    url = "/projects/{p}/sessions".format(p=project.pk)
    first = call("post", url, session_in())
    assert first.status_code == 201, first.content
    assert first.json()["place"] == "湖南省长沙市芙蓉区长沙市第一医院学术报告厅"
    assert call("post", url, session_in("2024-09-20", "2024-09-21")).status_code == 201
    third = call("post", url, session_in("2024-11-01", "2024-11-02"))
    assert third.status_code == 400
    assert third.json()["code"] == "SESSIONS_OVER_APPROVED"
    assert third.json()["message"] == "该项目批准举办2期，已安排2期，不能再增加。"
    assert [s["number"] for s in call("get", url).json()] == [1, 2]


def test_a_changsha_session_owes_the_city_a_week_before(cast, client, project):
    call = api(client, cast.users["city_admin"])
    created = call("post", "/projects/{p}/sessions".format(p=project.pk), session_in()).json()
    detail = call("get", "/sessions/{s}".format(s=created["id"])).json()
    assert [
        (r["kind"], r["authority"]["name"], r["due_on"], r["status"]) for r in detail["pre_reports"]
    ] == [("city", "长沙市卫生健康委员会", "2024-05-03", "missing")]
    assert detail["can_award_credits"] is False


def test_a_national_session_also_reports_to_the_province(cast, client):
    project = approved(national_declaration(cast), number="2024-04-08-001(国)")
    call = api(client, cast.users["city_admin"])
    created = call("post", "/projects/{p}/sessions".format(p=project.pk), session_in()).json()
    due = {r["kind"]: (r["due_on"], r["days"]) for r in created["pre_reports"]}
    assert due == {"province": ("2024-04-26", 14), "city": ("2024-05-03", 7)}


def test_a_late_report_is_flagged_and_reaches_the_authority(cast, client, project):
    call = api(client, cast.users["city_admin"])
    created = call("post", "/projects/{p}/sessions".format(p=project.pk), session_in()).json()
    url = "/sessions/{s}/pre-reports/city".format(s=created["id"])
    with time_machine.travel(datetime.datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI), tick=False):
        response = call(
            "post",
            url,
            files={"notice": pdf("通知.pdf"), "schedule": pdf("日程.pdf"), "note": "补报"},
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pre_reports"][0]["status"] == "late" and body["can_award_credits"] is True

    received = api(client, cast.users["changsha"])("get", "/pre-reports").json()
    assert received["count"] == 1
    item = received["items"][0]
    assert (item["project_number"], item["late"], item["note"]) == (
        "2024-04-08-001(湘)",
        True,
        "补报",
    )
    late_only = api(client, cast.users["changsha"])("get", "/pre-reports?late=true").json()
    assert late_only["count"] == 1
    assert api(client, cast.users["zhuzhou"])("get", "/pre-reports").json()["count"] == 0


def test_a_file_that_is_not_a_scan_is_refused(cast, client, project):
    call = api(client, cast.users["city_admin"])
    created = call("post", "/projects/{p}/sessions".format(p=project.pk), session_in()).json()
    response = call(
        "post",
        "/sessions/{s}/pre-reports/city".format(s=created["id"]),
        files={
            "notice": SimpleUploadedFile("通知.docx", b"PK\x03\x04"),
            "schedule": pdf("日程.pdf"),
        },
    )
    assert response.status_code == 400 and response.json()["field"] == "notice"


def test_another_city_gets_404_and_an_authority_may_not_add(cast, client, project):
    call = api(client, cast.users["city_admin"])
    created = call("post", "/projects/{p}/sessions".format(p=project.pk), session_in()).json()
    zhuzhou = api(client, cast.users["zhuzhou"])
    assert zhuzhou("get", "/sessions/{s}".format(s=created["id"])).status_code == 404
    assert zhuzhou("get", "/projects/{p}/sessions".format(p=project.pk)).status_code == 404
    zhuzhou_admin = api(client, cast.users["zhuzhou_admin"])
    response = zhuzhou_admin(
        "post",
        "/sessions/{s}/pre-reports/city".format(s=created["id"]),
        files={"notice": pdf("a.pdf"), "schedule": pdf("b.pdf")},
    )
    assert response.status_code == 404
    changsha = api(client, cast.users["changsha"])
    assert changsha("get", "/sessions/{s}".format(s=created["id"])).status_code == 200
    refused = changsha("post", "/projects/{p}/sessions".format(p=project.pk), session_in())
    assert refused.status_code == 403
    assert api(client, cast.users["city_admin"])("get", "/pre-reports").status_code == 403
