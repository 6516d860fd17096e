"""SPEC §4.4: policy values per year (and province), 2021 and 2024 both loaded, read through
one accessor; edits are audited; a new year starts as a copy."""

import datetime

import pytest
from django.utils import timezone

from cme.core.errors import DomainError
from cme.core.models import AuditEvent
from cme.policy import actions
from cme.policy.access import for_year
from cme.policy.models import DeclarationWindow, Discipline, PolicyValue


def test_2021_and_2024_differ_where_the_seeds_differ(db):
    old, new = for_year(2021), for_year(2024)
    assert (old.get("filing.consecutive_max"), new.get("filing.consecutive_max")) == (1, 2)
    assert (old.get("leader.new_projects_max"), new.get("leader.new_projects_max")) == (None, 2)
    assert (old.get("teacher.theory_hours_max"), new.get("teacher.theory_hours_max")) == (None, 3)
    assert new.get("change.max_ratio.national") == 0.3
    assert new.get("change.max_ratio.provincial") == 0.5
    assert old.get("sessions.max") == new.get("sessions.max") == 6


def test_rules_softened_by_in_principle_are_warnings(db):
    policy = for_year(2024)
    assert policy.severity("TEACHER_HOURS") == "warning"
    assert policy.severity("OWN_TEACHER_SHARE") == "warning"
    assert policy.severity("LEADER_TITLE") == "error"


def test_unverified_limits_are_marked(db):
    assert not for_year(2024).verified("cap.credits_per_project")
    assert for_year(2024).verified("sessions.max")


def test_a_later_year_without_rows_uses_the_latest_earlier_one(db):
    policy = for_year(2026)
    assert policy.based_on_year == 2024
    assert policy.get("leader.new_projects_max") == 2
    assert for_year(2022).based_on_year == 2021


def test_a_province_row_overrides_the_nationwide_value(db):
    PolicyValue.objects.create(year=2024, province="440000", key="sessions.max", value=4)
    assert for_year(2024, province="440000").get("sessions.max") == 4
    assert for_year(2024).get("sessions.max") == 6


def test_an_unknown_key_names_itself(db):
    with pytest.raises(DomainError) as exc:
        for_year(2024).get("no.such.key")
    assert "no.such.key" in exc.value.message


def test_edits_are_in_the_audit_trail_and_a_new_year_is_a_copy(cast):
    row = PolicyValue.objects.get(year=2024, province="", key="cap.credits_per_project")
    actions.set_policy_value(row, actor=cast.users["admin"], value=25, verified=True)
    event = AuditEvent.objects.get(action="policy.update")
    assert event.changes == {"value": [10, 25], "verified": [False, True]}
    assert actions.copy_policy_year(2024, 2025, actor=cast.users["admin"]) > 50
    assert for_year(2025).based_on_year == 2025
    with pytest.raises(DomainError):
        actions.copy_policy_year(2024, 2025, actor=cast.users["admin"])


def test_disciplines_of_2022_are_loaded(db):
    assert Discipline.objects.filter(year=2022).values("secondary_code").distinct().count() == 24
    assert (
        str(Discipline.objects.get(year=2022, secondary_code="04", tertiary_code="08"))
        == "04-08 临床外科学/肿瘤外科学"
    )


def _window(owner, closes, level="provincial", kind="new"):
    tz = timezone.get_current_timezone()
    return DeclarationWindow.objects.create(
        year=2024,
        level=level,
        kind=kind,
        owner=owner,
        opens_at=datetime.datetime(2023, 9, 1, tzinfo=tz),
        closes_at=datetime.datetime(*closes, 23, 59, tzinfo=tz),
    )


def test_a_citys_internal_deadline_comes_before_the_provinces(cast):
    province = _window(cast.province, (2023, 11, 30))
    city = _window(cast.changsha, (2023, 11, 20))
    assert actions.window_for(cast.county_hospital, 2024, "provincial", "new") == city
    assert actions.window_for(cast.zhuzhou_hospital, 2024, "provincial", "new") == province
    assert actions.window_for(cast.society, 2024, "provincial", "new") == province
    assert actions.window_for(cast.society, 2024, "national", "new") is None
    at = datetime.datetime(2023, 11, 25, 12, tzinfo=timezone.get_current_timezone())
    assert not actions.window_is_open(city, at)
    assert actions.window_is_open(province, at)
