"""The API of issue 6 §2-3: the catalogue, a claim with its evidence (multipart), my claims,
the reviewer's queue and decision, unit activities; errors are {code, message}."""

import json

import pytest

from cme.accounts.actions import create_api_token
from cme.claims.tests.factories import claim, pdf
from cme.credits.models import CreditRecord

API = "/api/v1"


@pytest.fixture
def bearer(hunan):
    def _bearer(key: str) -> dict:
        _record, token = create_api_token(actor=hunan.users[key], name="test")
        return {"HTTP_AUTHORIZATION": "Bearer " + token}

    return _bearer


def post_json(client, path, body, headers):
    return client.post(API + path, json.dumps(body), content_type="application/json", **headers)


def test_the_catalogue(client, bearer):
    rows = client.get(API + "/credit-sources?claim=person", **bearer("learner")).json()
    codes = [r["code"] for r in rows]
    assert "out_of_province" in codes and "unit_lecture" not in codes
    national = next(r for r in rows if r["code"] == "out_of_province")
    assert national["needs_certificate_number"] is True and "（国）" in national["evidence"]


def test_claim_review_and_mine(client, hunan, bearer):
    learner = bearer("learner")
    response = client.post(
        API + "/claims",
        {
            "source": "out_of_province",
            "year": 2024,
            "title": "全国心血管护理新进展学习班",
            "activity_date": "2024-04-08",
            "amount": "4",
            "certificate_number": "2024-04-08-001（国）",
            "evidence": pdf(),
        },
        **learner,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["holder"]["name"] == "长沙市第一医院"
    assert data["where"] == "等待长沙市第一医院审核，已0天" and data["amount"] == "4.0"
    nurse_id = hunan.persons["nurse"].id_number
    assert nurse_id not in response.content.decode()

    again = client.post(
        API + "/claims",
        {
            "source": "out_of_province",
            "year": 2024,
            "title": "再次",
            "activity_date": "2024-04-09",
            "amount": "4",
            "certificate_number": "2024-04-08-001(国)",
            "evidence": pdf(),
        },
        **learner,
    )
    assert again.status_code == 400
    assert again.json()["code"] == "DUPLICATE_CERTIFICATE"
    assert "申报编号{n}".format(n=data["id"]) in again.json()["message"]

    unit = bearer("city_admin")
    queue = client.get(API + "/claims/queue", **unit).json()
    assert [c["id"] for c in queue["items"]] == [data["id"]]
    assert client.get(API + "/claims/queue", **bearer("changsha")).json()["count"] == 0
    decided = post_json(client, f"/claims/{data['id']}/decision", {"decision": "approve"}, unit)
    assert decided.status_code == 200 and decided.json()["holder"]["name"] == "长沙市卫生健康委员会"
    conflict = post_json(client, f"/claims/{data['id']}/decision", {"decision": "approve"}, unit)
    assert (
        conflict.status_code == 409 and "现由长沙市卫生健康委员会审核" in conflict.json()["message"]
    )

    zhuzhou = post_json(
        client, f"/claims/{data['id']}/decision", {"decision": "approve"}, bearer("zhuzhou")
    )
    assert zhuzhou.status_code == 404 and zhuzhou.json()["code"] == "NOT_FOUND"

    city = bearer("changsha")
    no_reason = post_json(client, f"/claims/{data['id']}/decision", {"decision": "reject"}, city)
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "REASON_REQUIRED"
    bad = post_json(client, f"/claims/{data['id']}/decision", {"decision": "maybe"}, city)
    assert bad.status_code == 422
    valid = post_json(client, f"/claims/{data['id']}/decision", {"decision": "approve"}, city)
    assert valid.json()["status"] == "valid"
    assert [r["organisation"]["name"] for r in valid.json()["reviews"]] == [
        "长沙市第一医院",
        "长沙市卫生健康委员会",
    ]
    mine = client.get(API + "/claims/mine", **learner).json()
    assert [(c["id"], c["status_label"]) for c in mine["items"]] == [(data["id"], "有效")]
    assert client.get(API + "/claims/mine").status_code == 401


def test_a_conflict_is_409(client, hunan, bearer, monkeypatch):
    record = claim(hunan)
    from cme.claims import actions

    real = actions.decide_claim

    def someone_else_first(rec, **kwargs):
        CreditRecord.objects.filter(pk=rec.pk).update(holder=hunan.changsha)
        return real(rec, **kwargs)

    monkeypatch.setattr(actions, "decide_claim", someone_else_first)
    response = post_json(
        client, f"/claims/{record.pk}/decision", {"decision": "approve"}, bearer("city_admin")
    )
    assert response.status_code == 409 and response.json()["code"] == "CONFLICT"


def test_return_and_resubmit(client, hunan, bearer):
    record = claim(hunan)
    post_json(
        client,
        f"/claims/{record.pk}/decision",
        {"decision": "return", "reason": "请上传清晰证书"},
        bearer("city_admin"),
    )
    learner = bearer("learner")
    mine = client.get(API + "/claims/mine", **learner).json()["items"][0]
    assert mine["returned"] is True and mine["status_reason"] == "请上传清晰证书"
    response = client.post(
        f"{API}/claims/{record.pk}/resubmit",
        {
            "source": "out_of_province",
            "year": 2024,
            "title": record.title,
            "activity_date": "2024-04-08",
            "amount": "4",
            "certificate_number": record.certificate_number,
            "evidence": pdf("清晰.pdf"),
        },
        **learner,
    )
    assert response.status_code == 200, response.content
    assert response.json()["holder"]["name"] == "长沙市第一医院"


def test_unit_activity(client, hunan, bearer):
    nurse, doctor = hunan.persons["nurse"], hunan.persons["doctor"]
    body = {
        "source": "unit_lecture",
        "title": "新技术推广讲座",
        "activity_date": "2024-05-20",
        "lecturers": [doctor.id_number],
        "participants": [nurse.name, doctor.name],
    }
    response = post_json(client, "/unit-activities", body, bearer("city_admin"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["lecturer_count"], data["participant_count"]) == (1, 1)
    assert {(r["person"]["name"], r["role"], r["amount"]) for r in data["records"]} == {
        (doctor.name, "lecturer", "2.0"),
        (nurse.name, "learner", "0.5"),
    }
    assert doctor.id_number not in response.content.decode()
    refused = post_json(
        client,
        "/unit-activities",
        body | {"title": "另一讲座", "participants": [hunan.persons["zhuzhou_nurse"].id_number]},
        bearer("city_admin"),
    )
    assert refused.status_code == 400 and refused.json()["code"] == "STAFF_NOT_OF_UNIT"
    assert post_json(client, "/unit-activities", body, bearer("changsha")).status_code == 403
    listed = client.get(API + "/unit-activities?year=2024", **bearer("changsha")).json()
    assert listed["count"] == 1
    assert client.get(API + "/unit-activities", **bearer("zhuzhou")).json()["count"] == 0
