"""Quotas (000 §三.4): units whose execution rate is below the average get a smaller quota;
the province may set a quota with a reason, and recomputing keeps it."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from cme.core.errors import DomainError, NotFound, PermissionDenied
from cme.core.models import AuditEvent
from cme.policy.access import HUNAN, for_year
from cme.policy.models import PolicyValue
from cme.supervision import actions
from cme.supervision.models import Sanction, UnitQuota
from cme.supervision.quotas import (
    average_execution_rate,
    compute_quotas,
    execution_rate,
    quota_table,
    set_quota,
)
from cme.supervision.tests.conftest import make_projects

RATE_YEAR, YEAR = 2024, 2026
DONE, LAPSED, ANNULLED, HELD = "completed", "lapsed", "annulled", "held"


@pytest.fixture
def executed(cast):
    """The First Hospital completed 3 of 4 approved projects (75%); the Zhuzhou hospital 1 of
    4 (25%); the county hospital 2 of 4 (50%). Drafts and rejections do not count."""
    make_projects(cast, cast.city_hospital, RATE_YEAR, [DONE, DONE, DONE, LAPSED])
    make_projects(cast, cast.city_hospital, RATE_YEAR, ["draft", "rejected", "under_review"])
    make_projects(cast, cast.zhuzhou_hospital, RATE_YEAR, [DONE, LAPSED, ANNULLED, HELD])
    make_projects(cast, cast.county_hospital, RATE_YEAR, [DONE, DONE, "approved", "published"])
    make_projects(cast, cast.provincial_hospital, RATE_YEAR, [DONE], level="national")
    return cast


def _compute(actor, **kwargs):
    values = {"base_quota": 10, "cut_ratio": Decimal("0.3"), "rate_year": RATE_YEAR} | kwargs
    return compute_quotas(YEAR, "provincial", actor=actor, **values)


def _quota(unit) -> UnitQuota:
    return UnitQuota.objects.get(unit=unit, year=YEAR, level="provincial")


def test_execution_rate_is_completed_over_approved(executed):
    cast = executed
    assert execution_rate(cast.city_hospital, RATE_YEAR) == Fraction(3, 4)
    assert execution_rate(cast.zhuzhou_hospital, RATE_YEAR, "provincial") == Fraction(1, 4)
    assert execution_rate(cast.society, RATE_YEAR) is None
    assert execution_rate(cast.provincial_hospital, RATE_YEAR, "provincial") is None
    assert execution_rate(cast.provincial_hospital, RATE_YEAR) == 1


def test_the_average_is_over_units_with_approvals(executed):
    assert average_execution_rate(RATE_YEAR, "provincial") == Fraction(1, 2)
    assert average_execution_rate(RATE_YEAR - 1, "provincial") is None


def test_a_unit_below_the_average_gets_the_cut_quota(executed):
    cast = executed
    _compute(cast.users["province"])
    assert (_quota(cast.city_hospital).quota, _quota(cast.city_hospital).computed_quota) == (10, 10)
    assert (_quota(cast.zhuzhou_hospital).quota, _quota(cast.zhuzhou_hospital).computed_quota) == (
        7,
        7,
    )
    # exactly at the average is not below it
    assert _quota(cast.county_hospital).quota == 10
    assert _quota(cast.city_hospital).rate_year == RATE_YEAR
    assert not UnitQuota.objects.filter(unit=cast.provincial_hospital).exists()
    assert AuditEvent.objects.filter(action="quota.compute").exists()


def test_a_cut_quota_keeps_at_least_one(executed):
    _compute(executed.users["province"], base_quota=1, cut_ratio="0.5")
    assert _quota(executed.zhuzhou_hospital).quota == 1


def test_a_province_override_survives_recomputation(executed):
    cast = executed
    province = cast.users["province"]
    _compute(province)
    set_quota(cast.zhuzhou_hospital, YEAR, "provincial", 9, actor=province, reason="整改到位")
    _compute(province, base_quota=20)
    quota = _quota(cast.zhuzhou_hospital)
    assert (quota.quota, quota.computed_quota, quota.reason) == (9, 14, "整改到位")
    assert quota.set_by == province
    assert _quota(cast.city_hospital).quota == 20
    event = AuditEvent.objects.get(action="quota.set")
    assert event.comment == "整改到位" and event.changes["quota"] == [7, 9]


def test_only_the_provincial_office_sets_quotas(executed):
    cast = executed
    for key in ("changsha", "zhuzhou", "furong", "city_admin", "national"):
        with pytest.raises(PermissionDenied):
            set_quota(cast.city_hospital, YEAR, "provincial", 3, actor=cast.users[key], reason="x")
        with pytest.raises(PermissionDenied):
            _compute(cast.users[key])
    set_quota(cast.city_hospital, YEAR, "provincial", 3, actor=cast.users["admin"], reason="x")
    assert _quota(cast.city_hospital).quota == 3


def test_setting_a_quota_needs_a_reason_and_a_sensible_number(executed):
    province = executed.users["province"]
    with pytest.raises(DomainError) as exc:
        set_quota(executed.city_hospital, YEAR, "provincial", 3, actor=province, reason="")
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        set_quota(executed.city_hospital, YEAR, "provincial", -1, actor=province, reason="x")
    assert exc.value.field == "quota"
    with pytest.raises(DomainError) as exc:
        set_quota(executed.city_hospital, YEAR, "county", 3, actor=province, reason="x")
    assert exc.value.field == "level"


def test_a_quota_cut_sanction_cuts_a_unit_above_the_average(executed):
    cast = executed
    actions.record_sanction(
        actor=cast.users["changsha"],
        kind=Sanction.Kind.CUT_QUOTA,
        organisation=cast.city_hospital,
        from_year=YEAR,
        reason="项目财务监管缺失",
        decided_on=timezone.localdate(),
    )
    _compute(cast.users["province"])
    assert _quota(cast.city_hospital).quota == 7
    row = next(
        r
        for r in quota_table(cast.users["province"], YEAR, "provincial").rows
        if r.unit == cast.city_hospital
    )
    assert row.cut_by_sanction and not row.below_average


def test_base_and_ratio_come_from_policy_when_not_given(executed):
    based_on = for_year(YEAR).based_on_year
    for key, value in [("quota.base_new_projects", 6), ("quota.cut_ratio_below_average", 0.5)]:
        PolicyValue.objects.update_or_create(
            year=based_on, province=HUNAN, key=key, defaults={"value": value}
        )
    compute_quotas(YEAR, "provincial", rate_year=RATE_YEAR, actor=executed.users["province"])
    assert _quota(executed.city_hospital).quota == 6
    assert _quota(executed.zhuzhou_hospital).quota == 3


def test_without_policy_values_the_base_must_be_given(executed):
    based_on = for_year(YEAR).based_on_year
    PolicyValue.objects.filter(year=based_on, key__startswith="quota.").update(value=None)
    with pytest.raises(DomainError) as exc:
        compute_quotas(YEAR, "provincial", rate_year=RATE_YEAR, actor=executed.users["province"])
    assert exc.value.field in ("base_quota", "cut_ratio")


def test_a_cut_ratio_of_one_or_more_is_refused(executed):
    with pytest.raises(DomainError) as exc:
        _compute(executed.users["province"], cut_ratio="1")
    assert exc.value.field == "cut_ratio"


def test_recomputing_from_another_year_drops_computed_quotas_only(executed):
    cast = executed
    province = cast.users["province"]
    _compute(province)
    set_quota(cast.zhuzhou_hospital, YEAR, "provincial", 9, actor=province, reason="整改到位")
    make_projects(cast, cast.society, RATE_YEAR + 1, [DONE])
    _compute(province, rate_year=RATE_YEAR + 1)
    units = set(
        UnitQuota.objects.filter(year=YEAR, level="provincial").values_list("unit_id", flat=True)
    )
    assert units == {cast.society.pk, cast.zhuzhou_hospital.pk}


def test_the_table_lists_units_with_rates_and_the_average(executed):
    cast = executed
    _compute(cast.users["province"])
    table = quota_table(cast.users["province"], YEAR, "provincial")
    assert table.rate_year == RATE_YEAR and table.average_display == "50.0%"
    rows = {r.unit.name: r for r in table.rows}
    assert set(rows) == {"长沙市第一医院", "株洲市中心医院", "长沙市芙蓉区人民医院"}
    assert rows["株洲市中心医院"].below_average and rows["株洲市中心医院"].rate_display == "25.0%"
    with pytest.raises(PermissionDenied):
        quota_table(cast.users["changsha"], YEAR, "provincial")


def test_a_unit_outside_the_scope_is_not_found(executed):
    """The provincial office of Hunan does not reach a unit of another province."""
    from cme.demo.builders import org
    from cme.orgs.models import Organisation

    other = org("广东省某医院", Organisation.Kind.MEDICAL, "440000", executed.national)
    with pytest.raises(NotFound):
        set_quota(other, YEAR, "provincial", 3, actor=executed.users["province"], reason="x")
