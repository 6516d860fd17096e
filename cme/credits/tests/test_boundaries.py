"""Credits exactly on and just past every boundary of CREDIT-RULES.md, each test named by
the rule it reads (the policy key or the catalogue code: the stable ids an administrator
edits). Every case is read by `summarise`, the audit's `year_results`, the credits page, the
unit's audit page, the credits API and the audit API (`agree.views`), which must all say
the same: total, I类, II类 and the result."""

import datetime
from decimal import Decimal

import pytest

from cme.claims.activities import record_unit_activity
from cme.claims.amounts import claim_worth
from cme.core.errors import DomainError
from cme.credits import ledger
from cme.credits.awards import learner_credits, lecturer_credits
from cme.credits.ledger import Result
from cme.credits.models import AnnualRequirement, CreditRecord, CreditSource, Exemption
from cme.credits.tests.agree import Figures, views
from cme.credits.tests.factories import credit
from cme.policy.access import for_year
from cme.policy.models import PolicyValue

D = Decimal
Q, NQ, EX = Result.QUALIFIED, Result.NOT_QUALIFIED, Result.EXEMPT
YEAR = 2024
Status = CreditRecord.Status


@pytest.fixture
def nurse(cast):
    return cast.persons["nurse"]  # 长沙市第一医院: city-licensed, 三级


def day(month: int, d: int = 1, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, d)


def many(person, n: int, amount, source: str, **fields) -> None:
    for i in range(n):
        credit(person, YEAR, amount, source, activity_date=day(1 + i % 12, 1 + i // 12), **fields)


# --- annual.total_min (25) and annual.class1_min (5) -------------------------------------------


@pytest.mark.parametrize(
    ("class1", "class2", "expected"),
    [
        ("5.0", "20.0", Q),  # both met exactly
        ("5.0", "19.9", NQ),  # total 0.1 short
        ("4.9", "20.1", NQ),  # total met, I类 0.1 short: II类 does not stand in for I类
        ("25.0", "0", Q),  # I类 counts toward the total
        ("24.9", "0", NQ),
    ],
)
def test_annual_total_min_and_class1_min_exactly_met_and_a_tenth_short(
    client, cast, nurse, class1, class2, expected
):
    credit(nurse, YEAR, class1)
    if D(class2):
        credit(nurse, YEAR, class2, "paper")
    figures = views(client, cast, nurse, YEAR)
    assert figures == Figures(D(class1) + D(class2), D(class1), D(class2), expected)


def test_annual_total_min_a_tenth_short_says_so(nurse):
    credit(nurse, YEAR, "4.9")
    credit(nurse, YEAR, "20.0", "paper")
    outcome = ledger.summarise(nurse, YEAR).outcome
    assert (outcome.missing_total, outcome.missing_class1) == (D("0.1"), D("0.1"))
    assert outcome.reasons == [
        "总学分24.9分，少于25分（差0.1分）",
        "I类学分4.9分，少于5分（差0.1分）",
    ]


def test_annual_total_min_reached_by_many_tenths(client, cast, nurse):
    """Fifty records of 0.1 are 5.0 I类, not 4.999…: sums stay decimal on every reader."""
    many(nurse, 50, "0.1", "provincial_project")
    many(nurse, 20, "1.0", "paper")
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(5), D(20), Q)


# --- annual.class2_max_counted (none by default; a province may set 20) ------------------------


def test_annual_class2_max_counted_none_by_default(client, cast, nurse):
    credit(nurse, YEAR, "5.0")
    credit(nurse, YEAR, "40.0", "paper")
    assert views(client, cast, nurse, YEAR) == Figures(D(45), D(5), D(40), Q)


@pytest.mark.parametrize(
    ("class2", "counted"), [("20.0", "20.0"), ("20.1", "20.0"), ("19.9", "19.9")]
)
def test_annual_class2_max_counted_at_and_over(client, cast, nurse, class2, counted):
    PolicyValue.objects.filter(year=YEAR, key="annual.class2_max_counted").update(value=20)
    credit(nurse, YEAR, "5.0")
    credit(nurse, YEAR, class2, "paper")
    expected = Q if D(counted) == 20 else NQ
    assert views(client, cast, nurse, YEAR) == Figures(
        D(5) + D(counted), D(5), D(counted), expected
    )


def test_annual_class2_max_counted_crossed_by_several_records(client, cast, nurse):
    PolicyValue.objects.filter(year=YEAR, key="annual.class2_max_counted").update(value=20)
    credit(nurse, YEAR, "5.0")
    credit(nurse, YEAR, "12.0", "paper", activity_date=day(3))
    credit(nurse, YEAR, "8.5", "book", activity_date=day(6))
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(5), D(20), Q)
    last = ledger.summarise(nurse, YEAR).lines[-1]
    assert (last.counted, last.cut) == (D("8.0"), D("0.5")) and "不超过20" in last.cut_reason


# --- unit_lecture / unit_case_discussion: 10 a year from unit activities -------------------------


@pytest.mark.parametrize(
    ("n", "counted"),
    [(20, "10.0"), (21, "10.0"), (19, "9.5")],  # 0.5 a lecture: at the cap, one over, one under
)
def test_unit_activity_cap_per_year_at_and_over(client, cast, nurse, n, counted):
    credit(nurse, YEAR, "15.0")
    many(nurse, n, "0.5", "unit_lecture", hours="0")
    class2 = D(counted)
    expected = Q if 15 + class2 >= 25 else NQ
    assert views(client, cast, nurse, YEAR) == Figures(15 + class2, D(15), class2, expected)


def test_unit_activity_cap_is_shared_by_lectures_and_case_discussions(client, cast, nurse):
    """4 lectures given (2 each) + 10 case discussions attended (0.2 each) = 10.0, and one more
    discussion is cut: the two kinds share one cap."""
    credit(nurse, YEAR, "15.0")
    many(nurse, 4, "2.0", "unit_lecture", hours="0", role=CreditRecord.Role.LECTURER)
    many(nurse, 10, "0.2", "unit_case_discussion", hours="0")
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(15), D(10), Q)
    credit(nurse, YEAR, "0.2", "unit_case_discussion", hours="0", activity_date=day(12, 31))
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(15), D(10), Q)
    last = ledger.summarise(nurse, YEAR).lines[-1]
    assert (last.counted, last.cut) == (D(0), D("0.2")) and "每年10.0分的上限" in last.cut_reason


def test_hunan_unit_activity_is_not_under_the_unit_activity_cap(client, cast, nurse):
    """CREDIT-RULES §3 gives 单位组织的学术活动（湖南） a per-activity maximum, no yearly cap."""
    credit(nurse, YEAR, "5.0")
    many(nurse, 10, "1.0", "unit_lecture", hours="0")
    many(nurse, 12, "1.0", "hunan_unit_activity", hours="4")
    assert views(client, cast, nurse, YEAR) == Figures(D(27), D(5), D(22), Q)


# --- self_study_review / designated_materials: 5 a year each ---------------------------------------


@pytest.mark.parametrize(("amount", "counted"), [("5.0", "5.0"), ("5.1", "5.0"), ("4.9", "4.9")])
@pytest.mark.parametrize("source", ["self_study_review", "designated_materials"])
def test_self_study_cap_per_year_at_and_over(client, cast, nurse, source, amount, counted):
    credit(nurse, YEAR, "20.0")
    credit(nurse, YEAR, amount, source)
    c = D(counted)
    assert views(client, cast, nurse, YEAR) == Figures(20 + c, D(20), c, Q if c == 5 else NQ)


def test_self_study_cap_crossed_by_several_reviews(client, cast, nurse):
    credit(nurse, YEAR, "20.0")
    credit(nurse, YEAR, "2.0", "self_study_review", activity_date=day(2))
    credit(nurse, YEAR, "2.5", "self_study_review", activity_date=day(5))
    credit(nurse, YEAR, "1.0", "self_study_review", activity_date=day(9))
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(20), D(5), Q)
    counted = [line.counted for line in ledger.summarise(nurse, YEAR).lines[1:]]
    assert counted == [D("2.0"), D("2.5"), D("0.5")]


def test_self_study_caps_are_one_per_kind(client, cast, nurse):
    credit(nurse, YEAR, "15.0")
    credit(nurse, YEAR, "6.0", "self_study_review")
    credit(nurse, YEAR, "6.0", "designated_materials")
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(15), D(10), Q)


def test_self_study_review_rate_is_one_credit_per_2000_characters(db):
    source = CreditSource.objects.get(code="self_study_review")
    policy = for_year(YEAR)
    assert claim_worth(source, policy, quantity=D(2), amount=None).credits == D("1.0")
    assert claim_worth(source, policy, quantity=D(10), amount=None).credits == D("5.0")
    # one review of 10,200 characters is worth 5.1; the yearly cap, not the entry, cuts it
    assert claim_worth(source, policy, quantity=D("10.2"), amount=None).credits == D("5.1")


# --- distance: 3 学时 = 1 credit; optional yearly cap (default none) -----------------------------


def test_distance_has_no_yearly_cap_by_default(client, cast, nurse):
    many(nurse, 12, "3.0", "distance", hours="9")
    assert views(client, cast, nurse, YEAR) == Figures(D(36), D(36), D(0), Q)


@pytest.mark.parametrize(
    ("amounts", "counted"),
    [(["10.0"], "10.0"), (["10.1"], "10.0"), (["6.0", "4.1"], "10.0"), (["9.9"], "9.9")],
)
def test_distance_yearly_cap_when_an_administrator_sets_one(client, cast, nurse, amounts, counted):
    CreditSource.objects.filter(code="distance").update(cap_per_year=D(10))
    credit(nurse, YEAR, "15.0", "paper")
    for i, amount in enumerate(amounts):
        credit(nurse, YEAR, amount, "distance", activity_date=day(3 + i))
    c = D(counted)
    assert views(client, cast, nurse, YEAR) == Figures(15 + c, c, D(15), Q if c == 10 else NQ)


# --- the rates and their rounding (rate.*, rounding: one decimal, half up) -----------------------


@pytest.mark.parametrize(
    ("level", "hours", "credits"),
    [
        ("national", "3", "1.0"),  # rate.national.participant_hours_per_credit = 3
        ("national", "1", "0.3"),
        ("national", "2", "0.7"),
        ("provincial", "6", "1.0"),  # rate.provincial.participant_hours_per_credit = 6
        ("provincial", "1.5", "0.3"),  # 0.25: half up
        ("provincial", "1.2", "0.2"),
        ("city", "6", "1.0"),  # rate.city.participant_hours_per_credit = 6
        ("city", "0.2", "0.0"),
    ],
)
def test_rate_participant_hours_per_credit(db, level, hours, credits):
    assert learner_credits(level, D(hours), for_year(YEAR)).credits == D(credits)


@pytest.mark.parametrize(
    ("level", "hours", "credits"),
    [
        ("national", "1", "2.0"),  # rate.national.lecturer_credits_per_hour = 2
        ("national", "0.5", "1.0"),
        ("provincial", "1", "1.0"),  # rate.provincial.lecturer_credits_per_hour = 1
        ("provincial", "2.5", "2.5"),
        ("city", "3", "0.5"),  # no lecturer rate: the learners' 6 学时 = 1 credit
    ],
)
def test_rate_lecturer_credits_per_hour(db, level, hours, credits):
    assert lecturer_credits(level, D(hours), for_year(YEAR)).credits == D(credits)


@pytest.mark.parametrize(
    ("award", "hours", "credits", "warned"),
    [
        (learner_credits, "30", "10.0", False),  # at cap.credits_per_project: no warning
        (learner_credits, "30.15", "10.1", True),  # a tenth over: warned, not cut (unverified)
        (lecturer_credits, "5", "10.0", False),
        (lecturer_credits, "5.05", "10.1", True),
    ],
)
def test_cap_credits_per_project_unverified_warns_at_one_step_over(
    db, award, hours, credits, warned
):
    amount = award("national", D(hours), for_year(YEAR))
    assert amount.credits == D(credits) and bool(amount.warning) is warned


def test_a_lecturer_gets_the_lecturer_rate_and_a_learner_the_learner_rate_on_every_reader(
    client, cast
):
    """A provincial session of 4 学时: the learner 4 ÷ 6 = 0.7; 王建国 teaches 2 学时 and
    attends: lecturer credits 2 × 1 = 2.0 only."""
    from cme.credits.awards import validate_session_credits, write_pending
    from cme.holding.tests.factories import attend, held_session, pre_reported

    session = pre_reported(cast, held_session(cast))
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    attend(session, nurse)
    attend(session, doctor)
    write_pending(session)
    validate_session_credits(session, actor=cast.users["province"])
    assert views(client, cast, nurse, YEAR) == Figures(D("0.7"), D("0.7"), D(0), NQ)
    assert views(client, cast, doctor, YEAR) == Figures(D("2.0"), D("2.0"), D(0), NQ)
    (record,) = CreditRecord.objects.filter(person=doctor)
    assert record.role == CreditRecord.Role.LECTURER


@pytest.mark.parametrize(
    ("code", "participant", "lecturer"),
    [("unit_lecture", "0.5", "2.0"), ("unit_case_discussion", "0.2", "1.0")],
)
def test_unit_activity_rates_lecturer_versus_participant(cast, code, participant, lecturer):
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    record_unit_activity(
        cast.city_hospital,
        actor=cast.users["city_admin"],
        source=CreditSource.objects.get(code=code),
        title="胸痛中心病例讨论",
        activity_date=day(5, 8),
        lecturers=[doctor.name],
        participants=[nurse.name, doctor.name],
        today=day(6),
    )
    assert CreditRecord.objects.get(person=nurse).amount == D(participant)
    assert CreditRecord.objects.get(person=doctor).amount == D(lecturer)  # not both


@pytest.mark.parametrize(("credits", "ok"), [("1.0", True), ("1.1", False), ("0.5", True)])
def test_hunan_unit_activity_at_most_1_per_activity_hours_are_credits_times_4(cast, credits, ok):
    nurse = cast.persons["nurse"]

    def record():
        return record_unit_activity(
            cast.city_hospital,
            actor=cast.users["city_admin"],
            source=CreditSource.objects.get(code="hunan_unit_activity"),
            title="院内学术活动",
            activity_date=day(5, 8),
            participants=[nurse.name],
            credits=D(credits),
            today=day(6),
        )

    if not ok:
        with pytest.raises(DomainError) as refused:
            record()
        assert refused.value.code == "ACTIVITY_CREDITS_CAP"
        return
    record()
    saved = CreditRecord.objects.get(person=nurse)
    assert (saved.amount, saved.hours) == (D(credits), D(credits) * 4)


# --- years: 31 December and 1 January; 2021 and 2024 policy; five years ---------------------------


def test_a_record_of_31_december_counts_for_its_year_and_1_january_for_the_next(client, cast):
    nurse = cast.persons["nurse"]
    credit(nurse, 2024, "10.0")
    credit(nurse, 2025, "10.0")
    source = CreditSource.objects.get(code="unit_lecture")
    for date in (datetime.date(2024, 12, 31), datetime.date(2025, 1, 1)):
        record_unit_activity(
            cast.city_hospital,
            actor=cast.users["city_admin"],
            source=source,
            title="年末讲座",
            activity_date=date,
            participants=[nurse.name],
            today=datetime.date(2025, 1, 2),
        )
    assert [
        r.year
        for r in CreditRecord.objects.filter(source_id="unit_lecture").order_by("activity_date")
    ] == [2024, 2025]
    assert views(client, cast, nurse, 2024) == Figures(D("10.5"), D(10), D("0.5"), NQ)
    assert views(client, cast, nurse, 2025) == Figures(D("10.5"), D(10), D("0.5"), NQ)


def test_credits_of_one_year_never_meet_the_next_years_requirement(client, cast, nurse):
    credit(nurse, 2024, "30.0", activity_date=datetime.date(2024, 12, 31))
    assert views(client, cast, nurse, 2024).result == Q
    assert views(client, cast, nurse, 2025) == Figures(D(0), D(0), D(0), NQ)


def test_policy_2021_and_2024_society_annual_meeting(db):
    """society_annual_meeting: 5 provincial I类 credits from 2024 on (002 §四.三); 2021 has no
    such value, so a meeting of 2021 is refused, not given 5."""
    from cme.distance.meetings import meeting_credits

    assert meeting_credits(2024) == D(5)
    assert meeting_credits(2025) == D(5)  # judged by the latest year with rows: 2024
    with pytest.raises(DomainError):
        meeting_credits(2021)


def test_policy_of_a_year_judges_that_year_only(client, cast, nurse):
    """A year's rules are that year's row set: an administrator's 2021 change does not touch
    2024, and 2022 (no rows of its own) follows 2021."""
    PolicyValue.objects.filter(year=2021, key="annual.total_min").update(value=20)
    for year in (2021, 2022, 2024):
        credit(nurse, year, "5.0")
        credit(nurse, year, "15.0", "paper")
    assert for_year(2022).based_on_year == 2021
    assert views(client, cast, nurse, 2021).result == Q
    assert views(client, cast, nurse, 2022).result == Q
    assert views(client, cast, nurse, 2024).result == NQ


@pytest.mark.parametrize(
    ("years", "warned"),
    [
        ({2020: "10.0"}, False),  # the first year of 2020-2024 counts
        ({2019: "10.0"}, True),  # the year before it does not
        ({2020: "5.0", 2024: "5.0"}, False),  # exactly 10 over the five years
        ({2020: "5.0", 2024: "4.9"}, True),  # 0.1 short
        ({2025: "10.0"}, True),  # a later year never counts back
    ],
)
def test_five_year_national_min_window_and_boundary(client, cast, nurse, years, warned):
    for year, amount in years.items():
        credit(nurse, year, amount, "national_project")
    credit(nurse, YEAR, "30.0", "paper")
    credit(nurse, YEAR, "5.0")
    assert views(client, cast, nurse, YEAR).result == Q  # a warning, never a refusal
    assert bool(ledger.summarise(nurse, YEAR).warnings) is warned


def test_five_year_national_min_counts_out_of_province_national_projects_not_voided_ones(
    cast, nurse
):
    credit(nurse, 2022, "6.0", "out_of_province")
    credit(nurse, 2023, "4.0", "national_project")
    assert ledger.summarise(nurse, YEAR).warnings == []
    CreditRecord.objects.filter(year=2023).update(status=Status.VOID)
    assert ledger.summarise(nurse, YEAR).warnings != []


def test_five_year_national_min_only_for_tertiary_and_provincial_level_units(client, cast):
    """CREDIT-RULES §1: staff of provincial-level units and 三级医院 are checked; a county's
    二级 hospital is not; a provincial-level unit is checked whatever its grade."""
    county_doctor = cast.persons["county_doctor"]
    credit(county_doctor, YEAR, "30.0")
    assert ledger.summarise(county_doctor, YEAR).warnings == []
    views(client, cast, county_doctor, YEAR)
    cast.provincial_hospital.grade = ""
    cast.provincial_hospital.save(update_fields=["grade"])
    staff = cast.persons["doctor"]
    staff.unit = cast.provincial_hospital
    staff.save(update_fields=["unit"])
    credit(staff, YEAR, "30.0")
    assert len(ledger.summarise(staff, YEAR).warnings) == 1
    views(client, cast, staff, YEAR)


# --- unit levels with their own requirement (CREDIT-RULES §1: by unit level) ----------------------


@pytest.mark.parametrize(
    ("class1", "class2", "expected"),
    [("3.0", "17.0", Q), ("3.0", "16.9", NQ), ("2.9", "17.1", NQ)],
)
def test_annual_requirement_of_county_units_at_its_boundary(client, cast, class1, class2, expected):
    AnnualRequirement.objects.create(
        year=YEAR, unit_level="county", total_min=20, class1_min=3, note="基层单位"
    )
    county_doctor = cast.persons["county_doctor"]
    credit(county_doctor, YEAR, class1)
    credit(county_doctor, YEAR, class2, "paper")
    assert views(client, cast, county_doctor, YEAR).result == expected
    nurse = cast.persons["nurse"]  # a city-licensed unit keeps 25 / 5
    credit(nurse, YEAR, class1)
    credit(nurse, YEAR, class2, "paper")
    assert views(client, cast, nurse, YEAR).result == NQ


# --- 不计达标 and voided records -----------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0", "24.9", "30.0"])
def test_an_exempted_person_is_not_counted_whatever_their_credits(client, cast, nurse, amount):
    if D(amount):
        credit(nurse, YEAR, amount)
    Exemption.objects.create(
        person=nurse, year=YEAR, reason="产假", granted_by=cast.users["city_admin"]
    )
    assert views(client, cast, nurse, YEAR).result == EX
    assert views(client, cast, nurse, YEAR - 1).result == NQ  # for that year only


def test_a_voided_record_no_longer_counts(client, cast, nurse):
    credit(nurse, YEAR, "5.0")
    credit(nurse, YEAR, "19.9", "paper")
    extra = credit(nurse, YEAR, "0.1", "paper")
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(5), D(20), Q)
    extra.status, extra.status_reason = Status.VOID, "虚假授分"
    extra.save(update_fields=["status", "status_reason"])
    assert views(client, cast, nurse, YEAR) == Figures(D("24.9"), D(5), D("19.9"), NQ)


def test_a_voided_record_frees_its_place_under_a_cap(client, cast, nurse):
    credit(nurse, YEAR, "20.0")
    first = credit(nurse, YEAR, "5.0", "self_study_review", activity_date=day(2))
    credit(nurse, YEAR, "5.0", "self_study_review", activity_date=day(4))
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(20), D(5), Q)
    first.status = Status.VOID
    first.save(update_fields=["status"])
    assert views(client, cast, nurse, YEAR) == Figures(D(25), D(20), D(5), Q)


def test_a_voided_year_is_not_qualified_on_every_reader(client, cast, nurse):
    credit(nurse, YEAR, "10.0")
    credit(nurse, YEAR, "20.0", "paper")
    ledger.void_year(nurse, YEAR, actor=cast.users["changsha"], reason="代签到")
    assert views(client, cast, nurse, YEAR) == Figures(D(0), D(0), D(0), NQ)


# --- caps an administrator edits: every reader applies them the same way -------------------------


def test_unit_activity_cap_of_a_group_is_its_smallest_cap_on_every_reader(client, cast, nurse):
    """The sources of one cap_group share one yearly cap; should an administrator lower one
    source's cap, the group's cap is the smallest (as the audit counts it), for the learner's
    page too."""
    CreditSource.objects.filter(code="unit_case_discussion").update(cap_per_year=D(8))
    credit(nurse, YEAR, "16.0")
    many(nurse, 18, "0.5", "unit_lecture", hours="0")  # 9.0
    assert views(client, cast, nurse, YEAR) == Figures(D(24), D(16), D(8), NQ)


def test_distance_yearly_cap_counts_class1_before_class2_on_every_reader(client, cast, nurse):
    """A distance cap shared by national (I类) and city-level (II类) courses: the I类 credits
    are counted first, whatever the order of the records, on every reader."""
    CreditSource.objects.filter(code="distance").update(cap_per_year=D(10))
    credit(nurse, YEAR, "19.0", "paper")
    credit(nurse, YEAR, "6.0", "distance", category="II", activity_date=day(3))
    credit(nurse, YEAR, "5.0", "distance", activity_date=day(6))  # I类
    assert views(client, cast, nurse, YEAR) == Figures(D(29), D(5), D(24), Q)
    lines = ledger.summarise(nurse, YEAR).lines
    assert [line.counted for line in lines] == [D("19.0"), D("5.0"), D("5.0")]
    assert "每年10.0分的上限" in lines[1].cut_reason


def test_five_year_national_min_also_for_first_class_prevention_units(client, cast):
    """CREDIT-RULES §1: 一级防保 units are checked like 三级医院, whatever their grade; their
    authority marks them (单位信息: 一级防保单位)."""
    county_doctor = cast.persons["county_doctor"]
    credit(county_doctor, YEAR, "30.0")
    cast.county_hospital.first_class_prevention = True
    cast.county_hospital.save(update_fields=["first_class_prevention"])
    assert len(ledger.summarise(county_doctor, YEAR).warnings) == 1
    views(client, cast, county_doctor, YEAR)
