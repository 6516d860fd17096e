"""The organisation pages' changes through the API: the authority edits a unit's facts;
the unit (or its authority on proof) transfers everyone out and deregisters, all or nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cme.api.tests.helpers import BASE
from cme.orgs.models import Organisation
from cme.people.models import Person, Transfer

PDF = b"%PDF-1.4\n%proof\n"


def test_the_authority_edits_a_unit_and_only_the_fields_given_change(api, cast):
    hospital = cast.county_hospital
    url = f"/organisations/{hospital.pk}"
    body = {"first_class_prevention": True, "inspection_result": "failed"}
    response = api("furong").patch(url, body)
    assert response.status_code == 200, response.content
    assert response.json()["first_class_prevention"] is True
    hospital.refresh_from_db()
    assert hospital.first_class_prevention and hospital.inspection_result == "failed"
    assert hospital.name_compliant  # not given, kept


def test_a_unit_or_another_authority_may_not_edit(api, cast):
    url = f"/organisations/{cast.county_hospital.pk}"
    assert api("county_admin").patch(url, {"name_compliant": False}).status_code == 403
    assert api("zhuzhou").patch(url, {"name_compliant": False}).status_code == 404
    assert api("furong").patch(url, {"grade": "9"}).status_code == 422
    assert api("furong").patch(url, {"region": "999999"}).status_code == 404
    assert Organisation.objects.get(pk=cast.county_hospital.pk).name_compliant


def test_the_unit_clears_out_and_deregisters(client, api, cast):
    caller = api("city_admin")
    response = client.post(
        f"{BASE}/organisations/{cast.city_hospital.pk}/clear-out",
        {"deregister": "true", "comment": "机构撤并"},
        headers=caller.headers,
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"transferred_out": 2, "status": "deregistered"}
    assert not Person.objects.filter(unit=cast.city_hospital).exists()


def test_the_authority_needs_a_proof_and_a_refusal_moves_nobody(client, api, cast):
    caller = api("changsha")
    url = f"{BASE}/organisations/{cast.city_hospital.pk}/clear-out"
    refused = client.post(url, {}, headers=caller.headers)
    assert refused.status_code == 400
    assert refused.json()["code"] == "PROOF_REQUIRED" and refused.json()["field"] == "proof"
    not_a_scan = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00")
    refused = client.post(url, {"proof": not_a_scan}, headers=caller.headers)
    assert refused.status_code == 400 and refused.json()["field"] == "proof"
    assert not Transfer.objects.exists()
    proof = SimpleUploadedFile("注销证明.pdf", PDF)
    moved = client.post(url, {"proof": proof}, headers=caller.headers)
    assert moved.json() == {"transferred_out": 2, "status": "active"}
    assert all(t.by_authority and t.proof for t in Transfer.objects.all())
    zhuzhou = client.post(url, {"proof": proof}, headers=api("zhuzhou").headers)
    assert zhuzhou.status_code == 404
