"""SPEC §7, issue 6 §7: a unit submits its year's audit (every staff member's totals and
result copied at submission); it goes up the unit's chain — the county first for a
county-licensed unit, then the city, then the province; a unit under the province goes
straight there. Each step approves, returns (with reason; the unit fixes and resubmits,
the list is taken again) or rejects (不通过, the round ends). Two reviewers at once: the
second gets Conflict. Another city's reviewer sees nothing."""

import pytest

from cme.audits import actions
from cme.audits.actions import Decision
from cme.audits.models import AnnualAudit, AnnualCertificate, AuditDecision
from cme.audits.queries import audit_for, review_queue_for
from cme.audits.tests.factories import YEAR, qualified, short
from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cme.credits.ledger import Result

State = AnnualAudit.State


@pytest.fixture
def city_audit(cast):
    qualified(cast.persons["nurse"])
    short(cast.persons["doctor"])
    return actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])


def _decide(cast, key, audit, decision=Decision.APPROVE, reason=""):
    user = cast.users[key]
    return actions.decide_audit(
        audit_for(user, audit.pk), actor=user, decision=decision, reason=reason
    )


def test_submission_snapshots_every_staff_member_with_totals_and_result(cast, city_audit):
    assert city_audit.state == State.IN_REVIEW and city_audit.round == 1
    entries = {e.person_id: e for e in city_audit.entries.all()}
    nurse, doctor = entries[cast.persons["nurse"].pk], entries[cast.persons["doctor"].pk]
    assert (nurse.total, nurse.class1, nurse.class2, nurse.result) == (30, 10, 20, Result.QUALIFIED)
    assert doctor.result == Result.NOT_QUALIFIED and "总学分3.0分，少于25分" in doctor.reasons
    assert (city_audit.staff_count, city_audit.qualified_count) == (2, 1)


def test_a_city_licensed_unit_goes_to_the_city_then_the_province(cast, city_audit):
    assert city_audit.chain == [cast.changsha.pk, cast.province.pk]
    assert city_audit.holder == cast.changsha
    assert list(review_queue_for(cast.users["changsha"])) == [city_audit]
    assert not review_queue_for(cast.users["province"]).exists()

    audit = _decide(cast, "changsha", city_audit)
    assert (audit.state, audit.holder) == (State.IN_REVIEW, cast.province)
    assert list(review_queue_for(cast.users["province"])) == [audit]
    assert not AnnualCertificate.objects.exists()

    audit = _decide(cast, "province", audit)
    assert audit.state == State.APPROVED and audit.holder is None
    (certificate,) = AnnualCertificate.objects.all()
    assert certificate.person == cast.persons["nurse"] and certificate.total == 30
    kinds = list(audit.decisions.values_list("kind", "organisation__name"))
    assert kinds == [
        (AuditDecision.Kind.SUBMITTED, "长沙市第一医院"),
        (AuditDecision.Kind.APPROVED, "长沙市卫生健康委员会"),
        (AuditDecision.Kind.APPROVED, "湖南省卫生健康委员会"),
    ]


def test_a_county_licensed_unit_goes_through_its_county_first(cast):
    qualified(cast.persons["county_doctor"])
    audit = actions.submit_audit(cast.county_hospital, YEAR, actor=cast.users["county_admin"])
    assert audit.chain == [cast.furong.pk, cast.changsha.pk, cast.province.pk]
    assert audit.holder == cast.furong
    with pytest.raises(PermissionDenied):  # not the city's turn yet
        _decide(cast, "changsha", audit)
    audit = _decide(cast, "furong", audit)
    assert audit.holder == cast.changsha
    audit = _decide(cast, "changsha", audit)
    assert audit.holder == cast.province
    assert _decide(cast, "province", audit).state == State.APPROVED


def test_a_unit_under_the_province_goes_straight_to_the_province(cast):
    audit = actions.submit_audit(
        cast.provincial_hospital, YEAR, actor=cast.users["provincial_admin"]
    )
    assert audit.chain == [cast.province.pk] and audit.holder == cast.province
    assert _decide(cast, "province", audit).state == State.APPROVED


def test_another_citys_reviewer_sees_nothing(cast, city_audit):
    zhuzhou = cast.users["zhuzhou"]
    with pytest.raises(NotFound):
        audit_for(zhuzhou, city_audit.pk)
    assert not review_queue_for(zhuzhou, State.IN_REVIEW).exists()
    with pytest.raises(PermissionDenied):
        actions.decide_audit(city_audit, actor=zhuzhou, decision=Decision.APPROVE)


def test_a_return_goes_back_to_the_unit_which_fixes_credits_and_resubmits(cast, city_audit):
    with pytest.raises(DomainError) as no_reason:
        _decide(cast, "changsha", city_audit, Decision.RETURN)
    assert no_reason.value.code == "REASON_REQUIRED"
    audit = _decide(cast, "changsha", city_audit, Decision.RETURN, "王建国学分未录全")
    assert (audit.state, audit.holder, audit.reason) == (State.RETURNED, None, "王建国学分未录全")

    qualified(cast.persons["doctor"])  # the unit fixes the credits
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    assert (audit.state, audit.round, audit.holder) == (State.IN_REVIEW, 1, cast.changsha)
    assert audit.reason == "" and audit.qualified_count == 2
    doctor = audit.entries.get(person=cast.persons["doctor"])
    assert doctor.total == 33 and doctor.result == Result.QUALIFIED
    assert audit.entries.count() == 2


def test_a_rejection_ends_the_round(cast, city_audit):
    audit = _decide(cast, "changsha", city_audit, Decision.REJECT, "名单与实际在岗人员不符")
    assert audit.state == State.REJECTED and audit.holder is None
    with pytest.raises(Conflict):
        _decide(cast, "changsha", city_audit)  # as the reviewer saw it before
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    assert (audit.state, audit.round) == (State.IN_REVIEW, 2)


def test_two_reviewers_deciding_at_once_the_second_gets_conflict(cast, city_audit):
    seen_by_one = audit_for(cast.users["changsha"], city_audit.pk)
    seen_by_two = audit_for(cast.users["changsha"], city_audit.pk)
    actions.decide_audit(seen_by_one, actor=cast.users["changsha"], decision=Decision.APPROVE)
    with pytest.raises(Conflict):
        actions.decide_audit(
            seen_by_two, actor=cast.users["changsha"], decision=Decision.RETURN, reason="x"
        )
    assert AnnualAudit.objects.get().holder == cast.province


def test_an_audit_in_review_cannot_be_submitted_again(cast, city_audit):
    with pytest.raises(DomainError) as locked:
        actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    assert locked.value.code == "AUDIT_LOCKED"


def test_only_the_units_own_admin_submits_and_not_for_a_future_year(cast):
    with pytest.raises(PermissionDenied):
        actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["changsha"])
    with pytest.raises(DomainError) as future:
        actions.submit_audit(cast.city_hospital, 2999, actor=cast.users["city_admin"])
    assert future.value.code == "AUDIT_FUTURE_YEAR"


def test_a_year_is_audited_on_its_own_credits_only(cast):
    nurse = cast.persons["nurse"]
    qualified(nurse, YEAR - 1)
    short(nurse, YEAR)
    audit = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    assert audit.entries.get(person=nurse).total == 3
