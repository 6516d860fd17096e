"""Issue 5 §5 (CREDIT-RULES.md §2): credits from the actual hours given, by level
(national 3 学时 per credit, provincial 6), rounded half up to one decimal, never more than
the session's credits; the per-project cap warns while unverified and cuts once verified;
lecturers get 2 (national) or 1 (provincial) credits per hour taught; a person both
lecturer and learner gets the lecturer credits only; nothing without the pre-reports."""

from decimal import Decimal

import pytest

from cme.credits.awards import learner_credits, lecturer_credits, plan_awards, write_pending
from cme.credits.models import Category, CreditRecord, Source
from cme.holding.tests.factories import attend, held_session, pre_reported
from cme.policy.access import for_year
from cme.policy.models import PolicyValue

D = Decimal


@pytest.fixture
def policy(db):
    return for_year(2024)


@pytest.mark.parametrize(
    ("level", "hours", "credits"),
    [
        ("national", "2.9", "1.0"),
        ("national", "3.0", "1.0"),
        ("national", "3.05", "1.0"),
        ("national", "3.15", "1.1"),  # exactly 1.05: half up
        ("provincial", "2.9", "0.5"),
        ("provincial", "3.0", "0.5"),
        ("provincial", "3.05", "0.5"),
        ("provincial", "12", "2.0"),
        ("city", "6", "1.0"),
    ],
)
def test_learner_credits_follow_the_hours_and_round_half_up(policy, level, hours, credits):
    assert learner_credits(level, D(hours), policy).credits == D(credits)


def test_never_more_than_the_sessions_credits(policy):
    assert learner_credits("national", D(12), policy, ceiling=D("3.0")).credits == D("3.0")


def test_the_unverified_cap_warns_and_a_verified_one_cuts(policy):
    above = learner_credits("national", D(33), policy)
    assert above.credits == D("11.0") and "尚待核实" in above.warning
    PolicyValue.objects.filter(year=2024, key="cap.credits_per_project").update(verified=True)
    capped = learner_credits("national", D(33), for_year(2024))
    assert capped.credits == D(10) and "按10分授予" in capped.warning


def test_lecturers_get_credits_per_hour_taught(policy):
    assert lecturer_credits("national", D("1.5"), policy).credits == D("3.0")
    assert lecturer_credits("provincial", D("1.5"), policy).credits == D("1.5")


@pytest.fixture
def session(cast):
    """Provincial, 4 hours: 王建国 (leader) teaches 2, 陈志明 teaches 2; 拟授学分 2.0."""
    return held_session(cast)


def test_no_credits_while_a_pre_report_is_missing(cast, session):
    attend(session, cast.persons["nurse"])
    plan = plan_awards(session)
    assert plan.awards == [] and "长沙市卫生健康委员会" in plan.blocked[0]


def test_passed_learners_and_lecturers_and_a_lecturer_who_attended_gets_lecturer_credits_only(
    cast, session
):
    pre_reported(cast, session)
    nurse, doctor, county = (cast.persons[k] for k in ("nurse", "doctor", "county_doctor"))
    attend(session, nurse)
    attend(session, doctor)  # also teaches 2 hours
    attend(session, county, passed=False)
    plan = plan_awards(session)
    by_person = {(a.person_id, a.role): a.amount.credits for a in plan.awards}
    assert by_person[(nurse.pk, "learner")] == D("0.7")  # 4 h ÷ 6
    assert by_person[(doctor.pk, "lecturer")] == D("2.0")  # 2 h × 1
    assert (doctor.pk, "learner") not in by_person
    assert county.pk not in {a.person_id for a in plan.awards}


def test_records_are_written_pending_and_rewritten_on_resubmission(cast, session):
    pre_reported(cast, session)
    nurse = cast.persons["nurse"]
    attend(session, nurse)
    write_pending(session)
    write_pending(session)
    record = CreditRecord.objects.get(session=session, person=nurse)
    assert (record.status, record.category, record.source_id, record.year) == (
        CreditRecord.Status.PENDING,
        Category.I,
        Source.PROVINCIAL_PROJECT,
        2024,
    )
    assert (record.amount, record.hours) == (D("0.7"), D("4.0"))
