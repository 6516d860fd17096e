"""API of distance learning and annual meetings: the same actions and scope as the pages,
errors as {code, message}, ID numbers masked in every answer."""

import pytest

from cme.accounts.actions import create_api_token
from cme.api.tests.helpers import BASE, ApiCaller, assert_no_full_id, items
from cme.distance.tests.conftest import completion_file, pdf, xlsx


@pytest.fixture
def api(client, cast, provider):
    tokens: dict[str, str] = {}

    def _as(key: str) -> ApiCaller:
        if key not in tokens:
            _record, tokens[key] = create_api_token(actor=cast.users[key], name="测试")
        return ApiCaller(client, tokens[key])

    return _as


def multipart(caller: ApiCaller, path: str, data: dict):
    return caller.client.post(BASE + path, data, headers=caller.headers)


def test_filing_course_upload_report_commit_review(cast, api):
    response = multipart(
        api("distance"),
        "/distance/filings",
        {
            "city_id": cast.changsha.pk,
            "contact_name": "龚晓燕",
            "contact_phone": "0731-84822628",
            "pc_platform": "https://cme.example.cn",
            "mobile_platform": "App",
            "introduction": "简介",
            "commitment": "true",
            "qualification": pdf(),
        },
    )
    assert response.status_code == 201, response.content
    filing_id = response.json()["id"]
    assert api("zhuzhou").get(f"/distance/filings/{filing_id}").status_code == 404
    response = api("zhuzhou").post(f"/distance/filings/{filing_id}/decision", {"accept": True})
    assert response.status_code == 404
    response = api("changsha").post(f"/distance/filings/{filing_id}/decision", {"accept": True})
    assert response.json()["state"] == "filed"

    response = api("distance").post(
        f"/distance/filings/{filing_id}/courses",
        {"year": 2024, "name": "急诊医学新进展", "summary": "内容", "hours": "6", "category": "I"},
    )
    assert response.status_code == 400 and response.json()["code"] == "COURSE_PROJECT_NUMBER"
    response = api("distance").post(
        f"/distance/filings/{filing_id}/courses",
        {
            "year": 2024,
            "name": "急诊医学新进展",
            "summary": "内容",
            "hours": "6",
            "category": "I",
            "project_number": "2024-04-01-001(国)",
        },
    )
    course = response.json()
    assert response.status_code == 201 and course["credits"] == "2.0"
    nurse = cast.persons["nurse"]
    rows = [[nurse.name, nurse.id_number, "急诊医学新进展", "6", "2024-05-01"]]
    response = api("distance").upload(
        f"/distance/filings/{filing_id}/completions", completion_file(rows)
    )
    assert response.status_code == 201
    report = response.json()
    assert report["state"] == "invalid" and "待审核" in report["errors"][0]["message"]
    api("changsha").post(f"/distance/courses/{course['id']}/decision", {"accept": True})

    response = api("distance").upload(
        f"/distance/filings/{filing_id}/completions", completion_file(rows)
    )
    batch_id = response.json()["id"]
    assert response.json()["state"] == "previewed"
    response = api("distance").post(f"/distance/completion-batches/{batch_id}/commit")
    assert response.json()["state"] == "committed" and response.json()["review"] == "pending"
    queue = items(api("changsha").get("/distance/completion-batches", {"review": "pending"}))
    assert [b["id"] for b in queue] == [batch_id]
    assert items(api("zhuzhou").get("/distance/completion-batches")) == []
    response = api("changsha").post(
        f"/distance/completion-batches/{batch_id}/review", {"accept": True}
    )
    assert response.json()["review"] == "accepted"
    records = api("changsha").get(f"/distance/completion-batches/{batch_id}/records")
    assert_no_full_id(records)
    [record] = items(records)
    assert record["status"] == "valid" and record["amount"] == "2.0"
    response = api("changsha").post(f"/distance/records/{record['id']}/void", {"reason": "虚假"})
    assert response.json()["status"] == "void"
    response = api("changsha").post(f"/distance/filings/{filing_id}/revoke", {"reason": "虚假授分"})
    assert response.json()["filing"]["state"] == "revoked"
    assert response.json()["voided_records"] == 0  # the one record was already void


def test_meeting_attendance_and_confirmation(cast, api):
    response = multipart(
        api("society_admin"),
        "/meetings",
        {
            "year": 2024,
            "name": "学会2024年学术年会",
            "starts_on": "2024-09-20",
            "ends_on": "2024-09-21",
            "place": "长沙市",
            "in_plan": "true",
            "branch_id": cast.branch.pk,
            "plan_document": pdf(),
        },
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    response = api("society_admin").post(
        f"/meetings/{meeting_id}/attendees", {"name": nurse.name, "id_number": nurse.id_number}
    )
    assert response.status_code == 201
    assert_no_full_id(response)
    response = api("society_admin").post(
        f"/meetings/{meeting_id}/attendees", {"name": nurse.name, "id_number": nurse.id_number}
    )
    assert response.json()["code"] == "ATTENDEE_EXISTS"
    upload = xlsx(["序号", "姓名", "证件号码"], [[doctor.name, doctor.id_number]])
    report = api("society_admin").upload(f"/meetings/{meeting_id}/attendance-imports", upload)
    assert report.json()["counts"]["created"] == 1
    response = api("society_admin").post(f"/attendance-imports/{report.json()['id']}/commit")
    assert response.json()["state"] == "committed"
    api("society_admin").post(f"/meetings/{meeting_id}/submit")
    submitted = items(api("province").get("/meetings", {"state": "submitted"}))
    assert [m["id"] for m in submitted] == [meeting_id] and submitted[0]["attendee_count"] == 2
    assert api("changsha").get(f"/meetings/{meeting_id}").status_code == 404
    response = api("province").post(f"/meetings/{meeting_id}/decision", {"confirm": True})
    assert response.json()["state"] == "confirmed" and response.json()["credits"] == "5.0"
    attendees = items(api("society_admin").get(f"/meetings/{meeting_id}/attendees"))
    assert {a["credits"] for a in attendees} == {"5.0"}


def test_a_2021_meeting_is_refused(cast, api):
    response = multipart(
        api("society_admin"),
        "/meetings",
        {
            "year": 2021,
            "name": "学会2021年学术年会",
            "starts_on": "2021-09-20",
            "ends_on": "2021-09-21",
            "place": "长沙市",
            "in_plan": "true",
            "plan_document": pdf(),
        },
    )
    assert response.status_code == 400 and response.json()["code"] == "MEETING_NO_CREDITS"
