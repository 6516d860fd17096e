"""Teachers: titles, theory hours, the sponsor's own share, informed consent
(004 §五.2, §五.4; 002 附件1.1-1.2)."""

from decimal import Decimal

import pytest

from cme.projects.models import Attachment, Lesson, Teacher
from cme.projects.rules import check_declaration
from cme.projects.tests.factories import (
    IN_WINDOW,
    fresh,
    lesson,
    national_declaration,
    rule_ids,
    teacher,
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


def _row(project, order: int) -> Teacher:
    return Teacher.objects.get(project=project, order=order)


# TEACHER_TITLE — 理论授课教师副高级及以上，实验（技术示范）教师中级及以上 (004 §五.4)


def test_an_attending_physician_may_demonstrate_a_technique(cast, project):
    demo = teacher(
        project, "周敏", unit=cast.city_hospital, title="主治医师", title_level=3, order=2
    )
    lesson(project, demo, "床旁超声操作示范", "2.0", kind=Lesson.Kind.PRACTICE, order=3)
    assert _check(project) == []


def test_an_attending_physician_may_not_give_a_theory_lesson(project):
    Teacher.objects.filter(pk=_row(project, 1).pk).update(title="主治医师", title_level=3)
    (finding,) = _only(_check(project), "TEACHER_TITLE")
    assert finding.field == "teachers.1"
    assert "陈志明" in finding.message
    assert "副高级" in finding.message


def test_a_resident_may_not_demonstrate_a_technique(cast, project):
    demo = teacher(project, "周敏", unit=cast.city_hospital, title="医师", title_level=2, order=2)
    lesson(project, demo, "床旁超声操作示范", "2.0", kind=Lesson.Kind.PRACTICE, order=3)
    (finding,) = _only(_check(project), "TEACHER_TITLE")
    assert finding.field == "teachers.2"
    assert "中级" in finding.message


# TEACHER_HOURS — 每位授课教师理论授课内容原则上不超过3学时（指导带教等可适当延长） (002 附件1.2)


def test_three_theory_hours_and_longer_practice_guidance_are_accepted(project):
    leader_row = _row(project, 0)
    lesson(project, leader_row, "胸痛鉴别诊断病例讨论", "1.0", order=3)
    lesson(project, leader_row, "心电图判读带教", "4.0", kind=Lesson.Kind.PRACTICE, order=4)
    assert _check(project) == []


def test_more_than_three_theory_hours_by_one_teacher_is_warned(project):
    lesson(project, _row(project, 0), "胸痛鉴别诊断病例讨论", Decimal("1.5"), order=3)
    (finding,) = _only(_check(project), "TEACHER_HOURS")
    assert finding.level == "warning"
    assert "3.5学时" in finding.message


# OWN_TEACHER_SHARE — 本单位的授课教师占比原则上应不低于50% (004 §五.2)


def _outside_teachers(cast, project, count: int) -> None:
    for n in range(count):
        row = teacher(project, "外院专家{n}".format(n=n), unit=cast.zhuzhou_hospital, order=10 + n)
        lesson(project, row, "区域协同救治经验{n}".format(n=n), "1.0", order=10 + n)


@pytest.fixture
def national(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return national_declaration(cast)


def test_half_of_the_teachers_from_the_sponsor_is_enough(cast, national):
    _outside_teachers(cast, national, 2)
    assert _check(national) == []


def test_the_own_teacher_share_is_a_national_requirement(cast, project):
    _outside_teachers(cast, project, 3)
    assert "OWN_TEACHER_SHARE" not in rule_ids(_check(project))


def test_fewer_than_half_from_the_sponsor_is_warned(cast, national):
    _outside_teachers(cast, national, 3)
    (finding,) = _only(_check(national), "OWN_TEACHER_SHARE")
    assert finding.level == "warning"
    assert "40%" in finding.message
    assert "50%" in finding.message


def test_a_society_sponsor_may_invite_every_teacher(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    project = valid_declaration(
        cast, name="急诊创伤救治技能提升班", sponsor=cast.society, declared_by=cast.branch
    )
    _outside_teachers(cast, project, 3)
    assert _check(project) == []


# TEACHER_CONSENT — 项目申报前须征得授课老师的知情同意，并留存相关证据备查 (002 附件1.1)


def test_consent_evidenced_by_the_consent_sheet_attachment_is_enough(project):
    Teacher.objects.filter(project=project).update(consent_evidence="")
    assert _check(project) == []


def test_a_teacher_who_has_not_consented_is_refused(project):
    Teacher.objects.filter(pk=_row(project, 1).pk).update(consent=False)
    (finding,) = _only(_check(project), "TEACHER_CONSENT")
    assert finding.field == "teachers.1"
    assert "陈志明" in finding.message


def test_consent_without_any_evidence_is_refused(project):
    Teacher.objects.filter(pk=_row(project, 1).pk).update(consent_evidence="")
    Attachment.objects.filter(project=project, kind=Attachment.Kind.TEACHER_CONSENT).delete()
    findings = _check(project)
    assert rule_ids(findings) == {"TEACHER_CONSENT", "ATTACHMENTS_REQUIRED"}
    (consent,) = [f for f in findings if f.rule_id == "TEACHER_CONSENT"]
    assert "证据" in consent.message
