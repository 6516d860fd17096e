"""API of spot checks: preview then create with the same seed, scope, assign, findings,
files."""

from django.utils import timezone

from cme.holding.tests.test_api import api
from cme.inspections.tests.conftest import PNG, YEAR, scores

TODAY = timezone.localdate().isoformat()


def test_preview_then_create_gives_the_same_sample(client, cast, changsha_projects):
    call = api(client, cast.users["changsha"])
    body = {"year": YEAR, "rate": "0.5", "seed": 99, "preview": True}
    preview = call("post", "/spot-checks", body)
    assert preview.status_code == 200
    data = preview.json()
    assert data["candidates"] == 10 and data["drawn"] == 5
    previewed = {p["id"] for s in data["strata"] for p in s["projects"]}
    created = call("post", "/spot-checks", body | {"preview": False})
    assert created.status_code == 201
    detail = created.json()
    assert detail["seed"] == 99 and detail["verified"] is True
    assert {i["project"]["id"] for i in detail["items"]} == previewed
    listed = call("get", "/spot-checks").json()
    assert [s["id"] for s in listed["items"]] == [detail["id"]]


def test_a_seed_is_generated_when_none_is_given(client, cast, changsha_projects):
    data = api(client, cast.users["changsha"])(
        "post", "/spot-checks", {"year": YEAR, "per_stratum": 1, "preview": True}
    ).json()
    assert isinstance(data["seed"], int)


def test_another_city_and_units_are_kept_out(client, cast, draw):
    item = draw.items.first()
    zhuzhou = api(client, cast.users["zhuzhou"])
    assert zhuzhou("get", "/spot-checks/{i}".format(i=draw.pk)).status_code == 404
    assert zhuzhou("get", "/spot-check-items/{i}".format(i=item.pk)).status_code == 404
    assert zhuzhou("get", "/spot-checks").json()["items"] == []
    unit = api(client, cast.users["city_admin"])
    assert unit("get", "/spot-checks").status_code == 403
    response = unit("post", "/spot-checks", {"year": YEAR, "per_stratum": 1, "seed": 1})
    assert response.status_code == 403


def test_assign_record_and_upload(client, cast, draw):
    item = draw.items.first()
    call = api(client, cast.users["changsha"])
    response = call(
        "post",
        "/spot-checks/{i}/assign".format(i=draw.pk),
        {"item_ids": [item.pk], "inspector_ids": [cast.users["furong"].pk]},
    )
    assert response.status_code == 200
    assert response.json()[0]["inspectors"][0]["id"] == cast.users["furong"].pk
    bad = call(
        "post",
        "/spot-checks/{i}/assign".format(i=draw.pk),
        {"item_ids": [item.pk], "inspector_ids": [cast.users["zhuzhou"].pk]},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "SPOT_CHECK_INSPECTORS"

    inspector = api(client, cast.users["furong"])
    mine = inspector("get", "/spot-check-items").json()
    assert [i["id"] for i in mine["items"]] == [item.pk]
    findings = {k: {"score": v["score"]} for k, v in scores(ARCHIVE="2").items()}
    response = inspector(
        "post",
        "/spot-check-items/{i}/findings".format(i=item.pk),
        {"scores": findings, "visit_date": TODAY},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["score"] == 97 and response.json()["result"] == "pass"
    out_of_range = inspector(
        "post",
        "/spot-check-items/{i}/findings".format(i=item.pk),
        {"scores": findings | {"ARCHIVE": {"score": 6}}, "visit_date": TODAY},
    )
    assert out_of_range.status_code == 400 and out_of_range.json()["field"] == "ARCHIVE"

    upload = inspector(
        "post",
        "/spot-check-items/{i}/files".format(i=item.pk),
        files={"file": _file("现场.png", PNG), "kind": "photo"},
    )
    assert upload.status_code == 201 and upload.json()["kind"] == "photo"
    indicators = inspector("get", "/spot-check-indicators").json()
    assert indicators["max_total"] == 100 and indicators["items"][0]["id"] == "PARTICIPANTS"


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
