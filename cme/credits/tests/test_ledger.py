"""Issue 6 §1-2, §7, §9 (CREDIT-RULES §1, §3): a person's year counts only that year's valid
records; total ≥ 25 and I类 ≥ 5 by default; the catalogue's yearly caps cut what is above
them and say so; a unit level may have its own requirement; an exempted person is 不计达标;
voiding a year's credits changes everything derived at once."""

import datetime
from decimal import Decimal

import pytest

from cme.credits import ledger
from cme.credits.ledger import Result
from cme.credits.models import AnnualRequirement, CreditRecord, Exemption
from cme.credits.tests.factories import credit
from cme.people.models import Person

D = Decimal


@pytest.fixture
def nurse(cast):
    return cast.persons["nurse"]


@pytest.mark.parametrize(
    ("class1", "class2", "result"),
    [
        ("5.0", "20.0", Result.QUALIFIED),
        ("5.0", "19.9", Result.NOT_QUALIFIED),  # total 24.9
        ("4.9", "20.1", Result.NOT_QUALIFIED),  # total 25.0 but I类 4.9
        ("25.0", "0", Result.QUALIFIED),
    ],
)
def test_the_requirement_at_its_boundaries(nurse, class1, class2, result):
    credit(nurse, 2024, class1)
    if D(class2):
        credit(nurse, 2024, class2, "paper")
    summary = ledger.summarise(nurse, 2024)
    assert summary.outcome.result == result
    bulk = ledger.year_results(Person.objects.filter(pk=nurse.pk), 2024)[nurse.pk]
    assert bulk.outcome.result == result and bulk.totals.total == summary.totals.total


def test_what_is_missing_is_said(nurse):
    credit(nurse, 2024, "4.9")
    credit(nurse, 2024, "10", "paper")
    outcome = ledger.summarise(nurse, 2024).outcome
    assert (outcome.missing_total, outcome.missing_class1) == (D("10.1"), D("0.1"))
    assert "总学分14.9分" in outcome.reasons[0] and "I类学分4.9分" in outcome.reasons[1]


def test_credits_count_only_for_their_year_and_only_when_valid(nurse):
    credit(nurse, 2023, "30")
    credit(nurse, 2024, "3", status=CreditRecord.Status.PENDING)
    credit(nurse, 2024, "3", status=CreditRecord.Status.REJECTED)
    summary = ledger.summarise(nurse, 2024)
    assert summary.totals.total == 0 and summary.pending == D(3)


def test_a_yearly_cap_cuts_the_later_records_and_says_why(nurse):
    day = datetime.date(2024, 3, 1)
    credit(nurse, 2024, "3", "self_study_review", activity_date=day)
    credit(nurse, 2024, "3", "self_study_review", activity_date=day.replace(month=6))
    summary = ledger.summarise(nurse, 2024)
    first, second = summary.lines
    assert (first.counted, second.counted, second.cut) == (D(3), D(2), D(1))
    assert "每年5" in second.cut_reason
    assert summary.totals.class2 == D(5)


def test_unit_activities_share_one_cap_of_ten(nurse):
    for _ in range(12):
        credit(nurse, 2024, "2", "unit_lecture", hours="0")  # as a lecturer
    credit(nurse, 2024, "0.2", "unit_case_discussion", hours="0")
    assert ledger.summarise(nurse, 2024).totals.class2 == D(10)
    bulk = ledger.year_results(Person.objects.filter(pk=nurse.pk), 2024)[nurse.pk]
    assert bulk.totals.class2 == D(10)


def test_the_class2_counted_cap_of_the_year(nurse, settings):
    from cme.policy.models import PolicyValue

    PolicyValue.objects.filter(year=2024, key="annual.class2_max_counted").update(value=20)
    credit(nurse, 2024, "5")
    credit(nurse, 2024, "22", "paper")
    summary = ledger.summarise(nurse, 2024)
    assert summary.totals.class2 == D(20) and summary.outcome.result == Result.QUALIFIED
    assert "不超过20" in summary.lines[-1].cut_reason


def test_a_unit_level_may_have_its_own_requirement(cast):
    county_doctor = cast.persons["county_doctor"]  # 芙蓉区人民医院, licensed by the county
    AnnualRequirement.objects.create(
        year=2024, unit_level="county", total_min=20, class1_min=3, note="基层单位"
    )
    credit(county_doctor, 2024, "3")
    credit(county_doctor, 2024, "17", "paper")
    assert ledger.summarise(county_doctor, 2024).outcome.result == Result.QUALIFIED
    nurse = cast.persons["nurse"]  # city-licensed: the default 25 / 5
    credit(nurse, 2024, "3")
    credit(nurse, 2024, "17", "paper")
    assert ledger.summarise(nurse, 2024).outcome.result == Result.NOT_QUALIFIED


def test_an_exempted_person_is_not_counted(cast, nurse):
    Exemption.objects.create(
        person=nurse, year=2024, reason="产假", granted_by=cast.users["city_admin"]
    )
    summary = ledger.summarise(nurse, 2024)
    assert summary.outcome.result == Result.EXEMPT and "产假" in summary.outcome.reasons[0]


def test_staff_of_a_tertiary_hospital_are_warned_about_five_years_of_national_credits(cast):
    nurse = cast.persons["nurse"]  # 长沙市第一医院 is 三级
    credit(nurse, 2021, "6", "national_project")
    credit(nurse, 2024, "3", "national_project")
    (warning,) = ledger.summarise(nurse, 2024).warnings
    assert "近5年（2020-2024年）国家级项目学分9.0分" in warning
    credit(nurse, 2022, "1", "national_project")
    assert ledger.summarise(nurse, 2024).warnings == []
    assert ledger.summarise(cast.persons["county_doctor"], 2024).warnings == []


def test_a_pending_record_says_who_holds_it_and_since_when(cast, nurse):
    since = datetime.datetime(2024, 5, 13, 10, tzinfo=datetime.UTC)
    record = credit(
        nurse,
        2024,
        "1",
        status=CreditRecord.Status.PENDING,
        holder=cast.changsha,
        holder_since=since,
    )
    text = ledger.where_is(record, today=datetime.date(2024, 5, 18))
    assert text == "等待长沙市卫生健康委员会审核，已5天"


def test_voiding_a_year_for_fraud_changes_the_total_and_the_result(cast, nurse):
    credit(nurse, 2024, "10")
    credit(nurse, 2024, "20", "paper")
    credit(nurse, 2023, "30")
    assert ledger.summarise(nurse, 2024).outcome.result == Result.QUALIFIED
    assert ledger.void_year(nurse, 2024, actor=cast.users["changsha"], reason="代签到") == 2
    summary = ledger.summarise(nurse, 2024)
    assert summary.totals.total == 0 and summary.outcome.result == Result.NOT_QUALIFIED
    assert {line.record.status_reason for line in summary.lines} == {"代签到"}
    assert ledger.summarise(nurse, 2023).totals.total == D(30)  # other years untouched


def test_year_results_of_no_one_is_empty(cast):
    """A unit without staff (a society's audit page): nothing to count, no error."""
    assert ledger.year_results(Person.objects.filter(pk__in=[]), 2024) == {}
