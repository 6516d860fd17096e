"""CREDIT-RULES §3 (issue 6 §3): a unit records its own lectures, case discussions and
academic activities for its staff at once; the credits are valid straight away, a lecturer
also listed as a participant gets the lecturer credits only, and only the unit's own staff
may be named. The yearly cap of 10 is the ledger's."""

import datetime
from decimal import Decimal

import pytest

from cme.claims import activities
from cme.claims.models import UnitActivity
from cme.claims.queries import activities_visible_to
from cme.claims.tests.factories import staff
from cme.core.errors import DomainError, PermissionDenied
from cme.core.models import AuditEvent
from cme.credits import ledger
from cme.credits.models import CreditRecord, CreditSource

D = Decimal
DAY = datetime.date(2024, 5, 20)


def record(cast, source="unit_lecture", *, user="city_admin", unit=None, **values):
    values.setdefault("title", "急诊胸痛中心建设专题讲座")
    values.setdefault("activity_date", DAY)
    return activities.record_unit_activity(
        unit or cast.city_hospital,
        actor=cast.users[user],
        source=CreditSource.objects.get(code=source),
        **values,
    )


@pytest.fixture
def third(hunan):
    return staff(hunan, hunan.city_hospital, "张伟")


def test_a_lecture_for_three_staff_with_the_lecturer_also_listed_gives_the_lecturer_credits_only(
    hunan, third
):
    nurse, doctor = hunan.persons["nurse"], hunan.persons["doctor"]
    activity = record(
        hunan,
        lecturers=doctor.id_number,
        participants="\n".join([nurse.name, doctor.name, third.id_number.lower(), nurse.name]),
    )
    records = {r.person: r for r in activity.records.all()}
    assert set(records) == {nurse, doctor, third}
    assert (records[doctor].role, records[doctor].amount) == ("lecturer", D("2.0"))
    assert (records[nurse].role, records[nurse].amount) == ("learner", D("0.5"))
    assert records[third].amount == D("0.5")
    for r in records.values():
        assert (r.status, r.organisation, r.reviewed_by) == (
            CreditRecord.Status.VALID,
            hunan.city_hospital,
            hunan.users["city_admin"],
        )
        assert (r.category, r.year, r.activity_date) == ("II", 2024, DAY)
    listed = activities_visible_to(hunan.users["city_admin"]).get()
    assert (listed.lecturer_count, listed.participant_count) == (1, 2)
    assert ledger.summarise(nurse, 2024).totals.class2 == D("0.5")
    assert AuditEvent.objects.filter(action="unit_activity.record").count() == 1


def test_a_person_not_of_the_unit_is_refused_and_nothing_is_written(hunan, third):
    other = hunan.persons["county_doctor"]
    with pytest.raises(DomainError) as exc:
        record(hunan, lecturers=[third.name], participants=[other.id_number, "不存在的人"])
    assert exc.value.code == "STAFF_NOT_OF_UNIT" and exc.value.field == "participants"
    assert other.id_number not in exc.value.message and other.name not in exc.value.message
    assert other.id_number[:4] + "**********" in exc.value.message
    assert "“不存在的人”：不是本单位人员" in exc.value.message
    assert not UnitActivity.objects.exists() and not CreditRecord.objects.exists()


def test_an_invalid_id_number_says_why(hunan):
    with pytest.raises(DomainError) as exc:
        record(hunan, participants=["43010219900101123"])
    assert "身份证号码应为18位" in exc.value.message


def test_two_staff_of_the_same_name_must_be_named_by_id(hunan):
    staff(hunan, hunan.city_hospital, "王建国", seed=21)
    with pytest.raises(DomainError) as exc:
        record(hunan, participants=["王建国"])
    assert "本单位有2人同名" in exc.value.message


def test_case_discussion_rates(hunan):
    activity = record(
        hunan,
        "unit_case_discussion",
        title="多科室病例讨论",
        lecturers=["王建国"],
        participants=["李小红"],
        hours=D("2"),
    )
    assert {(r.role, r.amount, r.hours) for r in activity.records.all()} == {
        ("lecturer", D("1.0"), D("2.0")),
        ("learner", D("0.2"), D("2.0")),
    }


def test_a_hunan_unit_activity_is_at_most_one_credit_and_four_hours_a_credit(hunan):
    with pytest.raises(DomainError) as exc:
        record(hunan, "hunan_unit_activity", participants=["李小红"], credits=D("1.5"))
    assert exc.value.code == "ACTIVITY_CREDITS_CAP"
    with pytest.raises(DomainError) as exc:
        record(hunan, "hunan_unit_activity", participants=["李小红"])
    assert exc.value.code == "AMOUNT_REQUIRED"
    activity = record(
        hunan, "hunan_unit_activity", participants=["李小红"], credits=D("0.5"), hours=D(9)
    )
    assert {(r.amount, r.hours) for r in activity.records.all()} == {(D("0.5"), D("2.0"))}


def test_the_yearly_cap_of_unit_activities_is_applied_by_the_ledger(hunan):
    nurse = hunan.persons["nurse"]
    for n in range(6):
        record(
            hunan,
            title="讲座{n}".format(n=n),
            lecturers=["李小红"],
            activity_date=DAY - datetime.timedelta(days=n),
        )
    assert CreditRecord.objects.filter(person=nurse).count() == 6  # 12 credits written
    assert ledger.summarise(nurse, 2024).totals.class2 == D(10)


def test_the_same_activity_twice_is_refused(hunan):
    record(hunan, participants=["李小红"])
    with pytest.raises(DomainError) as exc:
        record(hunan, participants=["王建国"])
    assert exc.value.code == "DUPLICATE_ACTIVITY"


def test_only_the_units_own_admin_records_and_only_unit_sources(hunan):
    with pytest.raises(PermissionDenied):
        record(hunan, user="changsha", participants=["李小红"])
    with pytest.raises(PermissionDenied):
        record(hunan, user="county_admin", participants=["李小红"])
    with pytest.raises(DomainError) as exc:
        record(hunan, "paper", participants=["李小红"])
    assert exc.value.code == "ACTIVITY_SOURCE"
    with pytest.raises(DomainError) as exc:
        record(hunan, participants=[])
    assert exc.value.code == "NO_ATTENDEES"


def test_authorities_see_the_activities_of_their_units_only(hunan):
    record(hunan, participants=["李小红"])
    assert activities_visible_to(hunan.users["changsha"]).count() == 1
    assert activities_visible_to(hunan.users["zhuzhou"]).count() == 0
    assert activities_visible_to(hunan.users["learner"]).count() == 0
