"""The same declaration judged by 2021 and by 2024 rules (SPEC §4.4; CREDIT-RULES.md §5):
limits that were not in force in 2021 do not apply, and the 2024 filing widening
(004 §七.1) allows what 2021 refused."""

from decimal import Decimal

import pytest

from cme.projects.models import Kind, Level, State, Teacher
from cme.projects.rules import check_declaration
from cme.projects.tests.factories import (
    bare_project,
    fresh,
    in_window,
    lesson,
    national_declaration,
    rule_ids,
    valid_declaration,
)

YEARS = (2021, 2024)


def _check(project):
    return rule_ids(check_declaration(fresh(project), at=in_window(project.year)))


@pytest.mark.parametrize("year", YEARS)
def test_the_valid_declaration_is_valid_in_both_years(cast, year):
    assert _check(valid_declaration(cast, year=year)) == set()


def _second_national_filing(cast, year: int):
    doctor = cast.persons["doctor"]
    new = bare_project(
        cast, year=year - 2, level=Level.NATIONAL, state=State.COMPLETED, leader=doctor
    )
    first_filing = bare_project(
        cast,
        year=year - 1,
        level=Level.NATIONAL,
        kind=Kind.FILING,
        state=State.COMPLETED,
        leader=doctor,
        previous=new,
    )
    return valid_declaration(
        cast, year=year, level=Level.NATIONAL, kind=Kind.FILING, previous=first_filing
    )


def test_a_second_consecutive_national_filing_is_refused_in_2021_and_allowed_in_2024(cast):
    assert _check(_second_national_filing(cast, 2021)) == {"FILING_LIMIT"}
    assert _check(_second_national_filing(cast, 2024)) == set()


def _third_new_project(cast, year: int):
    doctor = cast.persons["doctor"]
    bare_project(cast, year=year, name="院前急救技能培训班", leader=doctor, level=Level.NATIONAL)
    bare_project(cast, year=year, name="急诊超声学习班", leader=doctor, level=Level.NATIONAL)
    return national_declaration(cast, year=year)


def test_a_leaders_third_new_project_is_limited_only_from_2024(cast):
    assert _check(_third_new_project(cast, 2021)) == set()
    assert _check(_third_new_project(cast, 2024)) == {"LEADER_QUOTA"}


def _four_theory_hours(cast, year: int):
    project = valid_declaration(cast, year=year)
    leader_row = Teacher.objects.get(project=project, is_leader=True)
    lesson(project, leader_row, "胸痛鉴别诊断病例讨论", Decimal("2.0"), order=3)
    return project


def test_four_theory_hours_by_one_teacher_are_warned_only_from_2024(cast):
    assert _check(_four_theory_hours(cast, 2021)) == set()
    assert _check(_four_theory_hours(cast, 2024)) == {"TEACHER_HOURS"}
