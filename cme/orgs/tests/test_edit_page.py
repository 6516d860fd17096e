"""The organisation edit page: the unit's authority marks it a 一级防保单位, and the detail
page says so (CREDIT-RULES §1: its staff join the five-year national-credit check)."""

from django.forms.models import model_to_dict
from django.urls import reverse

from cme.orgs.actions import EDITABLE_FIELDS
from cme.orgs.models import Organisation


def test_the_authority_marks_a_first_class_prevention_unit(login, cast):
    hospital = cast.county_hospital
    data = {k: v for k, v in model_to_dict(hospital, EDITABLE_FIELDS).items() if v is not None}
    data["first_class_prevention"] = "on"
    client = login("furong")
    saved = client.post(reverse("orgs:edit", args=[hospital.pk]), data)
    assert saved.status_code == 302, saved.content.decode()
    assert Organisation.objects.get(pk=hospital.pk).first_class_prevention
    detail = client.get(reverse("orgs:detail", args=[hospital.pk])).content.decode()
    assert "一级防保单位" in detail


def test_the_unit_itself_may_not_mark_it(login, cast):
    url = reverse("orgs:edit", args=[cast.county_hospital.pk])
    assert login("county_admin").post(url, {"first_class_prevention": "on"}).status_code == 403
    assert not Organisation.objects.get(pk=cast.county_hospital.pk).first_class_prevention
