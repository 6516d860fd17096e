"""The annual audit at the boundaries of CREDIT-RULES §1 (`annual.total_min`,
`annual.class1_min`, unit-level requirements, 不计达标, voided years): the unit's counts and
rows, live and as submitted, say what each person's own page says; a change to the ledger
shows in the counts at once, not a minute later."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cme.audits import actions
from cme.audits.tests.factories import YEAR, staff
from cme.claims.activities import record_unit_activity
from cme.credits import ledger
from cme.credits.ledger import Result
from cme.credits.models import CreditSource, Exemption
from cme.credits.tests.agree import Figures, views
from cme.credits.tests.factories import credit
from cme.holding.tests.test_api import api

D = Decimal
Q, NQ, EX = Result.QUALIFIED, Result.NOT_QUALIFIED, Result.EXEMPT

# (I类, II类) → result: on and just past annual.total_min and annual.class1_min
CASES = [
    ("5.0", "20.0", Q),
    ("5.0", "19.9", NQ),
    ("4.9", "20.1", NQ),
    ("25.0", "0", Q),
    ("24.9", "0", NQ),
    ("0", "25.0", NQ),
]


def page_counts(client, unit, year=YEAR) -> dict[str, int]:
    body = client.get(reverse("audits:unit", args=[unit.pk, year])).content.decode()
    found = dict(re.findall(r'<strong class="count-([a-z-]+)">(\d+)</strong>', body))
    return {k.replace("-", "_"): int(v) for k, v in found.items()}


@pytest.fixture
def people(cast):
    """One staff member of 长沙市第一医院 per case, plus one exempted with 30 credits."""
    everyone = staff(cast.city_hospital, len(CASES) + 1)
    for p, (class1, class2, _result) in zip(everyone, CASES, strict=False):
        if D(class1):
            credit(p, YEAR, class1)
        if D(class2):
            credit(p, YEAR, class2, "paper")
    exempted = everyone[-1]
    credit(exempted, YEAR, "30.0")
    Exemption.objects.create(
        person=exempted, year=YEAR, reason="新入职", granted_by=cast.users["city_admin"]
    )
    return everyone


def test_the_units_counts_and_rows_follow_the_requirement_at_its_boundaries(client, cast, people):
    for p, (class1, class2, result) in zip(people, CASES, strict=False):
        assert views(client, cast, p, YEAR) == Figures(
            D(class1) + D(class2), D(class1), D(class2), result
        )
    client.force_login(cast.users["city_admin"])
    # the cast's nurse and doctor have no credits: 不达标
    expected = {"qualified": 2, "not_qualified": 4 + 2, "exempt": 1}
    assert page_counts(client, cast.city_hospital) == expected
    call = api(client, cast.users["city_admin"])
    url = "/audits/units/{u}/{y}".format(u=cast.city_hospital.pk, y=YEAR)
    assert call("get", url).json()["counts"] == expected


def test_the_submitted_list_keeps_the_figures_of_the_live_one(client, cast, people):
    call = api(client, cast.users["city_admin"])
    url = "/audits/units/{u}/{y}".format(u=cast.city_hospital.pk, y=YEAR)
    live = {r["person_id"]: r for r in call("get", url, {"page_size": 500}).json()["items"]}
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    assert audit.qualified_count == 2 and audit.staff_count == len(people) + 2
    data = call("get", url, {"page_size": 500}).json()
    assert data["snapshot"] is True
    for row in data["items"]:
        before = live[row["person_id"]]
        fields = ("total", "class1", "class2", "result", "reasons")
        assert [row[k] for k in fields] == [before[k] for k in fields]


def test_a_unit_level_requirement_judges_its_units_staff_in_the_audit(client, cast):
    """CREDIT-RULES §1: a requirement row for county-licensed units (20 / 3 here)."""
    from cme.credits.models import AnnualRequirement

    AnnualRequirement.objects.create(year=YEAR, unit_level="county", total_min=20, class1_min=3)
    county_doctor = cast.persons["county_doctor"]
    credit(county_doctor, YEAR, "3.0")
    credit(county_doctor, YEAR, "16.9", "paper")
    assert views(client, cast, county_doctor, YEAR).result == NQ
    credit(county_doctor, YEAR, "0.1", "paper")
    assert views(client, cast, county_doctor, YEAR).result == Q
    client.force_login(cast.users["county_admin"])
    assert page_counts(client, cast.county_hospital)["qualified"] == 1


def test_a_year_voided_for_fraud_leaves_the_qualified_count_at_once(client, cast, people):
    client.force_login(cast.users["city_admin"])
    assert page_counts(client, cast.city_hospital)["qualified"] == 2
    actions.void_person_year(people[0], YEAR, actor=cast.users["changsha"], reason="代签到")
    counts = page_counts(client, cast.city_hospital)
    assert counts["qualified"] == 1 and counts["not_qualified"] == 7


def test_credits_recorded_after_the_page_was_read_show_in_its_counts_at_once(client, cast):
    """The counts are cached for a minute; a record turning valid makes them count again,
    so the counts never contradict the rows below them."""
    nurse = cast.persons["nurse"]
    credit(nurse, YEAR, "15.0")
    credit(nurse, YEAR, "9.5", "paper")
    client.force_login(cast.users["city_admin"])
    assert page_counts(client, cast.city_hospital) == {
        "qualified": 0,
        "not_qualified": 2,
        "exempt": 0,
    }
    record_unit_activity(
        cast.city_hospital,
        actor=cast.users["city_admin"],
        source=CreditSource.objects.get(code="unit_lecture"),
        title="院内讲座",
        activity_date=datetime.date(YEAR, 12, 31),
        participants=[nurse.name],
        today=datetime.date(YEAR, 12, 31),
    )
    assert ledger.summarise(nurse, YEAR).outcome.result == Q  # 25.0
    assert page_counts(client, cast.city_hospital)["qualified"] == 1


def test_an_exemption_is_counted_as_not_counted_whatever_the_credits(client, cast, people):
    exempted = people[-1]
    assert views(client, cast, exempted, YEAR).result == EX
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    entry = audit.entries.get(person=exempted)
    assert entry.result == EX and "新入职" in entry.reasons
