"""Issue 7 §5 (003 §十一): half-year plans with policy deadlines — 31 March for the first
half, 31 July for the second; late ones accepted and flagged —, rows checked as imported
ones, the city's row decisions, and approved rows becoming city-level projects that the
holding flow accepts and credits."""

import datetime
from decimal import Decimal

import pytest

from cme.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cme.core.models import AuditEvent
from cme.credits.awards import plan_awards
from cme.holding import actions as holding
from cme.holding import rosters
from cme.holding.models import PreReport
from cme.plans import actions
from cme.plans.models import PlanRow, TrainingPlan
from cme.plans.queries import plan_for, review_queue_for
from cme.plans.tests.helpers import ROW, plan_of, with_rows
from cme.projects.models import Level, Project, State

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(y, m, d, h=12):
    return datetime.datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_deadlines_come_from_policy_31_march_and_31_july(cast):
    assert actions.plan_due_on(2025, 1) == datetime.date(2025, 3, 31)
    assert actions.plan_due_on(2025, 2) == datetime.date(2025, 7, 31)
    assert actions.work_report_due_on(2025) == datetime.date(2025, 12, 31)
    plan = plan_of(cast, half=2)
    assert plan.city == cast.changsha and plan.due_on == datetime.date(2025, 7, 31)


@pytest.mark.parametrize(
    ("moment", "late"),
    [(at(2025, 3, 31, 23), False), (at(2025, 4, 1, 0), True), (at(2025, 3, 1), False)],
)
def test_submitted_on_31_march_is_on_time_and_on_1_april_late(cast, moment, late):
    plan = with_rows(cast, plan_of(cast))
    plan = actions.submit_plan(plan, actor=cast.users["city_admin"], at=moment)
    assert plan.state == TrainingPlan.State.SUBMITTED
    assert plan.late is late
    assert AuditEvent.objects.filter(action="plan.submit", object_id=str(plan.pk)).exists()


def test_a_county_licensed_unit_sends_to_the_city_and_a_province_unit_cannot(cast):
    assert plan_of(cast, user="county_admin").city == cast.changsha
    with pytest.raises(DomainError) as exc:
        plan_of(cast, user="provincial_admin")
    assert exc.value.code == "NO_CITY"
    with pytest.raises(PermissionDenied):
        plan_of(cast, user="changsha")


def test_one_plan_per_half_and_an_empty_plan_is_not_sent(cast):
    plan = plan_of(cast)
    with pytest.raises(DomainError) as exc:
        plan_of(cast)
    assert exc.value.code == "PLAN_EXISTS"
    with pytest.raises(DomainError) as exc:
        actions.submit_plan(plan, actor=cast.users["city_admin"])
    assert exc.value.code == "PLAN_EMPTY"


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"credits": "2.25"}, "CREDITS_INVALID", "credits"),
        ({"credits": "0"}, "CREDITS_INVALID", "credits"),
        ({"name": ""}, "REQUIRED", "name"),
        ({"starts_on": "2025-02-30"}, "PERIOD_INVALID", "starts_on"),
        ({"starts_on": "2025-08-01", "ends_on": "2025-08-02"}, "PERIOD_OUTSIDE_HALF", "starts_on"),
        ({"mode": "函授"}, "MODE_INVALID", "mode"),
        ({"participants": "一百"}, "PARTICIPANTS_INVALID", "participants"),
    ],
)
def test_a_row_is_checked_and_the_message_names_the_column(cast, change, code, field):
    plan = plan_of(cast)
    with pytest.raises(DomainError) as exc:
        actions.save_row(plan, ROW | change, actor=cast.users["city_admin"])
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not plan.rows.exists()


def test_rows_are_numbered_in_order_and_a_taken_number_is_refused(cast):
    plan = with_rows(cast, plan_of(cast), n=2)
    assert list(plan.rows.values_list("number", flat=True)) == [1, 2]
    row = plan.rows.get(number=1)
    assert row.mode == PlanRow.Mode.OFFLINE and row.credits == Decimal("2.0")
    with pytest.raises(DomainError) as exc:
        actions.save_row(plan, ROW | {"number": "2"}, actor=cast.users["city_admin"], row=row)
    assert exc.value.code == "NUMBER_TAKEN"


def test_after_submission_the_unit_cannot_change_rows(cast):
    plan = with_rows(cast, plan_of(cast))
    actions.submit_plan(plan, actor=cast.users["city_admin"], at=at(2025, 3, 1))
    plan.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.save_row(plan, ROW, actor=cast.users["city_admin"])


@pytest.fixture
def submitted(cast):
    plan = with_rows(cast, plan_of(cast), n=2)
    return actions.submit_plan(plan, actor=cast.users["city_admin"], at=at(2025, 3, 1))


def test_the_city_approves_a_row_and_it_becomes_an_approved_numbered_city_project(cast, submitted):
    first, second = submitted.rows.order_by("number")
    [row] = actions.decide_rows(submitted, [(first.pk, True, "")], actor=cast.users["changsha"])
    project = row.project
    assert project.level == Level.CITY and project.state == State.APPROVED
    assert project.number == "2025-00-00-001(长沙市)"
    assert project.sponsor == project.declared_by == cast.city_hospital
    assert (project.name, project.credits, project.expected_participants) == (
        first.name,
        Decimal("2.0"),
        120,
    )
    [planned] = project.planned_sessions.all()
    assert (planned.starts_on, planned.address) == (first.starts_on, first.place)
    assert project.lessons.get().hours == Decimal("12.0")  # 2 credits × 6 学时 (city rate)
    submitted.refresh_from_db()
    assert submitted.state == TrainingPlan.State.SUBMITTED  # the second row still waits
    with pytest.raises(DomainError) as exc:
        actions.decide_rows(submitted, [(second.pk, False, " ")], actor=cast.users["changsha"])
    assert exc.value.code == "REASON_REQUIRED"
    actions.decide_rows(
        submitted, [(second.pk, False, "与已有培训重复")], actor=cast.users["changsha"]
    )
    submitted.refresh_from_db()
    assert submitted.state == TrainingPlan.State.DECIDED
    second.refresh_from_db()
    assert second.decision == PlanRow.Decision.REFUSED and second.project is None
    with pytest.raises(PermissionDenied):  # decided: nothing left to decide
        actions.decide_rows(submitted, [(first.pk, True, "")], actor=cast.users["changsha"])


def test_a_row_is_decided_once(cast, submitted):
    first = submitted.rows.first()
    actions.decide_rows(submitted, [(first.pk, True, "")], actor=cast.users["changsha"])
    with pytest.raises(Conflict):
        actions.decide_rows(submitted, [(first.pk, True, "")], actor=cast.users["changsha"])
    assert Project.objects.filter(level=Level.CITY).count() == 1


def test_approve_all_creates_every_project_in_one_go(cast, submitted):
    rows = actions.approve_all(submitted, actor=cast.users["changsha"])
    assert sorted(r.project.number for r in rows) == [
        "2025-00-00-001(长沙市)",
        "2025-00-00-002(长沙市)",
    ]
    submitted.refresh_from_db()
    assert submitted.state == TrainingPlan.State.DECIDED
    assert AuditEvent.objects.filter(action="plan.decide", object_id=str(submitted.pk)).exists()


def test_only_the_city_the_plan_went_to_decides_and_another_city_does_not_see_it(cast, submitted):
    with pytest.raises(NotFound):
        plan_for(cast.users["zhuzhou"], submitted.pk)
    assert not review_queue_for(cast.users["zhuzhou"]).exists()
    assert list(review_queue_for(cast.users["changsha"])) == [submitted]
    with pytest.raises(PermissionDenied):
        actions.approve_all(submitted, actor=cast.users["zhuzhou"])
    with pytest.raises(PermissionDenied):
        actions.approve_all(submitted, actor=cast.users["furong"])


def test_a_draft_is_not_shown_to_the_city(cast):
    plan = with_rows(cast, plan_of(cast))
    with pytest.raises(NotFound):
        plan_for(cast.users["changsha"], plan.pk)


def test_the_approved_row_is_held_reported_and_credited_through_holding(cast, submitted):
    """The holding flow accepts the project: a session, the city's 举办报备表, a roster, and
    the learner who passed gets the row's credits (II类, city rate)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cme.orgs.models import Region

    first = submitted.rows.order_by("number").first()
    [row] = actions.decide_rows(submitted, [(first.pk, True, "")], actor=cast.users["changsha"])
    unit = cast.users["city_admin"]
    session = holding.add_session(
        row.project,
        actor=unit,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        region=Region.objects.get(code="430102"),
        address=row.place,
        expected_participants=row.participants,
        credits=row.credits,
    )
    assert session.number == 1 and session.lessons.count() == 1
    pdf = SimpleUploadedFile("notice.pdf", b"%PDF-1.4\n")
    holding.submit_pre_report(
        session,
        actor=unit,
        kind=PreReport.Kind.CITY,
        notice=pdf,
        schedule=pdf,
        at=at(2025, 3, 1),
    )
    nurse = cast.persons["nurse"]
    attendee = rosters.add_attendee(
        session, {"name": nurse.name, "id_number": nurse.id_number}, actor=unit
    )
    rosters.set_passed(attendee, True, actor=unit)
    plan = plan_awards(session)
    assert not plan.blocked
    [award] = plan.awards
    assert award.person_id == nurse.pk and award.amount.credits == Decimal("2.0")
