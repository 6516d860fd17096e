"""Issue 4 §13: the declaration in the API — check without saving, create, submit, decide."""

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.accounts.actions import create_api_token
from cme.projects.models import Project, State
from cme.projects.tests.factories import IN_WINDOW, open_window, staff


def api(client, user):
    _record, token = create_api_token(actor=user, name="test")

    def call(method, url, **kw):
        return getattr(client, method)(
            "/api/v1" + url,
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer " + token,
            **kw,
        )

    call.token = "Bearer " + token
    return call


def declaration(cast) -> dict:
    chief = staff(cast.city_hospital, "陈志明", "主任医师")
    return {
        "year": 2024,
        "level": "provincial",
        "kind": "new",
        "name": "急性胸痛规范化诊治新进展学习班",
        "discipline": "04-08",
        "leader_id": cast.persons["doctor"].pk,
        "leader_phone": "13800000000",
        "audience": "急诊科医师",
        "expected_participants": 100,
        "sessions_planned": 2,
        "credits": "0.7",
        "needs_sources": ["survey"],
        "needs_analysis": "问卷调查显示分诊差距。",
        "objectives": "掌握分诊流程。",
        "assessment_method": "闭卷测试",
        "evaluation_levels": [1, 2, 3],
        "fees": "不收费",
        "teachers": [
            {
                "name": "王建国",
                "title": "副主任医师",
                "person_id": cast.persons["doctor"].pk,
                "is_leader": True,
                "consent": True,
            },
            {"name": chief.name, "title": "主任医师", "person_id": chief.pk, "consent": True},
        ],
        "lessons": [
            {"topic": "急性胸痛的早期识别", "teacher": 0, "hours": "2.0"},
            {"topic": "再灌注治疗指南解读", "teacher": 1, "hours": "2.0"},
        ],
        "sessions": [
            {
                "starts_on": "2024-04-12",
                "ends_on": "2024-04-13",
                "region": "430102",
                "address": "长沙市第一医院",
            },
            {
                "starts_on": "2024-09-20",
                "ends_on": "2024-09-21",
                "region": "430102",
                "address": "长沙市第一医院",
            },
        ],
        "attachments": ["licence", "leader_title", "teacher_consent", "pledge", "inspection"],
    }


def test_check_returns_findings_and_saves_nothing(cast, client):
    open_window(cast.province, year=2024, level="provincial", kind="new")
    call = api(client, cast.users["city_admin"])
    body = declaration(cast)
    with time_machine.travel(IN_WINDOW):
        assert call("post", "/declarations/check", data=body).json() == []
        body["teachers"][0]["title"] = "主治医师"
        findings = call("post", "/declarations/check", data=body).json()
    assert {f["rule_id"] for f in findings} >= {"TEACHER_TITLE"}
    assert Project.objects.count() == 0


def test_create_submit_and_decide_over_the_api_within_the_scope(cast, client):
    open_window(cast.province, year=2024, level="provincial", kind="new")
    unit = api(client, cast.users["city_admin"])
    with time_machine.travel(IN_WINDOW):
        created = unit("post", "/declarations", data=declaration(cast))
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        for kind in declaration(cast)["attachments"]:
            upload = SimpleUploadedFile(kind + ".pdf", b"%PDF-1.4\n")
            response = client.post(
                "/api/v1/declarations/{}/attachments/{}".format(pk, kind),
                {"file": upload},
                HTTP_AUTHORIZATION=unit.token,
            )
            assert response.status_code == 200, response.content
        submitted = unit("post", "/declarations/{}/submit".format(pk))
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == State.UNDER_REVIEW

    assert (
        api(client, cast.users["zhuzhou"])("get", "/declarations/{}".format(pk)).status_code == 404
    )
    city = api(client, cast.users["changsha"])
    [step] = city("get", "/review-queue").json()["items"]
    decided = city(
        "post", "/review-steps/{}/decide".format(step["id"]), data={"decision": "approved"}
    )
    assert decided.status_code == 200, decided.content
    province = api(client, cast.users["province"])
    [step] = province("get", "/review-queue").json()["items"]
    province("post", "/review-steps/{}/decide".format(step["id"]), data={"decision": "approved"})
    assert Project.objects.get(pk=pk).number == "2024-04-08-001(湘)"
