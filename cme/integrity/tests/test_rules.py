"""The integrity rules (issue 7 §8): each fires on its case and stays quiet on the
boundary beside it; an alert goes to the lowest authority over all its records."""

import datetime

import pytest

from cme.certificates.models import Certificate
from cme.credits.models import CreditRecord
from cme.credits.tests.factories import credit
from cme.holding.models import SessionLesson
from cme.holding.tests.factories import attend
from cme.integrity.models import IntegrityAlert
from cme.integrity.rules import RULES, lowest_authorities, scan
from cme.integrity.tests.factories import (
    YEAR,
    local,
    session,
    session_credit,
    verified,
)
from cme.integrity.verifications import network_of

pytestmark = pytest.mark.django_db


def alerts(rule_id: str) -> list[IntegrityAlert]:
    return list(IntegrityAlert.objects.filter(rule=rule_id))


def test_every_rule_is_registered_with_a_title_and_source():
    assert set(RULES) == {
        "OVERLAP_CITIES",
        "LECTURER_ALSO_LEARNER",
        "ROSTER_OVERSIZE",
        "YEAR_END_RUSH",
        "VERIFY_BURST",
    }
    assert all(r.title and r.source and r.summary for r in RULES.values())


# --- OVERLAP_CITIES --------------------------------------------------------------------------


def test_same_person_in_two_cities_on_overlapping_dates_goes_to_the_province(cast):
    nurse = cast.persons["nurse"]
    a = session_credit(nurse, session(cast, start=(YEAR, 5, 10), days=2))
    b = session_credit(
        nurse, session(cast, cast.zhuzhou_hospital, start=(YEAR, 5, 11), region="430202")
    )
    result = scan(YEAR)
    assert result.found["OVERLAP_CITIES"] == 1
    (alert,) = alerts("OVERLAP_CITIES")
    assert alert.authority == cast.province and alert.person == nurse and alert.is_open
    named = {(r["kind"], r["id"]) for r in alert.records}
    assert {("credit", a.pk), ("credit", b.pk)} <= named
    assert "长沙市" in alert.summary and "株洲市" in alert.summary


def test_two_cities_sponsored_by_changsha_units_go_to_changsha(cast):
    nurse = cast.persons["nurse"]
    session_credit(nurse, session(cast, start=(YEAR, 5, 10)))
    session_credit(nurse, session(cast, cast.county_hospital, start=(YEAR, 5, 10), region="430202"))
    scan(YEAR)
    (alert,) = alerts("OVERLAP_CITIES")
    assert alert.authority == cast.changsha


def test_adjacent_dates_do_not_overlap(cast):
    nurse = cast.persons["nurse"]
    session_credit(nurse, session(cast, start=(YEAR, 5, 10), days=2))  # 10-11
    session_credit(
        nurse, session(cast, cast.zhuzhou_hospital, start=(YEAR, 5, 12), region="430202")
    )
    assert scan(YEAR).found["OVERLAP_CITIES"] == 0


def test_same_city_other_district_is_not_flagged(cast):
    nurse = cast.persons["nurse"]
    session_credit(nurse, session(cast, start=(YEAR, 5, 10)))
    session_credit(nurse, session(cast, cast.county_hospital, start=(YEAR, 5, 10), region="430105"))
    assert scan(YEAR).found["OVERLAP_CITIES"] == 0


def test_voided_credits_and_online_sessions_are_not_flagged(cast):
    nurse = cast.persons["nurse"]
    session_credit(nurse, session(cast, start=(YEAR, 5, 10)))
    session_credit(
        nurse,
        session(cast, cast.zhuzhou_hospital, start=(YEAR, 5, 10), region="430202"),
        status=CreditRecord.Status.VOID,
    )
    session_credit(
        nurse,
        session(cast, cast.zhuzhou_hospital, start=(YEAR, 5, 10), region="430202", mode="online"),
    )
    assert scan(YEAR).found["OVERLAP_CITIES"] == 0


# --- LECTURER_ALSO_LEARNER -------------------------------------------------------------------


def _lesson(held, teacher):
    return SessionLesson.objects.create(
        session=held, topic="急性胸痛的识别", teacher_name=teacher.name, teacher=teacher, hours=2
    )


def test_a_teacher_credited_as_learner_of_the_same_session_is_flagged(cast):
    doctor = cast.persons["doctor"]
    held = session(cast)
    lesson = _lesson(held, doctor)
    learner_credit = session_credit(doctor, held)
    scan(YEAR)
    (alert,) = alerts("LECTURER_ALSO_LEARNER")
    assert alert.authority == cast.changsha
    assert alert.session == held and alert.person == doctor
    named = {(r["kind"], r["id"]) for r in alert.records}
    assert {("credit", learner_credit.pk), ("lesson", lesson.pk)} <= named


def test_a_teacher_with_lecturer_credits_is_not_flagged(cast):
    doctor = cast.persons["doctor"]
    held = session(cast)
    _lesson(held, doctor)
    session_credit(doctor, held, role=CreditRecord.Role.LECTURER)
    other = session(cast)  # a learner at another session of the year
    session_credit(doctor, other)
    assert scan(YEAR).found["LECTURER_ALSO_LEARNER"] == 0


# --- ROSTER_OVERSIZE -------------------------------------------------------------------------


def _roster(cast, held, n: int) -> None:
    import random

    from cme.demo.builders import person, resident_id

    rng = random.Random(n)
    for i in range(n):
        attend(
            held, person(cast.city_hospital, "学员{}".format(i), resident_id(rng, "430102"), "护师")
        )


def test_a_roster_exactly_at_the_limit_is_not_flagged(cast):
    held = session(cast, expected=10)
    _roster(cast, held, 15)  # 1.5 × 10
    assert scan(YEAR).found["ROSTER_OVERSIZE"] == 0


def test_a_roster_above_the_limit_is_flagged(cast):
    held = session(cast, expected=10)
    _roster(cast, held, 16)
    scan(YEAR)
    (alert,) = alerts("ROSTER_OVERSIZE")
    assert alert.session == held and alert.authority == cast.changsha
    assert "16人" in alert.summary and "10人" in alert.summary


# --- YEAR_END_RUSH ---------------------------------------------------------------------------


def _credits(person, n: int, day: datetime.date) -> None:
    for _ in range(n):
        credit(person, YEAR, "1.0", "unit_lecture", activity_date=day, title="科室学术讲座")


def test_a_unit_whose_credits_crowd_into_the_last_days_is_flagged(cast):
    nurse = cast.persons["nurse"]
    _credits(nurse, 13, datetime.date(YEAR, 12, 17))  # the first of the last 15 days
    _credits(cast.persons["doctor"], 7, datetime.date(YEAR, 6, 1))
    scan(YEAR)
    (alert,) = alerts("YEAR_END_RUSH")
    assert alert.unit == cast.city_hospital and alert.authority == cast.changsha
    assert "20条" in alert.summary and "13条" in alert.summary
    assert sum(1 for r in alert.records if r["kind"] == "credit") == 13


def test_a_share_exactly_at_the_threshold_or_too_few_credits_is_not_flagged(cast):
    _credits(cast.persons["nurse"], 12, datetime.date(YEAR, 12, 20))
    _credits(cast.persons["doctor"], 8, datetime.date(YEAR, 12, 16))  # the day before
    _credits(cast.persons["county_doctor"], 19, datetime.date(YEAR, 12, 30))  # 19 < 20
    assert scan(YEAR).found["YEAR_END_RUSH"] == 0


# --- VERIFY_BURST ----------------------------------------------------------------------------


@pytest.fixture
def certificate(cast):
    record = session_credit(cast.persons["nurse"], session(cast))
    return Certificate.objects.create(
        number="ABCD0123EFGH4567", credit=record, issued_on=record.session.ends_on
    )


def test_a_certificate_verified_from_five_networks_within_an_hour_is_flagged(cast, certificate):
    for i in range(5):
        verified(certificate, "203.0.{}.9".format(113 + i), local(YEAR, 6, 1, 10, 12 * i))
    scan(YEAR)
    (alert,) = alerts("VERIFY_BURST")
    assert alert.certificate == certificate and alert.authority == cast.changsha
    assert "5个" in alert.summary


def test_verifications_spread_out_or_from_one_network_are_not_flagged(cast, certificate):
    start = local(YEAR, 6, 1, 10, 0)
    for i, minutes in enumerate([0, 16, 31, 46, 61]):  # five networks, but over 61 minutes
        verified(certificate, "198.51.{}.1".format(i), start + datetime.timedelta(minutes=minutes))
    for i in range(10):  # many addresses of one /24
        verified(certificate, "192.0.2.{}".format(i + 1), local(YEAR, 7, 1, 10, i))
    assert scan(YEAR).found["VERIFY_BURST"] == 0


def test_a_network_is_a_keyed_hash_of_the_prefix_never_the_address():
    assert network_of("203.0.113.9") == network_of("203.0.113.200")
    assert network_of("203.0.113.9") != network_of("203.0.114.9")
    assert network_of("2001:db8:1:2::1") == network_of("2001:db8:1:ffff::9")
    assert network_of("::ffff:203.0.113.9") == network_of("203.0.113.1")
    assert len(network_of("203.0.113.9")) == 16 and int(network_of("203.0.113.9"), 16) >= 0
    assert network_of("") == network_of("not an address") == ""


# --- scanning --------------------------------------------------------------------------------


def test_scanning_again_adds_no_duplicate_and_keeps_decisions(cast):
    nurse = cast.persons["nurse"]
    session_credit(nurse, session(cast, start=(YEAR, 5, 10)))
    session_credit(
        nurse, session(cast, cast.zhuzhou_hospital, start=(YEAR, 5, 10), region="430202")
    )
    first = scan(YEAR)
    assert first.total_created == 1
    IntegrityAlert.objects.update(
        state="closed", decision="dismissed", reason="同一人员同名，已核实为两人"
    )
    second = scan(YEAR)
    assert second.total_found == 1 and second.total_created == 0
    assert IntegrityAlert.objects.get().state == "closed"


def test_a_scope_scan_judges_only_records_in_the_subtree(cast):
    nurse = cast.persons["nurse"]
    session_credit(nurse, session(cast, start=(YEAR, 5, 10)))
    session_credit(
        nurse, session(cast, cast.zhuzhou_hospital, start=(YEAR, 5, 10), region="430202")
    )
    assert scan(YEAR, within=cast.changsha.tree_path).total_found == 0
    assert scan(YEAR, within=cast.province.tree_path).total_found == 1


def test_lowest_authority_walks_up_from_the_common_ancestor(cast):
    assert lowest_authorities(
        [
            (cast.city_hospital.tree_path,),
            (cast.city_hospital.tree_path, cast.county_hospital.tree_path),
            (cast.city_hospital.tree_path, cast.zhuzhou_hospital.tree_path),
            (cast.branch.tree_path,),
        ]
    ) == [cast.changsha.pk, cast.changsha.pk, cast.province.pk, cast.province.pk]
