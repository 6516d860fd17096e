"""Transfers over the API (003 §十八): out, lookup by ID number, accept, cancel."""

from cme.api.tests.helpers import assert_no_full_id, items
from cme.core.idnumbers import mask
from cme.people.models import Transfer
from cme.people.queries import NO_PENDING_TRANSFER


def out(caller, id_number: str, **extra):
    return caller.post("/transfers/out", {"id_number": id_number, "note": "工作调动", **extra})


def test_out_to_a_named_unit_then_lookup_and_accept(api, cast):
    doctor = cast.persons["doctor"]
    response = out(api("city_admin"), doctor.id_number, to_unit_id=cast.county_hospital.pk)
    assert response.status_code == 201, response.content
    transfer = response.json()
    assert transfer["state"] == "pending"
    assert transfer["person"] == {
        "id": doctor.pk,
        "name": "王建国",
        "id_number_masked": mask(doctor.id_number),
    }
    assert transfer["to_unit"] == {"id": cast.county_hospital.pk, "name": "长沙市芙蓉区人民医院"}
    assert_no_full_id(response)

    county = api("county_admin")
    assert transfer["id"] in {
        t["id"] for t in items(county.get("/transfers", {"state": "pending"}))
    }
    found = county.post("/transfers/lookup", {"id_number": doctor.id_number})
    assert found.status_code == 200
    assert (found.json()["id"], found.json()["from_unit"]["name"]) == (
        transfer["id"],
        "长沙市第一医院",
    )
    assert_no_full_id(found)

    accepted = county.post("/transfers/{pk}/accept".format(pk=transfer["id"]))

    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "completed"
    doctor.refresh_from_db()
    assert doctor.unit == cast.county_hospital

    twice = county.post("/transfers/{pk}/accept".format(pk=transfer["id"]))
    assert twice.status_code == 409
    assert twice.json()["code"] == "CONFLICT"


def test_out_to_nobody_in_particular_needs_the_id_number_to_accept(api, cast):
    doctor = cast.persons["doctor"]
    transfer_id = out(api("city_admin"), doctor.id_number).json()["id"]
    county = api("county_admin")
    accept = f"/transfers/{transfer_id}/accept"

    assert county.get(f"/transfers/{transfer_id}").status_code == 404
    assert county.post(accept).status_code == 404  # guessing ids takes nobody in
    assert county.post(accept, {"id_number": cast.persons["nurse"].id_number}).status_code == 404
    assert (
        county.post("/transfers/lookup", {"id_number": doctor.id_number}).json()["id"]
        == transfer_id
    )

    accepted = county.post(accept, {"id_number": doctor.id_number})

    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["to_unit"]["id"] == cast.county_hospital.pk
    assert Transfer.objects.get(pk=transfer_id).completed_by == cast.users["county_admin"]


def test_lookup_finds_nothing_earmarked_for_another_unit(api, cast):
    doctor = cast.persons["doctor"]
    out(api("city_admin"), doctor.id_number, to_unit_id=cast.county_hospital.pk)
    response = api("zhuzhou_admin").post("/transfers/lookup", {"id_number": doctor.id_number})
    assert response.status_code == 404
    assert response.json() == {
        "code": "NOT_FOUND",
        "message": NO_PENDING_TRANSFER,
    }
    assert (
        api("changsha").post("/transfers/lookup", {"id_number": doctor.id_number}).status_code
        == 403
    )


def test_out_of_someone_elses_person_is_404_without_saying_where_they_are(api, cast):
    response = out(api("zhuzhou_admin"), cast.persons["doctor"].id_number)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "NOT_FOUND"
    assert "长沙" not in body["message"] and "医院" not in body["message"]
    assert (
        out(api("zhuzhou_admin"), "430102199001011234").json() == body
    )  # unknown number: same answer
    assert not Transfer.objects.exists()


def test_reviewer_cannot_transfer_out_without_a_deregistration_proof(api, cast):
    response = out(api("changsha"), cast.persons["doctor"].id_number)
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_unknown_target_unit_names_the_field(api, cast):
    response = out(api("city_admin"), cast.persons["doctor"].id_number, to_unit_id=999999)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("TRANSFER_TARGET", "to_unit_id")


def test_cancel_brings_the_person_back(api, cast):
    doctor = cast.persons["doctor"]
    transfer_id = out(api("city_admin"), doctor.id_number).json()["id"]
    assert api("zhuzhou_admin").post(f"/transfers/{transfer_id}/cancel").status_code == 404

    response = api("city_admin").post(f"/transfers/{transfer_id}/cancel")

    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    doctor.refresh_from_db()
    assert doctor.unit == cast.city_hospital
