"""Issue 5 §3: teachers, content and total hours may change by at most 30% (national) or
50% (provincial) of the approved plan; a replacement teacher's title may not be lower;
beyond the limit the session awards no credits and the sponsor is told before saving; a
leader replaced by force majeure has equal or higher qualification and is filed with the
provincial office."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from cme.core.errors import DomainError
from cme.credits.awards import plan_awards
from cme.holding import changes
from cme.holding.changes import LessonRow
from cme.holding.models import LeaderChange
from cme.holding.tests.factories import approved, held_session, pre_reported
from cme.projects.models import Level
from cme.projects.tests.factories import bare_project, lesson, staff, teacher


def rows_of(session):
    return [changes.row_of(lesson) for lesson in session.lessons.all()]


def swap_teacher(row, name="孙立新", level=5):
    return LessonRow(
        topic=row.topic,
        teacher_name=name,
        hours=row.hours,
        teacher_title="主任医师",
        teacher_title_level=level,
        planned_id=row.planned_id,
    )


@pytest.fixture
def session(cast):
    """A provincial project: 1.0 + 1.0 (leader) + 2.0 (陈志明) = 4 approved hours."""
    return pre_reported(cast, held_session(cast))


def test_a_new_session_starts_with_the_approved_lessons_and_no_change(session):
    summary = changes.session_summary(session)
    assert (summary.planned_hours, summary.actual_hours) == (Decimal(4), Decimal(4))
    assert not summary.changed and summary.within_limit
    assert summary.limit_percent == 50


def test_provincial_changes_up_to_exactly_half_are_allowed(cast, session):
    first, second, third = rows_of(session)
    summary = changes.measure(session.project, [first, second, swap_teacher(third)])
    assert summary.ratios["teachers"] == Decimal("50.0")
    assert summary.within_limit


def test_provincial_changes_beyond_half_are_refused_unless_confirmed(cast, session):
    first, second, third = rows_of(session)
    beyond = [swap_teacher(first), second, swap_teacher(third)]
    summary = changes.measure(session.project, beyond)
    assert summary.ratios["teachers"] == Decimal("75.0") and not summary.within_limit
    with pytest.raises(DomainError) as exc:
        changes.save_lessons(session, beyond, actor=cast.users["city_admin"])
    assert exc.value.code == "CHANGE_BEYOND_LIMIT"
    assert "不授予学分" in exc.value.message
    assert session.lessons.filter(teacher_name="孙立新").count() == 0  # nothing saved

    changes.save_lessons(session, beyond, actor=cast.users["city_admin"], confirm_beyond=True)
    plan = plan_awards(session)
    assert plan.awards == [] and "不授予学分" in plan.blocked[0]


@pytest.fixture
def national(cast):
    """A national project with 3.0 + 7.0 approved hours."""
    project = approved(bare_project(cast, level=Level.NATIONAL), number="2024-04-08-001(国)")
    chief = staff(cast.city_hospital, "陈志明", "主任医师")
    lead = teacher(project, chief.name, unit=chief.unit, person_row=chief)
    lesson(project, lead, "急性胸痛的早期识别", "3.0", order=0)
    lesson(project, lead, "再灌注治疗指南解读", "7.0", order=1)
    return project


def test_national_content_changes_at_30_percent_pass_and_just_above_do_not(cast, national):
    planned = list(national.lessons.order_by("order"))
    short, long_ = (
        changes.LessonRow(lsn.topic, "陈志明", lsn.hours, planned_id=lsn.pk) for lsn in planned
    )
    retitled = LessonRow(
        "急性胸痛的识别与分诊", "陈志明", Decimal("3.0"), planned_id=short.planned_id
    )
    at_limit = changes.measure(national, [retitled, long_])
    assert at_limit.ratios["content"] == Decimal("30.0") and at_limit.within_limit
    extra = LessonRow("病例讨论", "陈志明", Decimal("0.1"))
    above = changes.measure(national, [retitled, long_, extra])
    assert above.ratios["content"] == Decimal("31.0") and not above.within_limit
    fewer_hours = changes.measure(
        national,
        [short, LessonRow(long_.topic, "陈志明", Decimal("3.9"), planned_id=long_.planned_id)],
    )
    assert fewer_hours.ratios["hours"] == Decimal("31.0") and not fewer_hours.within_limit


def test_a_replacement_teacher_may_not_have_a_lower_title(cast, session):
    first, second, third = rows_of(session)
    lower = swap_teacher(third, name="李小红", level=3)
    with pytest.raises(DomainError) as exc:
        changes.save_lessons(session, [first, second, lower], actor=cast.users["city_admin"])
    assert exc.value.code == "REPLACEMENT_TEACHER_TITLE"
    assert "李小红" in exc.value.message and "陈志明" in exc.value.message


def test_fewer_hours_given_cut_the_credits_in_proportion(cast, session):
    first, second, third = rows_of(session)
    shorter = LessonRow(
        third.topic,
        third.teacher_name,
        Decimal("1.0"),
        teacher_title_level=5,
        planned_id=third.planned_id,
    )
    changes.save_lessons(session, [first, second, shorter], actor=cast.users["city_admin"])
    assert plan_awards(session).hours == Decimal("3.0")


def test_a_leader_replaced_by_force_majeure_needs_equal_title_and_is_filed_with_the_province(
    cast, session
):
    project = session.project
    junior = staff(cast.city_hospital, "周小兵", "主治医师")
    evidence = ContentFile(b"%PDF-1.4\n", name="proof.pdf")
    with pytest.raises(DomainError) as exc:
        changes.replace_leader(
            project,
            actor=cast.users["city_admin"],
            new_leader=junior,
            reason="病假",
            evidence=evidence,
        )
    assert exc.value.code == "LEADER_REPLACEMENT_TITLE"
    peer = staff(cast.city_hospital, "刘德华", project.leader.title)
    change = changes.replace_leader(
        project,
        actor=cast.users["city_admin"],
        new_leader=peer,
        reason="突发疾病住院",
        evidence=evidence,
    )
    project.refresh_from_db()
    assert project.leader == peer
    assert change.filed_with == cast.province
    assert LeaderChange.objects.filter(project=project).count() == 1
