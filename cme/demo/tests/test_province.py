"""Issue 8 §1: `generate_province` builds the same province from the same seed, with the
shape SPEC §11 describes (series mix, records per person), at any scale."""

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from cme.certificates.models import Certificate
from cme.credits.models import CreditRecord
from cme.demo.province import GENERATOR, generate
from cme.holding.models import Attendee, HeldSession
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.projects.models import Project

User = get_user_model()


def shape():
    people = Person.objects.filter(name__startswith="职工")
    return {
        "persons": people.count(),
        "ids": sorted(people.values_list("id_number", flat=True))[:50],
        "series": Counter(people.values_list("title_series", flat=True)),
        "records": CreditRecord.objects.filter(person__in=people).count(),
        "certificates": sorted(Certificate.objects.values_list("number", flat=True))[:50],
    }


@pytest.mark.django_db
def test_a_small_province_has_the_described_shape():
    built = generate(seed=7, scale=0.002, year=2026, say=lambda _m: None)
    assert (built.cities, built.counties) == (14, 122)
    assert built.units == 12 and built.persons == 1040 and built.projects == 7
    people = Person.objects.filter(name__startswith="职工")
    assert people.count() == 1040
    assert len(set(people.values_list("id_number", flat=True))) == 1040
    series = Counter(people.values_list("title_series", flat=True))
    assert 0.40 < series["护理"] / 1040 < 0.54 and 0.31 < series["医疗"] / 1040 < 0.45
    per_person = CreditRecord.objects.filter(year=2026).values("person").annotate(n=Count("id"))
    assert {r["n"] for r in per_person} <= set(range(15, 41))
    assert per_person.count() == 1040 and built.records == sum(r["n"] for r in per_person)
    # each attendee has the session's credit and its certificate
    awarded = CreditRecord.objects.filter(session__isnull=False)
    assert awarded.count() == Attendee.objects.count() == Certificate.objects.count() > 0
    assert not awarded.filter(certificate__isnull=True).exists()
    # every unit sits under a county, a city or the province in the tree
    province = Organisation.objects.get(name="湖南省卫生健康委员会")
    units = Organisation.objects.filter(name__contains="医疗机构")
    assert all(u.tree_path.startswith(province.tree_path) for u in units)
    assert all(u.tree_path.endswith(f"/{u.pk}/") for u in units)


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_province():
    generate(seed=11, scale=0.001, year=2026, say=lambda _m: None)
    first = shape()
    Certificate.objects.all().delete()
    CreditRecord.objects.all().delete()

    Attendee.objects.all().delete()
    HeldSession.objects.all().delete()
    Project.objects.all().delete()
    Person.objects.filter(name__startswith="职工").delete()
    Organisation.objects.filter(name__contains="医疗机构").delete()
    User.objects.filter(username=GENERATOR).delete()
    out = io.StringIO()
    call_command("generate_province", seed=11, scale=0.001, year=2026, stdout=out)
    assert shape() == first
    assert "credit records" in out.getvalue()


@pytest.mark.django_db
def test_it_adds_to_the_demo_data_once_and_refuses_a_second_run():
    call_command("load_demo", stdout=io.StringIO())
    theirs = set(Certificate.objects.values_list("number", flat=True))
    assert theirs  # the demo's holding has awarded certificates
    call_command("generate_province", seed=3, scale=0.001, year=2026, stdout=io.StringIO())
    generated = CreditRecord.objects.filter(session__isnull=False, person__name__startswith="职工")
    assert generated.count() == generated.filter(certificate__isnull=False).count() > 0
    assert theirs <= set(Certificate.objects.values_list("number", flat=True))
    records = CreditRecord.objects.count()
    with pytest.raises(CommandError, match="已有生成的省级数据"):
        call_command("generate_province", seed=3, scale=0.001, year=2026)
    assert CreditRecord.objects.count() == records
