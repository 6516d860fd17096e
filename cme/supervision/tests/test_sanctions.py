"""Sanctions (SPEC §8; 003 §十; 004 §七.3): recorded by an authority over the unit, barring
a unit 1-3 years or a leader for one year, revocable, and feeding SPONSOR_SANCTIONED."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cme.core.models import AuditEvent
from cme.supervision import actions
from cme.supervision.models import Sanction
from cme.supervision.queries import (
    active_sanctions_of,
    barring_sanctions,
    sanction_for,
    sanctions_visible_to,
)
from cme.supervision.tests.conftest import NEXT_YEAR, THIS_YEAR

TODAY = timezone.localdate()


def _bar(cast, actor="changsha", unit=None, **years):
    return actions.record_sanction(
        actor=cast.users[actor],
        kind=Sanction.Kind.BAR_UNIT,
        organisation=unit or cast.city_hospital,
        reason="弄虚作假申报",
        decided_on=TODAY,
        **years,
    )


def test_a_bar_is_recorded_with_its_authority_and_an_audit_event(cast, bar):
    assert bar.decided_by == cast.changsha
    assert bar.recorded_by == cast.users["changsha"]
    assert (bar.from_year, bar.to_year) == (NEXT_YEAR, NEXT_YEAR + 1)
    event = AuditEvent.objects.get(action="sanction.create", object_id=str(bar.pk))
    assert event.scope_path == cast.city_hospital.tree_path
    assert event.comment == "项目执行率低，授分管理不严"


def test_an_active_bar_bars_the_unit_in_each_of_its_years(cast, bar):
    for year in (NEXT_YEAR, NEXT_YEAR + 1):
        assert list(barring_sanctions(year, unit=cast.city_hospital)) == [bar]
    assert not barring_sanctions(THIS_YEAR, unit=cast.city_hospital).exists()
    assert not barring_sanctions(NEXT_YEAR + 2, unit=cast.city_hospital).exists()
    assert not barring_sanctions(NEXT_YEAR, unit=cast.county_hospital).exists()


def test_a_revoked_bar_no_longer_bars(cast, bar):
    actions.revoke_sanction(bar, actor=cast.users["changsha"], reason="复议后撤销")
    assert not barring_sanctions(NEXT_YEAR, unit=cast.city_hospital).exists()
    bar.refresh_from_db()
    assert bar.revocation_reason == "复议后撤销" and bar.revoked_by == cast.users["changsha"]
    assert AuditEvent.objects.filter(action="sanction.revoke", object_id=str(bar.pk)).exists()


def test_revoking_twice_is_a_conflict(cast, bar):
    stale = Sanction.objects.get(pk=bar.pk)
    actions.revoke_sanction(bar, actor=cast.users["changsha"], reason="撤销")
    with pytest.raises(Conflict):
        actions.revoke_sanction(stale, actor=cast.users["province"], reason="撤销")


def test_revoking_needs_a_reason(cast, bar):
    with pytest.raises(DomainError) as exc:
        actions.revoke_sanction(bar, actor=cast.users["changsha"], reason=" ")
    assert exc.value.field == "reason"


def test_only_the_deciding_authority_or_one_above_revokes(cast, bar):
    with pytest.raises(PermissionDenied):
        actions.revoke_sanction(bar, actor=cast.users["furong"], reason="撤销")
    with pytest.raises(PermissionDenied):
        actions.revoke_sanction(bar, actor=cast.users["zhuzhou"], reason="撤销")
    actions.revoke_sanction(bar, actor=cast.users["province"], reason="省卫健委复议撤销")


def test_bar_of_four_years_is_refused(cast):
    with pytest.raises(DomainError) as exc:
        _bar(cast, from_year=NEXT_YEAR, to_year=NEXT_YEAR + 3)
    assert exc.value.code == "SANCTION_YEARS" and exc.value.field == "to_year"
    assert not Sanction.objects.exists()


@pytest.mark.parametrize("years", [1, 2, 3])
def test_bar_of_one_to_three_years_is_accepted(cast, years):
    sanction = _bar(cast, from_year=NEXT_YEAR, to_year=NEXT_YEAR + years - 1)
    assert sanction.to_year - sanction.from_year + 1 == years


def test_a_bar_without_years_is_for_next_year(cast):
    sanction = _bar(cast)
    assert (sanction.from_year, sanction.to_year) == (TODAY.year + 1, TODAY.year + 1)


def test_leader_suspension_is_for_next_year_by_default(cast, suspension):
    assert (suspension.from_year, suspension.to_year) == (TODAY.year + 1, TODAY.year + 1)
    assert list(barring_sanctions(TODAY.year + 1, person=cast.persons["doctor"])) == [suspension]
    assert not barring_sanctions(TODAY.year + 1, person=cast.persons["nurse"]).exists()


def test_leader_suspension_for_two_years_is_refused(cast):
    with pytest.raises(DomainError) as exc:
        actions.record_sanction(
            actor=cast.users["changsha"],
            kind=Sanction.Kind.SUSPEND_LEADER,
            person=cast.persons["doctor"],
            from_year=NEXT_YEAR,
            to_year=NEXT_YEAR + 1,
            reason="x",
            decided_on=TODAY,
        )
    assert exc.value.field == "to_year"


def test_leader_suspension_needs_a_person(cast):
    with pytest.raises(DomainError) as exc:
        actions.record_sanction(
            actor=cast.users["changsha"],
            kind=Sanction.Kind.SUSPEND_LEADER,
            organisation=cast.city_hospital,
            reason="x",
            decided_on=TODAY,
        )
    assert exc.value.code == "SANCTION_SUBJECT" and exc.value.field == "id_number"


def test_reason_is_required(cast):
    with pytest.raises(DomainError) as exc:
        actions.record_sanction(
            actor=cast.users["changsha"],
            kind=Sanction.Kind.NOTIFICATION,
            organisation=cast.city_hospital,
            reason="",
            decided_on=TODAY,
        )
    assert exc.value.field == "reason"


def test_a_decision_dated_in_the_future_is_refused(cast):
    with pytest.raises(DomainError) as exc:
        actions.record_sanction(
            actor=cast.users["changsha"],
            kind=Sanction.Kind.NOTIFICATION,
            organisation=cast.city_hospital,
            reason="x",
            decided_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert exc.value.field == "decided_on"


def test_another_city_cannot_sanction_a_changsha_unit(cast):
    with pytest.raises(PermissionDenied):
        _bar(cast, actor="zhuzhou")
    with pytest.raises(PermissionDenied):
        actions.record_sanction(
            actor=cast.users["zhuzhou"],
            kind=Sanction.Kind.SUSPEND_LEADER,
            person=cast.persons["doctor"],
            reason="x",
            decided_on=TODAY,
        )


def test_a_county_sanctions_only_the_units_it_licenses(cast):
    assert _bar(cast, actor="furong", unit=cast.county_hospital).decided_by == cast.furong
    with pytest.raises(PermissionDenied):
        _bar(cast, actor="furong", unit=cast.city_hospital)


def test_units_and_their_admins_cannot_record_sanctions(cast):
    with pytest.raises(PermissionDenied):
        _bar(cast, actor="city_admin")


def test_the_province_sanctions_any_unit_of_the_province(cast):
    assert _bar(cast, actor="province", unit=cast.zhuzhou_hospital).decided_by == cast.province


def test_the_system_admin_records_for_the_units_authority(cast):
    assert _bar(cast, actor="admin", unit=cast.county_hospital).decided_by == cast.furong


def test_an_authority_is_not_a_sanctionable_unit(cast):
    with pytest.raises(DomainError) as exc:
        _bar(cast, actor="province", unit=cast.changsha)
    assert exc.value.code == "SANCTION_SUBJECT"


def test_evidence_must_be_a_scan(cast):
    with pytest.raises(DomainError) as exc:
        actions.record_sanction(
            actor=cast.users["changsha"],
            kind=Sanction.Kind.NOTIFICATION,
            organisation=cast.city_hospital,
            reason="x",
            decided_on=TODAY,
            evidence=SimpleUploadedFile("证据.txt", b"not a scan"),
        )
    assert exc.value.field == "evidence"
    sanction = actions.record_sanction(
        actor=cast.users["changsha"],
        kind=Sanction.Kind.NOTIFICATION,
        organisation=cast.city_hospital,
        reason="x",
        decided_on=TODAY,
        evidence=SimpleUploadedFile("通报.pdf", b"%PDF-1.4\n"),
    )
    assert sanction.evidence.name.startswith("sanctions/")


def test_sanctions_follow_the_scope(cast, bar, suspension):
    assert set(sanctions_visible_to(cast.users["changsha"])) == {bar, suspension}
    assert set(sanctions_visible_to(cast.users["province"])) == {bar, suspension}
    assert not sanctions_visible_to(cast.users["zhuzhou"]).exists()
    assert not sanctions_visible_to(cast.users["furong"]).exists()
    assert not sanctions_visible_to(cast.users["city_admin"]).exists()
    with pytest.raises(NotFound):
        sanction_for(cast.users["zhuzhou"], bar.pk)


def test_the_unit_page_query_shows_sanctions_on_the_unit_and_its_people(cast, bar, suspension):
    assert set(active_sanctions_of(cast.city_hospital, NEXT_YEAR)) == {bar, suspension}
    actions.revoke_sanction(suspension, actor=cast.users["changsha"], reason="撤销")
    assert list(active_sanctions_of(cast.city_hospital, NEXT_YEAR)) == [bar]
    assert not active_sanctions_of(cast.city_hospital, THIS_YEAR).exists()
    assert not active_sanctions_of(cast.zhuzhou_hospital, NEXT_YEAR).exists()
