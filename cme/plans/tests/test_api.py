"""Issue 7 §5-6 in the API: plans and rows, the import (upload → report → commit), submit,
the city's decisions, work reports and the city's missing list; another city gets 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.holding.tests.test_api import api
from cme.plans.tests.helpers import ROW, good_row, xlsx

ROW_IN = ROW | {"participants": 120, "credits": "2"}


@pytest.fixture
def unit(client, cast):
    return api(client, cast.users["city_admin"])


def test_a_plan_from_rows_and_a_file_to_the_citys_decision(client, cast, unit):
    plan = unit("post", "/city-plans", {"year": 2025, "half": 1})
    assert plan.status_code == 201, plan.content
    plan_id = plan.json()["id"]
    assert plan.json()["due_on"] == "2025-03-31"
    bad = unit("post", "/city-plans/{}/rows".format(plan_id), ROW_IN | {"credits": "2.25"})
    assert bad.status_code == 400 and bad.json()["code"] == "CREDITS_INVALID"
    row = unit("post", "/city-plans/{}/rows".format(plan_id), ROW_IN)
    assert row.status_code == 201 and row.json()["number"] == 1
    edited = unit("put", "/plan-rows/{}".format(row.json()["id"]), ROW_IN | {"participants": 90})
    assert edited.json()["participants"] == 90
    data = xlsx([good_row(1), good_row(2)])
    report = unit(
        "post",
        "/city-plans/{}/imports".format(plan_id),
        files={"file": SimpleUploadedFile("计划.xlsx", data)},
    )
    assert report.status_code == 201 and report.json()["state"] == "previewed"
    committed = unit("post", "/plan-imports/{}/commit".format(report.json()["id"]))
    assert committed.json()["state"] == "committed"
    assert len(unit("get", "/city-plans/{}".format(plan_id)).json()["rows"]) == 2
    sent = unit("post", "/city-plans/{}/submit".format(plan_id))
    assert sent.json()["state"] == "submitted"

    zhuzhou = api(client, cast.users["zhuzhou"])
    assert zhuzhou("get", "/city-plans/{}".format(plan_id)).status_code == 404
    assert zhuzhou("post", "/city-plans/{}/approve-all".format(plan_id)).status_code == 404
    assert zhuzhou("get", "/city-plans").json() == []

    city = api(client, cast.users["changsha"])
    rows = city("get", "/city-plans/{}".format(plan_id)).json()["rows"]
    decided = city(
        "post",
        "/city-plans/{}/decisions".format(plan_id),
        {
            "decisions": [
                {"row_id": rows[0]["id"], "approve": True},
                {"row_id": rows[1]["id"], "approve": False, "reason": "内容重复"},
            ]
        },
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["state"] == "decided"
    assert body["rows"][0]["project_number"] == "2025-00-00-001(长沙市)"
    assert body["rows"][1]["decision"] == "refused" and body["rows"][1]["project_id"] is None


def test_work_reports_and_the_missing_list(client, cast, unit):
    response = unit("post", "/work-reports", files={"year": 2025, "text": "全年工作总结"})
    assert response.status_code == 201, response.content
    assert response.json()["unit"]["name"] == "长沙市第一医院"
    city = api(client, cast.users["changsha"])
    status = {
        s["unit"]["name"]: s["status"] for s in city("get", "/work-reports/status?year=2025").json()
    }
    assert status["长沙市第一医院"] in {"submitted", "late"}
    assert status["长沙市芙蓉区卫生健康局"] == "missing"
    assert unit("get", "/work-reports/status").status_code == 403
    zhuzhou = api(client, cast.users["zhuzhou"])
    assert zhuzhou("get", "/work-reports?year=2025").json() == []
