"""Content, sessions and places, and the form's structural checks
(004 §二, §三.4, §六.5-6; 001; Hunan form)."""

import datetime
from decimal import Decimal

import pytest

from cme.orgs.models import Region
from cme.projects.models import Attachment, Lesson, PlannedSession, Project, Teacher
from cme.projects.rules import check_declaration
from cme.projects.tests.factories import (
    IN_WINDOW,
    fresh,
    lesson,
    loaded,
    rule_ids,
    session,
    valid_declaration,
)


@pytest.fixture
def project(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return valid_declaration(cast)


def _check(project):
    return check_declaration(fresh(project))


def _only(findings, rule_id: str):
    assert rule_ids(findings) == {rule_id}, [f.message for f in findings]
    return findings


def _sessions(project) -> list[PlannedSession]:
    return list(PlannedSession.objects.filter(project=project).order_by("order"))


def _move(planned: PlannedSession, **fields) -> None:
    for name, value in fields.items():
        setattr(planned, name, value)
    planned.save()


# SESSIONS_MAX — 每项国家级继续医学教育项目最多可申请6期（次） (004 §六.6)


def test_six_sessions_are_allowed(project):
    project.sessions_planned = 6
    project.save(update_fields=["sessions_planned"])
    assert _check(project) == []


def test_seven_sessions_are_refused(project):
    project.sessions_planned = 7
    project.save(update_fields=["sessions_planned"])
    (finding,) = _only(_check(project), "SESSIONS_MAX")
    assert finding.field == "sessions_planned"


def test_more_sessions_listed_than_declared_are_refused(project):
    session(project, datetime.date(2024, 11, 8), order=2)
    (finding,) = _only(_check(project), "SESSIONS_MAX")
    assert finding.field == "planned_sessions"


# PLACE_MAINLAND — 项目的举办地点须在中国内地 (004 §六.6)


def test_a_session_in_another_province_of_the_mainland_is_allowed(project):
    _move(_sessions(project)[1], region=Region.objects.get(code="610000"), address="西安市雁塔区")
    assert _check(project) == []


def test_a_session_in_hong_kong_is_refused(project):
    _move(_sessions(project)[1], place_outside="香港特别行政区")
    (finding,) = _only(_check(project), "PLACE_MAINLAND")
    assert finding.field == "planned_sessions.1"
    assert "香港" in finding.message


def test_a_session_without_a_place_is_refused(project):
    _move(_sessions(project)[0], region=None)
    (finding,) = _only(_check(project), "PLACE_MAINLAND")
    assert finding.field == "planned_sessions.0"


# PLACE_BANNED — 严禁到国家明令禁止举办会议的风景名胜区举办项目 (001; 004 §六.6)


def test_a_street_named_after_a_mountain_elsewhere_is_not_a_scenic_area(project):
    _move(_sessions(project)[0], address="长沙市华山路88号会议中心")
    assert _check(project) == []


def test_a_session_at_mount_hua_is_refused(project):
    _move(
        _sessions(project)[1],
        region=Region.objects.get(code="610000"),
        address="陕西省华阴市华山风景名胜区某酒店",
    )
    (finding,) = _only(_check(project), "PLACE_BANNED")
    assert finding.field == "planned_sessions.1"
    assert "华山" in finding.message


def test_a_session_at_zhangjiajie_is_refused(project):
    _move(
        _sessions(project)[0],
        region=Region.objects.get(code="430800"),
        address="张家界市武陵源区某度假酒店",
    )
    _only(_check(project), "PLACE_BANNED")


# CONTENT_REQUIRED — 需求导向；无主题授课内容的学术年会不得作为项目申报 (004 §二, §三.4, §六.5)


def test_evaluation_beyond_the_three_basic_levels_is_welcome(project):
    project.evaluation_levels = ["1", "2", "3", "4", "5"]
    project.save(update_fields=["evaluation_levels"])
    assert _check(project) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("needs_analysis", " "), ("objectives", ""), ("evaluation_levels", [1, 2])],
)
def test_needs_objectives_and_basic_evaluation_are_required(project, field, value):
    setattr(project, field, value)
    project.save(update_fields=[field])
    (finding,) = _only(_check(project), "CONTENT_REQUIRED")
    assert finding.field == field


def test_a_placeholder_topic_is_not_teaching_content(project):
    Lesson.objects.filter(project=project, order=2).update(topic="待定")
    (finding,) = _only(_check(project), "CONTENT_REQUIRED")
    assert finding.field == "lessons.2"


def test_an_annual_meeting_without_topics_is_not_a_project(project):
    project.is_annual_meeting = True
    project.save(update_fields=["is_annual_meeting"])
    for order, topic in enumerate(["开幕式", "学术年会", "闭幕式"]):
        Lesson.objects.filter(project=project, order=order).update(topic=topic)
    findings = _only(_check(project), "CONTENT_REQUIRED")
    assert [f.field for f in findings] == ["lessons.0", "lessons.1", "lessons.2"]


# NAME_LENGTH — 项目名称不超过75个字 (Hunan form)


def test_a_name_of_75_characters_is_accepted(project):
    project.name = "急" * 75
    project.save(update_fields=["name"])
    assert _check(project) == []


def test_a_name_of_76_characters_is_refused(project):
    project.name = "急" * 76
    project.save(update_fields=["name"])
    (finding,) = _only(_check(project), "NAME_LENGTH")
    assert "76" in finding.message


# COURSES_MAX — 课程安排不超过50门 (Hunan form)


def _practice_lessons(project, count: int) -> None:
    demonstrator = Teacher.objects.get(project=project, order=1)
    for n in range(count):
        lesson(
            project,
            demonstrator,
            "技能操作示范第{n}站".format(n=n + 1),
            "0.5",
            kind=Lesson.Kind.PRACTICE,
            order=10 + n,
        )


def test_fifty_lessons_are_accepted(project):
    _practice_lessons(project, 47)
    assert _check(project) == []


def test_fifty_one_lessons_are_refused(project):
    _practice_lessons(project, 48)
    _only(_check(project), "COURSES_MAX")


# SESSIONS_IN_YEAR — 举办期次在项目年度内、日期有效、按先后排列 (SPEC §4.1)


def test_sessions_spread_over_the_project_year_are_accepted(project):
    first, second = _sessions(project)
    _move(first, starts_on=datetime.date(2024, 1, 2), ends_on=datetime.date(2024, 1, 3))
    _move(second, starts_on=datetime.date(2024, 12, 30), ends_on=datetime.date(2024, 12, 31))
    assert _check(project) == []


def test_a_session_in_the_next_year_is_refused(project):
    _move(
        _sessions(project)[1],
        starts_on=datetime.date(2024, 12, 31),
        ends_on=datetime.date(2025, 1, 1),
    )
    (finding,) = _only(_check(project), "SESSIONS_IN_YEAR")
    assert "2024年" in finding.message


def test_a_session_ending_before_it_starts_is_refused(project):
    _move(_sessions(project)[0], ends_on=datetime.date(2024, 4, 1))
    _only(_check(project), "SESSIONS_IN_YEAR")


def test_sessions_out_of_date_order_are_refused(project):
    _move(
        _sessions(project)[1],
        starts_on=datetime.date(2024, 3, 1),
        ends_on=datetime.date(2024, 3, 2),
    )
    (finding,) = _only(_check(project), "SESSIONS_IN_YEAR")
    assert "先后" in finding.message


# ATTACHMENTS_REQUIRED — 五项申报附件齐全 (Hunan form)


def test_all_five_attachments_are_accepted(project):
    assert Attachment.objects.filter(project=project).count() == 5
    assert _check(project) == []


def test_a_missing_pledge_is_refused(project):
    Attachment.objects.filter(project=project, kind=Attachment.Kind.PLEDGE).delete()
    (finding,) = _only(_check(project), "ATTACHMENTS_REQUIRED")
    assert "承诺书" in finding.message


# LESSON_HOURS — 学时大于0，保留一位小数 (Hunan form)


def test_half_an_hour_is_a_valid_lesson(project):
    Lesson.objects.filter(project=project, order=2).update(hours=Decimal("0.5"))
    Project.objects.filter(pk=project.pk).update(credits=Decimal("0.4"))  # 2.5 学时 ÷ 6
    assert _check(project) == []


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("1.25"), None])
def test_zero_or_finer_than_a_tenth_of_an_hour_is_refused(project, hours):
    unsaved = loaded(project)  # a form checks its unsaved rows the same way
    unsaved.lessons.all()[2].hours = hours
    unsaved.credits = Decimal("0.3")  # what the other two lessons' 2 学时 give (CREDITS_HOURS)
    (finding,) = _only(check_declaration(unsaved), "LESSON_HOURS")
    assert finding.field == "lessons.2"
