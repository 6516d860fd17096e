"""Issue 6 §10: an authority enters a draft requirement for a year and sees, over its scope,
how many people would change from 达标 to 不达标 and back, with the reason — computed from
one pass over one GROUP BY, and nothing saved. `year_results` takes the same draft."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cme.audits.tests.factories import YEAR, qualified
from cme.audits.whatif import what_if
from cme.credits import ledger
from cme.credits.ledger import Requirement, Result
from cme.credits.models import Exemption
from cme.credits.tests.factories import credit
from cme.people.models import Person
from cme.policy.models import PolicyValue

D = Decimal


@pytest.fixture
def people(cast):
    qualified(cast.persons["nurse"], class1="10", class2="18")  # 28
    qualified(cast.persons["doctor"], class1="5", class2="17")  # 22
    qualified(cast.persons["county_doctor"], class1="10", class2="20")  # 30
    qualified(cast.persons["zhuzhou_nurse"], class1="5", class2="21")  # 26, other city
    return cast.persons


def test_a_stricter_draft_lists_who_falls_below(cast, people):
    before = list(PolicyValue.objects.values_list("key", "value"))
    outcome = what_if(cast.users["changsha"], YEAR, total_min=D(30), class1_min=D(5))
    assert (outcome.people, outcome.qualified_now, outcome.qualified_draft) == (3, 2, 1)
    (change,) = outcome.to_not_qualified
    assert change.person == people["nurse"] and change.totals.total == 28
    assert change.reasons == ["总学分28.0分，少于30分（差2.0分）"]
    assert outcome.to_qualified == []
    assert list(PolicyValue.objects.values_list("key", "value")) == before  # nothing saved


def test_a_looser_draft_lists_who_rises_and_exempt_people_stay_out(cast, people):
    Exemption.objects.create(
        person=people["county_doctor"],
        year=YEAR,
        reason="产假",
        granted_by=cast.users["city_admin"],
    )
    outcome = what_if(cast.users["changsha"], YEAR, total_min=D(20), class1_min=D(5))
    assert outcome.exempt == 1 and outcome.to_not_qualified == []
    (change,) = outcome.to_qualified
    assert change.person == people["doctor"] and "少于25分" in change.reasons[0]


def test_a_class2_cap_in_the_draft_recomputes_the_totals(cast, people):
    outcome = what_if(
        cast.users["province"], YEAR, total_min=D(25), class1_min=D(5), class2_max_counted=D(19)
    )
    assert outcome.people == 4
    (change,) = outcome.to_not_qualified
    assert change.person == people["zhuzhou_nurse"] and change.totals.class2 == 19


def test_year_results_takes_a_draft_and_agrees_with_the_summary(cast, people):
    nurse = people["nurse"]
    for _ in range(12):
        credit(nurse, YEAR, "1", "unit_lecture")  # capped at 10 a year
    draft = Requirement(D(40), D(12), D(25))
    result = ledger.year_results(Person.objects.filter(pk=nurse.pk), YEAR, requirement=draft)
    totals = result[nurse.pk].totals
    assert (totals.class1, totals.class2, totals.total) == (D(10), D(25), D(35))
    assert result[nurse.pk].outcome.result == Result.NOT_QUALIFIED
    assert "I类学分10.0分，少于12分（差2.0分）" in result[nurse.pk].outcome.reasons
    usual = ledger.year_results(Person.objects.filter(pk=nurse.pk), YEAR)[nurse.pk]
    assert usual.totals.total == ledger.summarise(nurse, YEAR).totals.total == D(38)


def test_the_page_shows_the_counts_and_names(login, cast, people):
    client = login("changsha")
    page = client.get(
        reverse("audits:what_if"),
        {"year": YEAR, "total_min": "30", "class1_min": "5", "class2_max_counted": ""},
    ).content.decode()
    assert "由达标变为不达标（1人）" in page and "李小红" in page
    assert people["nurse"].id_number not in page
    assert "刘芳" not in page  # another city's staff
    assert login("city_admin").get(reverse("audits:what_if")).status_code == 403
