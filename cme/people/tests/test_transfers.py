"""Transfers (003 §十八): the old unit transfers out by ID number, the new unit transfers in;
a deregistering unit transfers everyone out first, or its authority does it on proof."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.orgs.actions import deregister_organisation
from cme.orgs.models import Organisation
from cme.people import actions
from cme.people.models import Person, Transfer
from cme.people.queries import persons_visible_to, transfers_visible_to

PDF = SimpleUploadedFile("注销证明.pdf", b"%PDF-1.4\n%proof\n")


def test_transfer_out_then_in_keeps_the_history(cast):
    doctor = cast.persons["doctor"]
    transfer = actions.transfer_out(doctor, actor=cast.users["city_admin"])
    doctor.refresh_from_db()
    assert doctor.unit is None and transfer.state == Transfer.State.PENDING

    actions.transfer_in(transfer, actor=cast.users["county_admin"], unit=cast.county_hospital)
    doctor.refresh_from_db()
    assert doctor.unit == cast.county_hospital
    history = list(doctor.unit_history.values_list("unit__name", "ended_at"))
    assert [h[0] for h in history] == ["长沙市第一医院", "长沙市芙蓉区人民医院"]
    assert history[0][1] is not None and history[1][1] is None


def test_pending_transfer_is_visible_to_both_units(cast):
    transfer = actions.transfer_out(
        cast.persons["doctor"], actor=cast.users["city_admin"], to_unit=cast.zhuzhou_hospital
    )
    assert transfer in transfers_visible_to(cast.users["city_admin"])
    assert transfer in transfers_visible_to(cast.users["zhuzhou_admin"])
    assert transfer not in transfers_visible_to(cast.users["county_admin"])
    # the old unit still finds the person it transferred out
    assert cast.persons["doctor"] in persons_visible_to(cast.users["city_admin"])


def test_named_destination_is_the_only_one_that_can_accept(cast):
    transfer = actions.transfer_out(
        cast.persons["doctor"], actor=cast.users["city_admin"], to_unit=cast.zhuzhou_hospital
    )
    with pytest.raises(PermissionDenied):
        actions.transfer_in(transfer, actor=cast.users["county_admin"], unit=cast.county_hospital)


def test_only_the_own_unit_transfers_out(cast):
    with pytest.raises(PermissionDenied):
        actions.transfer_out(cast.persons["doctor"], actor=cast.users["county_admin"])


def test_two_units_accepting_at_once_give_one_transfer(cast):
    transfer = actions.transfer_out(cast.persons["doctor"], actor=cast.users["city_admin"])
    stale = Transfer.objects.get(pk=transfer.pk)
    actions.transfer_in(transfer, actor=cast.users["county_admin"], unit=cast.county_hospital)
    with pytest.raises(Conflict):
        actions.transfer_in(stale, actor=cast.users["zhuzhou_admin"], unit=cast.zhuzhou_hospital)
    assert Person.objects.get(pk=cast.persons["doctor"].pk).unit == cast.county_hospital


def test_cancel_brings_the_person_back(cast):
    transfer = actions.transfer_out(cast.persons["doctor"], actor=cast.users["city_admin"])
    actions.cancel_transfer(transfer, actor=cast.users["city_admin"])
    assert Person.objects.get(pk=cast.persons["doctor"].pk).unit == cast.city_hospital


def test_unit_with_staff_cannot_be_deregistered(cast):
    with pytest.raises(DomainError) as exc:
        deregister_organisation(cast.city_hospital, actor=cast.users["city_admin"])
    assert exc.value.code == "ORG_HAS_STAFF"


def test_unit_transfers_everyone_out_then_deregisters(cast):
    moved = actions.transfer_out_all(cast.city_hospital, actor=cast.users["city_admin"], proof=None)
    assert moved == 2
    deregister_organisation(cast.city_hospital, actor=cast.users["city_admin"])
    assert Organisation.objects.get(pk=cast.city_hospital.pk).status == "deregistered"


def test_authority_transfers_out_an_unmanaged_unit_only_on_proof(cast):
    with pytest.raises(PermissionDenied):
        actions.transfer_out_all(cast.city_hospital, actor=cast.users["zhuzhou"], proof=PDF)
    with pytest.raises(PermissionDenied):
        actions.transfer_out(cast.persons["doctor"], actor=cast.users["changsha"])
    moved = actions.transfer_out_all(cast.city_hospital, actor=cast.users["changsha"], proof=PDF)
    assert moved == 2
    transfers = Transfer.objects.filter(from_unit=cast.city_hospital)
    assert all(t.by_authority and t.proof for t in transfers)


def test_the_city_may_also_transfer_out_a_county_licensed_unit_on_proof(cast):
    moved = actions.transfer_out_all(cast.county_hospital, actor=cast.users["changsha"], proof=PDF)
    assert moved == 1


def test_editing_a_person_can_clear_the_title(cast):
    doctor = cast.persons["doctor"]
    actions.update_person(
        doctor,
        {"name": doctor.name, "title": "", "department": "内科"},
        actor=cast.users["city_admin"],
    )
    doctor.refresh_from_db()
    assert (doctor.title, doctor.title_level) == ("", 0)


def test_import_blank_title_keeps_the_stored_one(cast):
    from cme.people.validation import clean_person

    doctor = cast.persons["doctor"]
    data, _ = clean_person({"name": doctor.name, "id_number": doctor.id_number, "title": ""})
    assert data.differs_from(doctor) == {}


def test_the_deregister_page_clears_out_all_or_nothing(login, cast):
    from django.urls import reverse

    url = reverse("orgs:deregister", args=[cast.city_hospital.pk])
    page = login("changsha").post(url, {"transfer": "1"})
    assert page.status_code == 200 and "须上传注销证明" in page.content.decode()
    not_a_scan = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00")
    page = login("changsha").post(url, {"transfer": "1", "proof": not_a_scan})
    assert "不是PDF" in page.content.decode() and not Transfer.objects.exists()
    done = login("city_admin").post(url, {"deregister": "1", "comment": "撤并"})
    assert done.status_code == 302
    assert Organisation.objects.get(pk=cast.city_hospital.pk).status == "deregistered"
