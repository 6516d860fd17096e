"""API of sanctions and quotas: the same scope rules as the pages, errors as {code, message},
and a person's whole ID number accepted in a body but never returned."""

import pytest

from cme.accounts.actions import create_api_token
from cme.api.tests.helpers import ApiCaller, assert_no_full_id, items
from cme.supervision.models import Sanction, UnitQuota
from cme.supervision.tests.conftest import NEXT_YEAR, make_projects


@pytest.fixture
def api(client, cast):
    """api("changsha").get("/sanctions") → the response for that member of the cast."""
    tokens: dict[str, str] = {}

    def _as(key: str) -> ApiCaller:
        if key not in tokens:
            _record, tokens[key] = create_api_token(actor=cast.users[key], name="测试")
        return ApiCaller(client, tokens[key])

    return _as


def test_changsha_lists_and_reads_its_sanctions(api, bar, suspension):
    response = api("changsha").get("/sanctions")
    assert {s["id"] for s in items(response)} == {bar.pk, suspension.pk}
    assert_no_full_id(response)
    only_bars = items(api("changsha").get("/sanctions", {"kind": "bar_unit"}))
    assert [s["id"] for s in only_bars] == [bar.pk]
    detail = api("changsha").get(f"/sanctions/{suspension.pk}")
    assert detail.status_code == 200
    assert detail.json()["person"]["id_number_masked"].count("*") == 10
    assert_no_full_id(detail)


def test_another_city_sees_nothing_of_changsha(api, bar, suspension):
    assert items(api("zhuzhou").get("/sanctions")) == []
    response = api("zhuzhou").get(f"/sanctions/{bar.pk}")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    response = api("zhuzhou").post(f"/sanctions/{bar.pk}/revoke", {"reason": "x"})
    assert response.status_code == 404


def test_units_get_403(api, bar):
    response = api("city_admin").get("/sanctions")
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
    assert api("city_admin").get(f"/sanctions/{bar.pk}").status_code == 403


def test_recording_a_suspension_by_id_number_in_the_body(api, cast):
    doctor = cast.persons["doctor"]
    response = api("changsha").post(
        "/sanctions",
        {"kind": "suspend_leader", "id_number": doctor.id_number, "reason": "未履行主体责任"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["id"] == doctor.pk and body["from_year"] == body["to_year"] == NEXT_YEAR
    assert body["decided_by"]["id"] == cast.changsha.pk and body["status"] == "pending"
    assert_no_full_id(response)


def test_an_unknown_or_foreign_id_number_is_not_found(api, cast):
    response = api("zhuzhou").post(
        "/sanctions",
        {"kind": "suspend_leader", "id_number": cast.persons["doctor"].id_number, "reason": "x"},
    )
    assert response.status_code == 404
    assert_no_full_id(response)
    response = api("zhuzhou").post(
        "/sanctions",
        {"kind": "bar_unit", "organisation_id": cast.city_hospital.pk, "reason": "x"},
    )
    assert response.status_code == 404
    assert not Sanction.objects.exists()


def test_a_four_year_bar_is_refused(api, cast):
    response = api("changsha").post(
        "/sanctions",
        {
            "kind": "bar_unit",
            "organisation_id": cast.city_hospital.pk,
            "from_year": NEXT_YEAR,
            "to_year": NEXT_YEAR + 3,
            "reason": "弄虚作假",
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "SANCTION_YEARS" and response.json()["field"] == "to_year"


def test_revoking(api, bar):
    response = api("changsha").post(f"/sanctions/{bar.pk}/revoke", {"reason": "复议撤销"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    again = api("changsha").post(f"/sanctions/{bar.pk}/revoke", {"reason": "复议撤销"})
    assert again.status_code == 409
    active = items(api("changsha").get("/sanctions", {"active": "true"}))
    assert active == []


@pytest.fixture
def executed(cast):
    make_projects(cast, cast.city_hospital, 2024, ["completed", "completed"])
    make_projects(cast, cast.zhuzhou_hospital, 2024, ["completed", "lapsed"])
    return cast


def test_the_province_computes_reads_and_sets_quotas(api, executed):
    cast = executed
    province = api("province")
    response = province.post(
        "/quotas/compute",
        {"year": 2026, "level": "provincial", "rate_year": 2024, "base_quota": 5, "cut_ratio": 0.4},
    )
    assert response.status_code == 200, response.content
    assert response.json()["average_execution_rate"] == 0.75
    response = province.post(
        f"/quotas/{cast.zhuzhou_hospital.pk}",
        {"year": 2026, "level": "provincial", "quota": 4, "reason": "已整改"},
    )
    assert response.status_code == 200 and response.json()["computed_quota"] == 3
    table = province.get("/quotas", {"year": 2026, "level": "provincial"}).json()
    rows = {r["unit"]["name"]: r for r in table["items"]}
    assert rows["株洲市中心医院"]["quota"] == 4 and rows["株洲市中心医院"]["below_average"]
    assert rows["长沙市第一医院"]["quota"] == 5 and rows["长沙市第一医院"]["execution_rate"] == 1


def test_only_the_province_reaches_quotas(api, executed):
    for key in ("changsha", "city_admin"):
        assert api(key).get("/quotas", {"year": 2026}).status_code == 403
        response = api(key).post(
            f"/quotas/{executed.city_hospital.pk}",
            {"year": 2026, "level": "provincial", "quota": 4, "reason": "x"},
        )
        assert response.status_code == 403
    assert not UnitQuota.objects.exists()


def test_a_quota_needs_a_reason(api, executed):
    response = api("province").post(
        f"/quotas/{executed.city_hospital.pk}",
        {"year": 2026, "level": "provincial", "quota": 4, "reason": " "},
    )
    assert response.status_code == 400 and response.json()["field"] == "reason"
