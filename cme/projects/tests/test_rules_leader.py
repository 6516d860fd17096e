"""The project leader (004 §五.1-5; 002 §四.二, 附件1.2)."""

from decimal import Decimal

import pytest

from cme.projects.models import Kind, Lesson, Level, Project, State, Teacher
from cme.projects.rules import check_declaration
from cme.projects.tests.factories import (
    IN_WINDOW,
    bare_project,
    fresh,
    national_declaration,
    rule_ids,
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


def _retitle(person, title: str, level: int) -> None:
    person.title, person.title_level = title, level
    person.save(update_fields=["title", "title_level"])


# LEADER_NOT_STAFF — 项目负责人应为在职人员，且在项目申办单位任职 (004 §五.2)


def test_a_leader_on_the_sponsors_staff_may_lead(project):
    assert "LEADER_NOT_STAFF" not in rule_ids(_check(project))


def test_a_leader_working_at_another_unit_may_not_lead(cast, project):
    doctor = cast.persons["doctor"]
    doctor.unit = cast.county_hospital
    doctor.save(update_fields=["unit"])
    (finding,) = _only(_check(project), "LEADER_NOT_STAFF")
    assert "长沙市芙蓉区人民医院" in finding.message


def test_a_leader_transferred_out_may_not_lead(cast, project):
    doctor = cast.persons["doctor"]
    doctor.unit = None
    doctor.save(update_fields=["unit"])
    (finding,) = _only(_check(project), "LEADER_NOT_STAFF")
    assert "调出" in finding.message


def test_a_declaration_needs_a_leader(project):
    project.leader = None
    project.save(update_fields=["leader"])
    _only(_check(project), "LEADER_NOT_STAFF")


def _branch_declaration(cast, **fields) -> Project:
    return valid_declaration(
        cast, name="急诊创伤救治技能提升班", sponsor=cast.society, declared_by=cast.branch, **fields
    )


def test_a_branch_leader_may_work_at_any_unit(cast, project):
    assert _check(_branch_declaration(cast)) == []


def test_a_branch_declaration_still_needs_a_leader(cast, project):
    branch_project = _branch_declaration(cast)
    branch_project.leader = None
    branch_project.save(update_fields=["leader"])
    (finding,) = _only(_check(branch_project), "LEADER_NOT_STAFF")
    assert "专业委员会" in finding.message


# LEADER_TITLE — 项目负责人应具有副高级及以上专业技术职务 (004 §五.4)


def test_a_chief_physician_may_lead(cast, project):
    _retitle(cast.persons["doctor"], "主任医师", 5)
    assert _check(project) == []


def test_an_attending_physician_may_not_lead(cast, project):
    _retitle(cast.persons["doctor"], "主治医师", 3)
    (finding,) = _only(_check(project), "LEADER_TITLE")
    assert finding.message == "项目负责人须具有副高级及以上职称，当前为“主治医师”（中级）。"


# LEADER_EXPERIENCE — 既往曾担任过国家级或省（会）级继续医学教育项目的负责人 (004 §五.1)


def test_a_leader_who_led_a_provincial_project_may_lead_a_national_one(cast, project):
    bare_project(
        cast, name="胸痛中心建设培训班", year=2022, state=State.COMPLETED, leader=project.leader
    )
    assert _check(valid_declaration(cast, level=Level.NATIONAL)) == []


def test_a_first_time_leader_may_not_lead_a_national_project(cast, project):
    bare_project(  # a refused declaration is no experience
        cast, name="胸痛中心建设培训班", year=2022, state=State.REJECTED, leader=project.leader
    )
    (finding,) = _only(_check(valid_declaration(cast, level=Level.NATIONAL)), "LEADER_EXPERIENCE")
    assert "王建国" in finding.message


def test_a_provincial_project_needs_no_earlier_experience(project):
    assert "LEADER_EXPERIENCE" not in rule_ids(_check(project))


# LEADER_QUOTA — 项目负责人每年新申报项目不得超过2项（基地项目负责人不受此限） (004 §五.5)


@pytest.fixture
def national(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return national_declaration(cast)


def test_the_leader_quota_is_a_national_requirement(cast, project):
    bare_project(cast, name="院前急救技能培训班", leader=project.leader)
    bare_project(cast, name="急诊超声学习班", leader=project.leader)
    assert "LEADER_QUOTA" not in rule_ids(_check(project))


def test_a_second_new_project_by_the_same_leader_is_accepted(cast, national):
    bare_project(cast, name="院前急救技能培训班", leader=national.leader)
    bare_project(cast, name="急诊超声学习班", leader=national.leader, state=State.DRAFT)
    bare_project(cast, name="急诊护理新进展", leader=national.leader, kind=Kind.FILING)
    assert _check(national) == []


def test_third_new_project_by_same_leader_is_refused(cast, national):
    bare_project(cast, name="院前急救技能培训班", leader=national.leader)
    bare_project(cast, name="急诊超声学习班", leader=national.leader, state=State.APPROVED)
    (finding,) = _only(_check(national), "LEADER_QUOTA")
    assert "不得超过2项" in finding.message
    assert "院前急救技能培训班" in finding.message


def test_a_base_project_leader_is_not_limited(cast, national):
    bare_project(cast, name="院前急救技能培训班", leader=national.leader)
    bare_project(cast, name="急诊超声学习班", leader=national.leader)
    national.form = Project.Form.BASE
    national.save(update_fields=["form"])
    assert _check(national) == []


# LEADER_TEACHES — 项目负责人参与授课和项目执行 (004 §五.2; 002 附件1.2)


def _drop_leaders_lessons(project) -> None:
    Lesson.objects.filter(project=project, teacher__is_leader=True).delete()
    # 2 学时 left give 0.3 credits (CREDITS_HOURS)
    Project.objects.filter(pk=project.pk).update(credits=Decimal("0.3"))


def test_a_leader_found_by_person_teaches_even_unticked(project):
    Teacher.objects.filter(project=project, is_leader=True).update(is_leader=False)
    assert _check(project) == []


def test_a_leader_who_does_not_teach_is_refused(project):
    _drop_leaders_lessons(project)
    (finding,) = _only(_check(project), "LEADER_TEACHES")
    assert finding.field == "lessons"


def test_a_base_project_leader_need_not_teach(project):
    _drop_leaders_lessons(project)
    project.form = Project.Form.BASE
    project.save(update_fields=["form"])
    assert _check(project) == []
