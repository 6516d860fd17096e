"""Issue 7 §1: every figure of the desk on hand-made data with known answers, over the
viewer's scope only (株洲 never counts 长沙's projects)."""

import datetime
from decimal import Decimal

import pytest

from cme.audits.models import AnnualAudit
from cme.credits.tests.factories import credit
from cme.holding.models import ExecutionReport
from cme.holding.tests.factories import approved, held_session
from cme.projects.models import Level, State
from cme.projects.tests.factories import bare_project, valid_declaration
from cme.stats import figures

YEAR = 2024


@pytest.fixture
def projects(cast):
    """长沙市第一医院: 4 provincial declarations (2 completed, 1 approved, 1 rejected) and one
    under review; 芙蓉区人民医院: 1 approved; 株洲市中心医院: 1 completed."""
    made = {}
    for key, state, sponsor in [
        ("c1", State.COMPLETED, cast.city_hospital),
        ("c2", State.COMPLETED, cast.city_hospital),
        ("a1", State.APPROVED, cast.city_hospital),
        ("r1", State.REJECTED, cast.city_hospital),
        ("u1", State.UNDER_REVIEW, cast.city_hospital),
        ("f1", State.PUBLISHED, cast.county_hospital),
        ("z1", State.COMPLETED, cast.zhuzhou_hospital),
        ("d1", State.DRAFT, cast.city_hospital),
    ]:
        made[key] = bare_project(cast, name=key, year=YEAR, state=state, sponsor=sponsor)
    bare_project(cast, name="national", year=YEAR, level=Level.NATIONAL, state=State.APPROVED)
    return made


def test_declarations_count_submitted_ones_by_level_and_state_in_scope(cast, projects):
    table = figures.declarations(cast.users["changsha"], YEAR)
    assert table[Level.PROVINCIAL] == {
        State.COMPLETED: 2,
        State.APPROVED: 1,
        State.REJECTED: 1,
        State.UNDER_REVIEW: 1,
        State.PUBLISHED: 1,
    }
    assert table[Level.NATIONAL] == {State.APPROVED: 1}
    assert figures.declarations(cast.users["zhuzhou"], YEAR)[Level.PROVINCIAL] == {
        State.COMPLETED: 1
    }


def test_unit_rates_approval_over_decided_and_execution_over_approved(cast, projects):
    rates = {r.name: r for r in figures.unit_rates(cast.users["changsha"], YEAR, Level.PROVINCIAL)}
    hospital = rates["长沙市第一医院"]
    assert (hospital.declared, hospital.decided, hospital.approved, hospital.completed) == (
        5,
        4,
        3,
        2,
    )
    assert hospital.approval_rate == Decimal("75.0")  # 3 of the 4 decided
    assert hospital.execution_rate == Decimal("66.7")  # 2 of 3
    assert rates["长沙市芙蓉区人民医院"].execution_rate == Decimal("0.0")
    assert "株洲市中心医院" not in rates


def test_area_rates_sum_a_citys_units_per_county_and_direct_unit(cast, projects):
    areas = {a.name: a for a in figures.area_rates(cast.users["changsha"], YEAR, Level.PROVINCIAL)}
    # 长沙市第一医院 is licensed by the city itself (直属): it is an area of its own
    furong = areas["长沙市芙蓉区卫生健康局"]
    assert (furong.approved, furong.completed, furong.units) == (1, 0, 1)
    assert areas["长沙市第一医院"].execution_rate == Decimal("66.7")
    province = {a.name: a for a in figures.area_rates(cast.users["province"], YEAR)}
    assert province["株洲市卫生健康委员会"].execution_rate == Decimal("100.0")
    assert province["长沙市卫生健康委员会"].approved == 5  # the national project counts too


def test_the_units_furthest_behind_come_first(cast, projects):
    names = [r.name for r in figures.behind(cast.users["province"], YEAR)]
    assert names[0] == "长沙市芙蓉区人民医院" and names[-1] == "株洲市中心医院"


def test_reports_overdue_and_reviews_overdue(cast):
    today = datetime.date(2024, 7, 1)
    late = held_session(cast, day=(2024, 5, 10))  # ended 11 May: its report was due 25 May
    fresh = held_session(cast, approved(valid_declaration(cast), "2024-04-08-002(湘)"))
    fresh.starts_on = fresh.ends_on = datetime.date(2024, 6, 25)
    fresh.save()
    overdue = figures.overdue(cast.users["changsha"], today)
    assert [item.pk for kind, item in overdue.reports] == [late.pk]
    assert figures.overdue(cast.users["zhuzhou"], today).count == 0
    report = ExecutionReport.objects.create(
        session=fresh,
        state=ExecutionReport.State.SUBMITTED,
        due_on=datetime.date(2024, 7, 9),
        reviewer=cast.province,
        review_due_on=datetime.date(2024, 6, 30),
    )
    assert list(figures.overdue(cast.users["province"], today).reviews) == [report]


def test_credits_by_month_are_the_valid_credits_of_people_in_scope(cast):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    credit(nurse, YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    credit(doctor, YEAR, "1.5", activity_date=datetime.date(YEAR, 3, 20))
    credit(nurse, YEAR, "4.0", activity_date=datetime.date(YEAR, 11, 1))
    credit(nurse, YEAR, "9.0", status="pending", activity_date=datetime.date(YEAR, 3, 1))
    credit(cast.persons["zhuzhou_nurse"], YEAR, "7.0", activity_date=datetime.date(YEAR, 3, 1))
    months = figures.credits_by_month(cast.users["changsha"], YEAR)
    assert len(months) == 12
    assert months[2] == (3, Decimal("3.5"), 2) and months[10] == (11, Decimal("4.0"), 1)
    assert months[0] == (1, Decimal("0.0"), 0)
    [unit] = figures.credits_by_unit(cast.users["changsha"], YEAR, 3)
    assert (unit["name"], unit["amount"], unit["persons"]) == ("长沙市第一医院", Decimal("3.5"), 2)


def test_audit_progress_shows_submitted_shares_and_units_not_yet_submitted(cast):
    AnnualAudit.objects.create(
        unit=cast.city_hospital,
        year=YEAR,
        state=AnnualAudit.State.IN_REVIEW,
        staff_count=4,
        qualified_count=3,
    )
    rows = {r.name: r for r in figures.audit_progress(cast.users["changsha"], YEAR)}
    assert rows["长沙市第一医院"].share == Decimal("75.0")
    county = rows["长沙市芙蓉区人民医院"]
    assert county.state == AnnualAudit.State.NOT_SUBMITTED and county.share is None
    assert county.staff == 1
    assert "株洲市中心医院" not in rows
    counts = figures.audit_states(list(rows.values()))
    assert counts["in_review"] == 1 and counts["not_submitted"] == 1
