"""SPEC §5 "Attendance and credits" in the API: the roster with masked ID numbers, its
template, import (upload → report → commit), entry by hand, pass/fail and removal; errors as
`{code, message}`; the holding unit changes it, an authority over it reads it, another city
gets 404; a submitted execution report locks it (ROSTER_LOCKED)."""

import random

import pytest

from cme.api.tests import conftest as api_tests
from cme.api.tests.helpers import BASE, XLSX, ApiCaller, assert_no_full_id, items
from cme.demo.builders import resident_id
from cme.holding.models import Attendee, ExecutionReport
from cme.holding.tests.factories import attend, held_session
from cme.holding.tests.test_roster_pages import roster_file

api = api_tests.api  # the API tests' fixture: api("changsha") → that member's token


def delete(caller: ApiCaller, path: str):
    return caller.client.delete(BASE + path, headers=caller.headers)


@pytest.fixture
def session(cast):
    return held_session(cast)


@pytest.fixture
def nurse_on_roster(cast, session) -> Attendee:
    return attend(session, cast.persons["nurse"], passed=None)


def new_id(seed: int) -> str:
    return resident_id(random.Random(seed), "430102")


def test_the_roster_lists_masked_ids_within_the_scope(api, cast, session, nurse_on_roster):
    response = api("changsha").get(f"/sessions/{session.pk}/roster")
    [entry] = items(response)
    nurse = cast.persons["nurse"]
    assert entry["name"] == nurse.name and entry["passed"] is None
    assert entry["id_number_masked"] == nurse.id_number[:4] + "*" * 10 + nurse.id_number[-4:]
    assert_no_full_id(response)
    assert api("zhuzhou").get(f"/sessions/{session.pk}/roster").status_code == 404


def test_the_template_downloads_as_xlsx(api, session):
    response = api("city_admin").get(f"/sessions/{session.pk}/roster/template")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response.content[:2] == b"PK"
    assert api("zhuzhou").get(f"/sessions/{session.pk}/roster/template").status_code == 404


def test_upload_report_then_commit(api, cast, session):
    admin = api("city_admin")
    good = new_id(41)
    response = admin.upload(
        f"/sessions/{session.pk}/roster/imports",
        roster_file(
            [
                ["孙丽", good, "长沙市第一医院", "护师", "合格"],
                ["周伟", "360426199101010072", "长沙市第一医院", "护师", "合格"],
            ]
        ),
    )
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["state"] == "invalid" and report["session_id"] == session.pk
    assert report["errors"] == [
        {"row": 3, "column": "证件号码", "message": "身份证号码校验位错误，请核对每一位数字。"}
    ]
    assert admin.post("/roster-imports/{id}/commit".format(**report)).json()["code"] == (
        "IMPORT_NOT_READY"
    )

    response = admin.upload(
        f"/sessions/{session.pk}/roster/imports",
        roster_file([["孙丽", good, "长沙市第一医院", "护师", "合格"]]),
    )
    report = response.json()
    assert report["counts"] == {"total": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert api("zhuzhou").get("/roster-imports/{id}".format(**report)).status_code == 404
    assert api("zhuzhou").post("/roster-imports/{id}/commit".format(**report)).status_code == 404
    assert api("changsha").get("/roster-imports/{id}".format(**report)).json()["state"] == (
        "previewed"
    )
    assert api("changsha").post("/roster-imports/{id}/commit".format(**report)).status_code == 403

    committed = admin.post("/roster-imports/{id}/commit".format(**report))

    assert committed.status_code == 200, committed.content
    assert committed.json()["state"] == "committed"
    assert session.attendees.get().person.id_number == good
    assert_no_full_id(committed)


def test_only_the_holding_unit_uploads(api, session):
    upload = roster_file([["孙丽", new_id(42), "", "", ""]])
    response = api("changsha").upload(f"/sessions/{session.pk}/roster/imports", upload)
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
    upload.seek(0)
    assert (
        api("zhuzhou").upload(f"/sessions/{session.pk}/roster/imports", upload).status_code == 404
    )


def test_entry_by_hand(api, cast, session):
    admin = api("city_admin")
    bad = admin.post(
        f"/sessions/{session.pk}/attendees", {"name": "孙丽", "id_number": "360426199101010072"}
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "ID_CHECKSUM" and bad.json()["field"] == "id_number"

    number = new_id(43)
    body = {"name": "孙丽", "id_number": number, "unit_name": "长沙市第一医院", "passed": True}
    created = admin.post(f"/sessions/{session.pk}/attendees", body)
    assert created.status_code == 201, created.content
    assert created.json()["passed"] is True and created.json()["source"] == "hand"
    assert_no_full_id(created)

    again = admin.post(f"/sessions/{session.pk}/attendees", body)
    assert again.status_code == 400 and again.json()["code"] == "ATTENDEE_EXISTS"

    nurse = cast.persons["nurse"]
    mismatch = admin.post(
        f"/sessions/{session.pk}/attendees", {"name": "李晓红", "id_number": nurse.id_number}
    )
    assert mismatch.json()["code"] == "NAME_MISMATCH"
    assert (
        api("changsha")
        .post(f"/sessions/{session.pk}/attendees", {"name": "孙丽", "id_number": new_id(44)})
        .status_code
        == 403
    )


def test_pass_fail_removal_and_scope(api, cast, session, nurse_on_roster):
    path = f"/attendees/{nurse_on_roster.pk}"
    assert api("zhuzhou").patch(path, {"passed": True}).status_code == 404
    assert api("changsha").patch(path, {"passed": True}).status_code == 403

    response = api("city_admin").patch(path, {"passed": False})
    assert response.status_code == 200 and response.json()["passed"] is False

    attend(session, cast.persons["doctor"], passed=None)
    changed = api("city_admin").post(f"/sessions/{session.pk}/roster/pass-all")
    assert changed.json() == {"changed": 2}

    assert delete(api("zhuzhou"), path).status_code == 404
    assert delete(api("city_admin"), path).status_code == 204
    assert not Attendee.objects.filter(pk=nurse_on_roster.pk).exists()


def test_a_locked_roster_answers_roster_locked(api, cast, session, nurse_on_roster):
    ExecutionReport.objects.create(
        session=session,
        state=ExecutionReport.State.APPROVED,
        due_on=session.ends_on,
        reviewer=cast.changsha,
    )
    admin = api("city_admin")
    for response in (
        admin.patch(f"/attendees/{nurse_on_roster.pk}", {"passed": True}),
        delete(admin, f"/attendees/{nurse_on_roster.pk}"),
        admin.post(f"/sessions/{session.pk}/attendees", {"name": "孙丽", "id_number": new_id(45)}),
        admin.upload(
            f"/sessions/{session.pk}/roster/imports",
            roster_file([["孙丽", new_id(46), "", "", ""]]),
        ),
    ):
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "ROSTER_LOCKED"
        assert "学员通讯录不能再修改" in response.json()["message"]
