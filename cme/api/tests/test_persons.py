"""Persons over the API: ID numbers masked everywhere, revealed only to who needs them."""

from cme.api.tests.helpers import assert_no_full_id, new_resident_id
from cme.core.idnumbers import mask
from cme.core.models import AuditEvent
from cme.people.models import Person


def test_person_detail_masks_the_id_number(api, cast):
    nurse = cast.persons["nurse"]
    response = api("city_admin").get(f"/persons/{nurse.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id_number_masked"] == mask(nurse.id_number)
    assert "id_number" not in body
    assert body["unit"] == {"id": cast.city_hospital.pk, "name": "长沙市第一医院"}
    assert [h["unit"]["name"] for h in body["unit_history"]] == ["长沙市第一医院"]
    assert_no_full_id(response)


def test_unit_admin_reveals_the_full_number_and_it_is_logged(api, cast):
    nurse = cast.persons["nurse"]
    response = api("city_admin").post(f"/persons/{nurse.pk}/reveal-id")
    assert response.status_code == 200
    assert response.json() == {"id_number": nurse.id_number}
    assert (
        AuditEvent.objects.filter(action="person.reveal_id", object_id=str(nurse.pk)).count() == 1
    )


def test_the_person_themself_may_reveal_their_number(api, cast):
    nurse = cast.persons["nurse"]
    assert (
        api("learner").post(f"/persons/{nurse.pk}/reveal-id").json()["id_number"] == nurse.id_number
    )


def test_reviewer_may_not_reveal_and_other_city_gets_404(api, cast):
    path = "/persons/{pk}/reveal-id".format(pk=cast.persons["nurse"].pk)
    forbidden = api("changsha").post(path)
    assert forbidden.status_code == 403
    assert forbidden.json() == {"code": "FORBIDDEN", "message": "您无权查看完整证件号码。"}
    assert_no_full_id(forbidden)
    assert api("zhuzhou").post(path).status_code == 404
    assert api("county_admin").post(path).status_code == 404
    assert not AuditEvent.objects.filter(action="person.reveal_id").exists()


def test_unit_admin_adds_a_person(api, cast):
    number = new_resident_id(seed=11)
    response = api("city_admin").post(
        f"/units/{cast.city_hospital.pk}/persons",
        {
            "name": "孙丽",
            "id_number": number,
            "title": "护师",
            "department": "外科",
            "phone": "13700000000",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number_masked"] == mask(number)
    assert number not in response.content.decode()
    person = Person.objects.get(pk=body["id"])
    assert (person.unit, person.title_level) == (cast.city_hospital, 2)


def test_adding_refuses_bad_and_duplicate_numbers_with_the_field(api, cast):
    caller = api("city_admin")
    path = f"/units/{cast.city_hospital.pk}/persons"
    nurse = cast.persons["nurse"]

    duplicate = caller.post(path, {"name": "李小红", "id_number": nurse.id_number})
    assert duplicate.status_code == 400
    assert duplicate.json() == {
        "code": "PERSON_EXISTS",
        "message": "该人员已在本单位名单中。",
        "field": "id_number",
    }

    number = new_resident_id(seed=12)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    bad = caller.post(path, {"name": "孙丽", "id_number": wrong})
    assert bad.status_code == 400
    assert bad.json()["code"] == "ID_CHECKSUM"
    assert bad.json()["field"] == "id_number"

    missing = caller.post(path, {"name": "孙丽"})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "id_number", "message": "必填。"}]


def test_adding_is_for_the_units_own_admin(api, cast):
    body = {"name": "孙丽", "id_number": new_resident_id(seed=13)}
    assert api("changsha").post(f"/units/{cast.city_hospital.pk}/persons", body).status_code == 403
    assert (
        api("zhuzhou_admin").post(f"/units/{cast.city_hospital.pk}/persons", body).status_code
        == 404
    )
    assert (
        api("city_admin").post(f"/units/{cast.county_hospital.pk}/persons", body).status_code == 404
    )
    assert not Person.objects.filter(name="孙丽").exists()


def test_patch_changes_only_the_fields_given(api, cast):
    nurse = cast.persons["nurse"]
    response = api("city_admin").patch(f"/persons/{nurse.pk}", {"department": "急诊科"})
    assert response.status_code == 200, response.content
    assert_no_full_id(response)
    nurse.refresh_from_db()
    assert (nurse.department, nurse.title, nurse.title_level, nurse.name) == (
        "急诊科",
        "主管护师",
        3,
        "李小红",
    )


def test_patch_reports_the_field_and_respects_roles(api, cast):
    path = "/persons/{pk}".format(pk=cast.persons["nurse"].pk)
    bad = api("city_admin").patch(path, {"title": "大夫"})
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("TITLE_UNKNOWN", "title")
    assert api("changsha").patch(path, {"department": "外科"}).status_code == 403
    assert api("zhuzhou").patch(path, {"department": "外科"}).status_code == 404
