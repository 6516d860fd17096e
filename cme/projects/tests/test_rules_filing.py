"""Filing (备案) and the line between new and filed projects (000 §三.5; 004 §七.1)."""

import pytest

from cme.projects.models import Kind, Level, State
from cme.projects.rules import check_declaration
from cme.projects.tests.factories import (
    IN_WINDOW,
    bare_project,
    fresh,
    rule_ids,
    valid_declaration,
)


@pytest.fixture(autouse=True)
def _in_window(time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)


def _check(project):
    return check_declaration(fresh(project))


def _only(findings, rule_id: str):
    assert rule_ids(findings) == {rule_id}, [f.message for f in findings]
    return findings


def _last_year(cast, *, state=State.COMPLETED, level=Level.PROVINCIAL, **fields):
    return bare_project(
        cast, year=2023, level=level, state=state, leader=cast.persons["doctor"], **fields
    )


def _filing(cast, previous, *, level=Level.PROVINCIAL):
    return valid_declaration(cast, kind=Kind.FILING, level=level, previous=previous)


# FILING_NOT_ELIGIBLE — 获批的新申报项目规范完成举办、执行情况均获审核通过 (004 §七.1)


def test_last_years_project_held_and_reported_may_be_filed(cast):
    assert _check(_filing(cast, _last_year(cast))) == []


def test_a_filing_needs_last_years_project(cast):
    (finding,) = _only(_check(_filing(cast, None)), "FILING_NOT_ELIGIBLE")
    assert "2023年度" in finding.message


@pytest.mark.parametrize("state", [State.APPROVED, State.PUBLISHED, State.HELD])
def test_a_project_not_yet_held_and_reported_may_not_be_filed(cast, state):
    (finding,) = _only(_check(_filing(cast, _last_year(cast, state=state))), "FILING_NOT_ELIGIBLE")
    assert "尚未规范完成举办" in finding.message


def test_a_refused_project_may_not_be_filed(cast):
    previous = _last_year(cast, state=State.REJECTED)
    (finding,) = _only(_check(_filing(cast, previous)), "FILING_NOT_ELIGIBLE")
    assert "未获批准" in finding.message


def test_a_project_of_two_years_ago_may_not_be_filed(cast):
    previous = bare_project(cast, year=2022, state=State.COMPLETED)
    _only(_check(_filing(cast, previous)), "FILING_NOT_ELIGIBLE")


def test_another_units_project_may_not_be_filed(cast):
    previous = _last_year(cast, sponsor=cast.zhuzhou_hospital)
    (finding,) = _only(_check(_filing(cast, previous)), "FILING_NOT_ELIGIBLE")
    assert "不是本单位" in finding.message


# FILING_LIMIT — 可连续备案2次的方式 … 仅国家级, 2024 (004 §七.1)


def test_a_first_filing_after_the_new_approval_is_accepted(cast):
    assert "FILING_LIMIT" not in rule_ids(_check(_filing(cast, _last_year(cast))))


def test_a_second_filing_of_a_provincial_project_is_refused_in_2024(cast):
    start = bare_project(cast, year=2022, state=State.COMPLETED, leader=cast.persons["doctor"])
    previous = _last_year(cast, kind=Kind.FILING, previous=start)
    (finding,) = _only(_check(_filing(cast, previous)), "FILING_LIMIT")
    assert "仅限" in finding.message


def test_a_third_filing_is_refused_even_for_a_national_project(cast):
    doctor = cast.persons["doctor"]
    chain = bare_project(
        cast, year=2021, level=Level.NATIONAL, state=State.COMPLETED, leader=doctor
    )
    for year in (2022, 2023):
        chain = bare_project(
            cast,
            year=year,
            level=Level.NATIONAL,
            kind=Kind.FILING,
            state=State.COMPLETED,
            leader=doctor,
            previous=chain,
        )
    (finding,) = _only(_check(_filing(cast, chain, level=Level.NATIONAL)), "FILING_LIMIT")
    assert "已连续备案2次" in finding.message


def _second_national_filing(cast, *, late: bool):
    """A national project approved in 2022, filed in 2023 with one session held in
    Changsha whose pre-event reports were on time or late; now filed a second time."""
    import datetime

    from django.core.files.base import ContentFile

    from cme.holding.models import HeldSession, PreReport
    from cme.orgs.models import Region

    doctor = cast.persons["doctor"]
    start = bare_project(
        cast, year=2022, level=Level.NATIONAL, state=State.COMPLETED, leader=doctor
    )
    previous = _last_year(cast, level=Level.NATIONAL, kind=Kind.FILING, previous=start)
    day = datetime.date(2023, 6, 10)
    session = HeldSession.objects.create(
        project=previous,
        number=1,
        starts_on=day,
        ends_on=day,
        region=Region.objects.get(code="430102"),
        address="学术报告厅",
        expected_participants=100,
        credits=2,
        created_by=cast.users["city_admin"],
    )
    for kind, authority, days in (
        (PreReport.Kind.CITY, cast.changsha, 7),
        (PreReport.Kind.PROVINCE, cast.province, 14),
    ):
        PreReport.objects.create(
            session=session,
            kind=kind,
            authority=authority,
            due_on=day - datetime.timedelta(days=days),
            submitted_at=datetime.datetime(2023, 6, 8 if late else 1, tzinfo=datetime.UTC),
            late=late,
            notice=ContentFile(b"%PDF", name="n.pdf"),
            schedule=ContentFile(b"%PDF", name="s.pdf"),
            submitted_by=cast.users["city_admin"],
        )
    return _filing(cast, previous, level=Level.NATIONAL)


def test_a_second_national_filing_needs_last_years_pre_reports_on_time(cast):
    assert "FILING_LIMIT" not in rule_ids(_check(_second_national_filing(cast, late=False)))


def test_a_late_pre_report_last_year_refuses_a_second_filing(cast):
    (finding,) = _only(_check(_second_national_filing(cast, late=True)), "FILING_LIMIT")
    assert "及时填报举办前报备" in finding.message


# APPROVED_NOT_NEW — 已批准的项目不再作为新项目申报 (000 §三.5)


def test_a_project_refused_last_year_may_be_declared_new_again(cast):
    _last_year(cast, state=State.REJECTED)
    assert _check(valid_declaration(cast)) == []


def test_another_units_project_of_last_year_does_not_count(cast):
    _last_year(cast, sponsor=cast.zhuzhou_hospital)
    assert _check(valid_declaration(cast)) == []


def test_a_project_approved_last_year_may_not_be_declared_new(cast):
    _last_year(cast, state=State.PUBLISHED)
    (finding,) = _only(_check(valid_declaration(cast)), "APPROVED_NOT_NEW")
    assert "申请备案" in finding.message
