"""Issue 6 §11: the audit through the API — a unit's year with results (paginated), submit,
decide (409 for the second of two reviewers), the reviewer's queue, the province's export and
the what-if; the same scope as the pages (another city: 404) and ID numbers only masked."""

import io

import pytest
from openpyxl import load_workbook

from cme.audits.exports import HR_HEADERS
from cme.audits.tests.factories import YEAR, qualified, short
from cme.claims.tests.factories import pdf
from cme.holding.tests.test_api import api


@pytest.fixture
def credits(cast):
    qualified(cast.persons["nurse"])
    short(cast.persons["doctor"])


def test_the_unit_reads_its_year_and_submits(client, cast, credits):
    call = api(client, cast.users["city_admin"])
    url = "/audits/units/{u}/{y}".format(u=cast.city_hospital.pk, y=YEAR)
    data = call("get", url, {"page_size": 1}).json()
    assert data["audit"]["state"] == "not_submitted" and data["snapshot"] is False
    assert [o["name"] for o in data["audit"]["chain"]] == [
        "长沙市卫生健康委员会",
        "湖南省卫生健康委员会",
    ]
    assert data["count"] == 2 and len(data["items"]) == 1
    assert data["counts"] == {"qualified": 1, "not_qualified": 1}
    body = call("get", url, {"result": "qualified"}).content.decode()
    nurse = cast.persons["nurse"]
    assert nurse.name in body and nurse.id_number not in body and '"total": "30.0"' in body
    submitted = call("post", url + "/submit").json()
    assert (
        submitted["state"] == "in_review" and submitted["holder"]["name"] == "长沙市卫生健康委员会"
    )
    assert call("get", url).json()["snapshot"] is True
    again = call("post", url + "/submit")
    assert again.status_code == 400 and again.json()["code"] == "AUDIT_LOCKED"


def test_reviewers_decide_and_the_second_of_two_gets_409(client, cast, credits):
    url = "/audits/units/{u}/{y}".format(u=cast.city_hospital.pk, y=YEAR)
    audit_id = api(client, cast.users["city_admin"])("post", url + "/submit").json()["id"]
    city = api(client, cast.users["changsha"])
    (queued,) = city("get", "/audits/queue").json()["items"]
    assert queued["id"] == audit_id
    decided = city("post", "/audits/{a}/decision".format(a=audit_id), {"decision": "approve"})
    assert decided.json()["holder"]["name"] == "湖南省卫生健康委员会"
    late = city("post", "/audits/{a}/decision".format(a=audit_id), {"decision": "approve"})
    assert late.status_code == 409 and late.json()["code"] == "CONFLICT"
    other = api(client, cast.users["zhuzhou"])
    assert other("get", url).status_code == 404
    assert (
        other(
            "post", "/audits/{a}/decision".format(a=audit_id), {"decision": "approve"}
        ).status_code
        == 404
    )
    province = api(client, cast.users["province"])
    no_reason = province("post", "/audits/{a}/decision".format(a=audit_id), {"decision": "return"})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "REASON_REQUIRED"
    done = province("post", "/audits/{a}/decision".format(a=audit_id), {"decision": "approve"})
    assert done.json()["state"] == "approved"

    export = province("get", "/audits/hr/{y}/export".format(y=YEAR))
    rows = list(
        load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert list(rows[0]) == HR_HEADERS and len(rows) == 2 and "*" in rows[1][2]
    sent = province("post", "/audits/hr/{y}/sent".format(y=YEAR)).json()
    assert sent["persons"] == 1 and sent["units"] == 1
    assert city("get", "/audits/hr/{y}/export".format(y=YEAR)).status_code == 403


def test_the_what_if_endpoint_counts_and_saves_nothing(client, cast, credits):
    call = api(client, cast.users["changsha"])
    data = call(
        "post", "/audits/what-if", {"year": YEAR, "total_min": "31", "class1_min": "5"}
    ).json()
    assert data["qualified_now"] == 1 and data["qualified_draft"] == 0
    assert data["to_not_qualified_count"] == 1
    (change,) = data["to_not_qualified"]
    assert change["name"] == "李小红" and change["reasons"] == ["总学分30.0分，少于31分（差1.0分）"]
    assert "*" in change["id_number_masked"]
    learner = api(client, cast.users["learner"])
    assert (
        learner(
            "post", "/audits/what-if", {"year": YEAR, "total_min": 1, "class1_min": 1}
        ).status_code
        == 403
    )


def test_an_authority_voids_a_persons_year_and_another_city_cannot(client, cast, credits):
    nurse = cast.persons["nurse"]
    url = "/persons/{p}/credits/{y}/void".format(p=nurse.pk, y=YEAR)
    foreign = api(client, cast.users["zhuzhou"])("post", url, {"reason": "代签到"})
    assert foreign.status_code == 404
    unit = api(client, cast.users["city_admin"])("post", url, {"reason": "代签到"})
    assert unit.status_code == 403
    call = api(client, cast.users["changsha"])
    blank = call("post", url, {"reason": "  "})
    assert blank.status_code == 400 and blank.json()["code"] == "REASON_REQUIRED"
    voided = call("post", url, {"reason": "代签到"}).json()
    assert voided["voided_records"] > 0
    summary = call("get", "/persons/{p}/credits".format(p=nurse.pk), {"year": YEAR}).json()
    assert summary["total"] == "0.0" and summary["result"] == "not_qualified"
    assert {r["status"] for r in summary["records"]} == {"void"}
    assert {r["status_reason"] for r in summary["records"]} == {"代签到"}


def test_only_the_own_unit_sets_a_person_exempt_through_the_api(client, cast, credits):
    doctor = cast.persons["doctor"]
    url = "/persons/{p}/credits/{y}/exemption".format(p=doctor.pk, y=YEAR)
    city = api(client, cast.users["changsha"])("post", url, files={"reason": "产假"})
    assert city.status_code == 403
    call = api(client, cast.users["city_admin"])
    fake = io.BytesIO(b"MZ\x90\x00 not a scan")
    fake.name = "leave.pdf"
    refused = call("post", url, files={"reason": "产假", "evidence": fake})
    assert refused.status_code == 400 and refused.json()["code"] == "FILE_TYPE"
    missing = call("post", url, files={"reason": "产假"})
    assert missing.status_code == 400 and missing.json()["code"] == "EVIDENCE_REQUIRED"
    granted = call("post", url, files={"reason": "产假", "evidence": pdf()})
    assert granted.status_code == 201 and granted.json()["reason"] == "产假"
    again = call("post", url, files={"reason": "产假", "evidence": pdf()})
    assert again.status_code == 400 and again.json()["code"] == "EXEMPTION_EXISTS"
    row = call(
        "get", "/audits/units/{u}/{y}".format(u=cast.city_hospital.pk, y=YEAR), {"result": "exempt"}
    ).json()
    assert [r["name"] for r in row["items"]] == [doctor.name]
