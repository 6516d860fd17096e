"""Scope: the Zhuzhou reviewer sees nothing of Changsha; the Changsha reviewer does.

Every list and detail endpoint of organisations, persons, staff imports, transfers and
account applications is checked both ways, and no person payload carries a full ID.
"""

import pytest

from cme.api.tests.helpers import (
    assert_no_full_id,
    items,
    new_resident_id,
    staff_xlsx,
    submit_application,
)
from cme.people.actions import transfer_out
from cme.people.imports import preview_staff_import


@pytest.fixture
def changsha(cast):
    """Objects of Changsha's subtree, one of every kind the API shows."""
    transfer = transfer_out(cast.persons["doctor"], actor=cast.users["city_admin"], note="调往外省")
    upload = staff_xlsx([["孙丽", "", new_resident_id(), "外科", "护师", "13700000000"]])
    record = preview_staff_import(cast.city_hospital, upload, actor=cast.users["city_admin"])
    application = submit_application(cast.changsha)
    return {
        "details": [
            f"/organisations/{cast.city_hospital.pk}",
            f"/organisations/{cast.county_hospital.pk}",
            f"/organisations/{cast.county_hospital.pk}/review-chain",
            "/persons/{pk}".format(pk=cast.persons["nurse"].pk),
            "/persons/{pk}".format(pk=cast.persons["county_doctor"].pk),
            "/persons/{pk}".format(pk=cast.persons["doctor"].pk),  # transferred out, waiting
            f"/transfers/{transfer.pk}",
            f"/staff-imports/{record.pk}",
            f"/account-applications/{application.pk}",
        ],
        "organisations": {
            cast.changsha.pk,
            cast.furong.pk,
            cast.city_hospital.pk,
            cast.county_hospital.pk,
        },
        "persons": {cast.persons[k].pk for k in ("nurse", "doctor", "county_doctor")},
        "transfers": {transfer.pk},
        "applications": {application.pk},
    }


def listed_ids(caller, path: str) -> set[int]:
    return {row["id"] for row in items(caller.get(path, {"page_size": 100}))}


def test_zhuzhou_reviewer_gets_404_for_every_changsha_object(api, changsha):
    zhuzhou = api("zhuzhou")
    for path in changsha["details"]:
        response = zhuzhou.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"code": "NOT_FOUND", "message": "未找到该记录，或您无权查看。"}


def test_changsha_reviewer_sees_every_changsha_object(api, changsha):
    reviewer = api("changsha")
    for path in changsha["details"]:
        response = reviewer.get(path)
        assert response.status_code == 200, path
        assert_no_full_id(response)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/organisations", "organisations"),
        ("/persons", "persons"),
        ("/transfers", "transfers"),
        ("/account-applications", "applications"),
    ],
)
def test_lists_hold_changsha_for_changsha_and_never_for_zhuzhou(api, cast, changsha, path, kind):
    assert not listed_ids(api("zhuzhou"), path) & changsha[kind]
    assert listed_ids(api("changsha"), path) >= changsha[kind]
    assert_no_full_id(api("changsha").get(path))


def test_zhuzhou_reviewer_sees_its_own_city(api, cast):
    zhuzhou = api("zhuzhou")
    assert listed_ids(zhuzhou, "/organisations") == {cast.zhuzhou.pk, cast.zhuzhou_hospital.pk}
    assert listed_ids(zhuzhou, "/persons") == {cast.persons["zhuzhou_nurse"].pk}


def test_wrong_roles_see_nothing(api, cast, changsha):
    assert listed_ids(api("learner"), "/organisations") == set()
    assert listed_ids(api("learner"), "/persons") == {cast.persons["nurse"].pk}
    assert listed_ids(api("county_admin"), "/account-applications") == set()
    assert (
        api("furong")
        .get("/account-applications/{pk}".format(pk=min(changsha["applications"])))
        .status_code
        == 404
    )


def test_organisation_filters(api, cast):
    province = api("province")
    assert {o["name"] for o in items(province.get("/organisations", {"q": "芙蓉区"}))} == {
        "长沙市芙蓉区卫生健康局",
        "长沙市芙蓉区人民医院",
    }
    assert {o["id"] for o in items(province.get("/organisations", {"region": "430200"}))} == {
        cast.zhuzhou.pk,
        cast.zhuzhou_hospital.pk,
    }
    assert {o["kind"] for o in items(province.get("/organisations", {"kind": "authority"}))} == {
        "authority"
    }


def test_review_chain_over_the_api(api, cast):
    response = api("changsha").get(f"/organisations/{cast.county_hospital.pk}/review-chain")
    assert [step["name"] for step in response.json()] == [
        "长沙市芙蓉区卫生健康局",
        "长沙市卫生健康委员会",
        "湖南省卫生健康委员会",
    ]


def test_regions_are_public_data_but_need_a_login(api, client, db):
    from cme.accounts.models import User

    user = User.objects.create_user("someone", password="x")
    client.force_login(user)
    response = client.get("/api/v1/regions", {"parent": "430100"})
    assert response.status_code == 200
    assert {
        "code": "430102",
        "name": "芙蓉区",
        "full_name": "湖南省长沙市芙蓉区",
        "level": "county",
        "parent": "430100",
    } in response.json()
    assert client.get("/api/v1/regions/430100").json()["name"] == "长沙市"
    assert client.get("/api/v1/regions/999999").status_code == 404
    client.logout()
    assert client.get("/api/v1/regions").status_code == 401


def test_person_list_query_count_does_not_grow(api, cast, django_assert_num_queries):
    caller = api("changsha")
    caller.get("/me")
    with django_assert_num_queries(4):  # token, last use, count, page
        response = caller.get("/persons")
    assert len(response.json()["items"]) == 3
