"""Closing an alert: a decision with a reason, by the authority it goes to or one above;
nothing is voided; two deciders cannot both win."""

import pytest

from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cme.core.models import AuditEvent
from cme.credits.models import CreditRecord
from cme.integrity import actions
from cme.integrity.models import IntegrityAlert
from cme.integrity.queries import alert_for, alerts_visible_to
from cme.integrity.tests.factories import YEAR


def test_the_alert_goes_to_changsha_and_the_province_sees_it(cast, changsha_alert):
    assert changsha_alert.authority == cast.changsha
    assert list(alerts_visible_to(cast.users["changsha"])) == [changsha_alert]
    assert list(alerts_visible_to(cast.users["province"])) == [changsha_alert]
    assert not alerts_visible_to(cast.users["zhuzhou"]).exists()
    assert not alerts_visible_to(cast.users["city_admin"]).exists()
    with pytest.raises(NotFound):
        alert_for(cast.users["zhuzhou"], changsha_alert.pk)


def test_a_decision_needs_a_reason(cast, changsha_alert):
    with pytest.raises(DomainError) as exc:
        actions.decide_alert(
            changsha_alert, actor=cast.users["changsha"], decision="dismissed", reason="  "
        )
    assert exc.value.code == "REASON_REQUIRED" and exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        actions.decide_alert(
            changsha_alert, actor=cast.users["changsha"], decision="voided", reason="x"
        )
    assert exc.value.field == "decision"
    assert IntegrityAlert.objects.get().is_open


def test_confirming_closes_the_alert_records_it_and_voids_nothing(cast, changsha_alert):
    alert = actions.decide_alert(
        changsha_alert,
        actor=cast.users["changsha"],
        decision="confirmed",
        reason="经核查，该医师授课同时签到为学员",
        action_taken="通知单位更正学分",
    )
    alert.refresh_from_db()
    assert alert.state == "closed" and alert.decision == "confirmed"
    assert alert.decided_by == cast.users["changsha"] and alert.action_taken == "通知单位更正学分"
    event = AuditEvent.objects.get(action="integrity.decide", object_id=str(alert.pk))
    assert event.scope_path == cast.changsha.tree_path
    assert event.comment == "经核查，该医师授课同时签到为学员"
    assert not CreditRecord.objects.exclude(status=CreditRecord.Status.VALID).exists()


def test_deciding_twice_is_a_conflict(cast, changsha_alert):
    stale = IntegrityAlert.objects.get(pk=changsha_alert.pk)
    actions.decide_alert(
        changsha_alert, actor=cast.users["changsha"], decision="dismissed", reason="已核实无误"
    )
    with pytest.raises(Conflict):
        actions.decide_alert(
            stale, actor=cast.users["province"], decision="confirmed", reason="复核"
        )


def test_only_the_authority_or_one_above_decides(cast, changsha_alert):
    with pytest.raises(PermissionDenied):
        actions.decide_alert(
            changsha_alert, actor=cast.users["zhuzhou"], decision="dismissed", reason="x"
        )
    with pytest.raises(PermissionDenied):
        actions.decide_alert(
            changsha_alert, actor=cast.users["furong"], decision="dismissed", reason="x"
        )
    actions.decide_alert(
        changsha_alert, actor=cast.users["province"], decision="dismissed", reason="省级复核无问题"
    )


def test_a_scope_scan_is_for_authorities_and_audited(cast, changsha_alert):
    with pytest.raises(PermissionDenied):
        actions.scan_scope(actor=cast.users["city_admin"], year=YEAR)
    result = actions.scan_scope(actor=cast.users["changsha"], year=YEAR)
    assert result.found["LECTURER_ALSO_LEARNER"] == 1 and result.total_created == 0
    assert result.found["LECTURER_ALSO_LEARNER"] == 1
    assert actions.scan_scope(actor=cast.users["zhuzhou"], year=YEAR).total_found == 0
    assert AuditEvent.objects.filter(action="integrity.scan").count() == 2
