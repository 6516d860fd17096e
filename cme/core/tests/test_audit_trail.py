"""Issue 3 §10: every change and decision is recorded — who, when, acting for which
organisation, what changed, from which address — and shown to the authorities over it."""

from django.urls import reverse

from cme.core.models import AuditEvent


def test_a_change_made_on_a_page_is_recorded_with_actor_organisation_and_address(login, cast):
    client = login("city_admin")
    client.post(
        reverse("people:edit", args=[cast.persons["doctor"].pk]),
        {"name": "王建国", "sex": "", "title": "主任医师", "department": "心内科", "phone": ""},
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.get(action="person.update")
    assert event.actor == cast.users["city_admin"]
    assert event.acting_for == cast.city_hospital
    assert event.ip_address == "10.1.2.3"
    assert event.changes["title"] == ["副主任医师", "主任医师"]
    assert event.changes["department"] == ["内科", "心内科"]


def test_authorities_over_the_unit_see_the_event_others_do_not(login, cast):
    login("city_admin").post(
        reverse("people:transfer_out"), {"id_number": cast.persons["doctor"].id_number}
    )
    assert AuditEvent.objects.filter(action="transfer.out").count() == 1
    for key, sees in [
        ("changsha", True),
        ("province", True),
        ("zhuzhou", False),
        ("furong", False),
    ]:
        body = login(key).get(reverse("audit:list")).content.decode()
        assert ("人员调出" in body and "王建国" in body) is sees, key
    assert login("city_admin").get(reverse("audit:list")).status_code == 403
