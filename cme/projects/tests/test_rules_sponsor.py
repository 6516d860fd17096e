"""Who may declare, and when (000 §一, §三.1-4; 002 §一, §四.三; 003 §十; 004 §六.1, §七.3).

Each test breaks one thing of the valid declaration and expects exactly that rule id."""

import datetime

import pytest

from cme.orgs.models import Organisation
from cme.projects.models import Kind, Level, State
from cme.projects.rules import check_declaration
from cme.projects.tests.factories import (
    IN_WINDOW,
    SHANGHAI,
    bare_project,
    fresh,
    in_window,
    open_window,
    rule_ids,
    valid_declaration,
)
from cme.supervision.models import Sanction, UnitQuota


@pytest.fixture
def project(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    return valid_declaration(cast)


def _check(project, **kwargs):
    return check_declaration(fresh(project), **kwargs)


def _only(findings, rule_id: str):
    assert rule_ids(findings) == {rule_id}, [f.message for f in findings]
    return findings


def _set_sponsor(cast, **fields) -> None:
    Organisation.objects.filter(pk=cast.city_hospital.pk).update(**fields)


# WINDOW_CLOSED — 逾期不予受理 (000 §一; 002 §一)


def test_a_declaration_inside_the_provinces_window_is_accepted(project):
    assert "WINDOW_CLOSED" not in rule_ids(_check(project))


def test_a_declaration_after_the_deadline_is_refused(project, time_machine):
    time_machine.move_to(datetime.datetime(2023, 12, 1, 9, tzinfo=SHANGHAI), tick=False)
    (finding,) = _only(_check(project), "WINDOW_CLOSED")
    assert "2023年11月30日23:59" in finding.message
    assert "逾期不予受理" in finding.message


def test_a_citys_earlier_internal_deadline_binds_its_units(cast, project):
    open_window(
        cast.changsha,
        year=2024,
        level=Level.PROVINCIAL,
        kind=Kind.NEW,
        closes=datetime.datetime(2023, 11, 10, 17, tzinfo=SHANGHAI),
    )
    (finding,) = _only(_check(project), "WINDOW_CLOSED")
    assert "长沙市卫生健康委员会" in finding.message


def test_no_window_configured_counts_as_closed(cast, project):
    cast.province.declaration_windows.all().delete()
    (finding,) = _only(_check(project), "WINDOW_CLOSED")
    assert "尚未设置" in finding.message


def test_a_submitted_declaration_is_judged_at_its_submission_time(project, time_machine):
    project.submitted_at = IN_WINDOW
    project.state = State.UNDER_REVIEW
    project.save(update_fields=["submitted_at", "state"])
    time_machine.move_to(datetime.datetime(2024, 3, 1, tzinfo=SHANGHAI), tick=False)
    assert _check(project) == []


# SPONSOR_KIND — 申办单位须为医疗卫生或相关的教学、科研等机构 (000 §三.2; 004 §六.1)


@pytest.mark.parametrize("kind", ["teaching", "research", "other"])
def test_teaching_research_and_other_permitted_bodies_may_sponsor(cast, project, kind):
    _set_sponsor(cast, kind=kind)
    assert "SPONSOR_KIND" not in rule_ids(_check(project))


@pytest.mark.parametrize("kind", ["authority", "distance"])
def test_a_health_authority_or_distance_provider_may_not_sponsor(cast, project, kind):
    _set_sponsor(cast, kind=kind)
    (finding,) = _only(_check(project), "SPONSOR_KIND")
    assert "长沙市第一医院" in finding.message


# SPONSOR_LICENSE — 暂缓校验或被撤销《医疗机构执业许可证》 (000 §三.2)


def test_a_hospital_with_a_valid_licence_may_declare(cast, project):
    _set_sponsor(cast, licence_status="valid")
    assert "SPONSOR_LICENSE" not in rule_ids(_check(project))


@pytest.mark.parametrize(("status", "words"), [("suspended", "暂缓校验"), ("revoked", "撤销")])
def test_a_suspended_or_revoked_licence_bars_declaring(cast, project, status, words):
    _set_sponsor(cast, licence_status=status)
    (finding,) = _only(_check(project), "SPONSOR_LICENSE")
    assert words in finding.message


# SPONSOR_INSPECTION — 年检不合格或被注销法人身份 (000 §三.2; 001; 004 §六.1)


def test_a_unit_that_passed_its_inspection_may_declare(cast, project):
    _set_sponsor(cast, inspection_result="passed", status="active")
    assert "SPONSOR_INSPECTION" not in rule_ids(_check(project))


@pytest.mark.parametrize(
    "fields",
    [
        {"inspection_result": "failed"},
        {"inspection_result": "cancelled"},
        {"status": "deregistered"},
    ],
)
def test_a_failed_inspection_or_deregistration_bars_declaring(cast, project, fields):
    _set_sponsor(cast, **fields)
    _only(_check(project), "SPONSOR_INSPECTION")


# SPONSOR_NAME — 单位名称不符合国家有关规定 (004 §六.1)


def test_a_compliant_name_may_declare(project):
    assert "SPONSOR_NAME" not in rule_ids(_check(project))


def test_a_unit_whose_name_breaks_national_rules_may_not_declare(cast, project):
    _set_sponsor(cast, name_compliant=False)
    (finding,) = _only(_check(project), "SPONSOR_NAME")
    assert "更名" in finding.message


# SPONSOR_SANCTIONED — 取消1～3年申报资格; 暂停项目负责人下年度申报资格 (004 §七.3; 003 §十)


def _sanction(cast, kind, years, **subject) -> Sanction:
    return Sanction.objects.create(
        kind=kind,
        from_year=years[0],
        to_year=years[1],
        reason="2022年度项目弄虚作假，违规申报",
        decided_by=cast.province,
        recorded_by=cast.users["province"],
        decided_on=datetime.date(2023, 6, 1),
        **subject,
    )


def test_a_sanction_that_has_run_out_or_was_revoked_no_longer_bars(cast, project):
    _sanction(cast, Sanction.Kind.BAR_UNIT, (2022, 2023), organisation=cast.city_hospital)
    revoked = _sanction(cast, Sanction.Kind.BAR_UNIT, (2024, 2025), organisation=cast.city_hospital)
    revoked.revoked_at = IN_WINDOW
    revoked.save(update_fields=["revoked_at"])
    _sanction(cast, Sanction.Kind.NOTIFICATION, (2024, 2024), organisation=cast.city_hospital)
    assert _check(project) == []


def test_a_unit_barred_for_this_year_may_not_declare(cast, project):
    _sanction(cast, Sanction.Kind.BAR_UNIT, (2024, 2025), organisation=cast.city_hospital)
    (finding,) = _only(_check(project), "SPONSOR_SANCTIONED")
    assert finding.field == "sponsor"
    assert "2024—2025年度" in finding.message
    assert "弄虚作假" in finding.message


def test_a_leader_suspended_for_this_year_may_not_lead(cast, project):
    _sanction(cast, Sanction.Kind.SUSPEND_LEADER, (2024, 2024), person=cast.persons["doctor"])
    (finding,) = _only(_check(project), "SPONSOR_SANCTIONED")
    assert finding.field == "leader"
    assert "王建国" in finding.message
    assert "2024年度" in finding.message


def test_a_barred_branch_may_not_declare_through_its_society(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    project = valid_declaration(
        cast, name="急诊创伤救治技能提升班", sponsor=cast.society, declared_by=cast.branch
    )
    _sanction(cast, Sanction.Kind.BAR_UNIT, (2024, 2024), organisation=cast.branch)
    (finding,) = _only(_check(project), "SPONSOR_SANCTIONED")
    assert finding.field == "declared_by"


# DUPLICATE_PROJECT — 同一项目只能通过第一申办单位申报，不得重复申报 (000 §三.3; 004 §六.1)


@pytest.mark.parametrize("state", [State.DRAFT, State.REJECTED])
def test_a_draft_or_refused_twin_is_not_a_duplicate(cast, project, state):
    bare_project(cast, leader=cast.persons["doctor"], state=state)
    assert _check(project) == []


def test_a_same_named_project_of_last_year_is_not_a_duplicate(cast, project):
    bare_project(cast, year=2023, leader=cast.persons["doctor"], state=State.COMPLETED)
    assert "DUPLICATE_PROJECT" not in rule_ids(_check(project))


def test_the_same_name_leader_level_and_year_is_a_duplicate(cast, project):
    bare_project(cast, leader=cast.persons["doctor"])
    (finding,) = _only(_check(project), "DUPLICATE_PROJECT")
    assert "不得重复申报" in finding.message


def test_the_same_project_from_another_unit_is_a_duplicate(cast, project):
    bare_project(cast, sponsor=cast.zhuzhou_hospital, state=State.APPROVED)
    (finding,) = _only(_check(project), "DUPLICATE_PROJECT")
    assert "株洲市中心医院" in finding.message


def test_a_project_declared_both_as_new_and_as_filing_is_a_duplicate(cast, project):
    bare_project(cast, kind=Kind.FILING)
    (finding,) = _only(_check(project), "DUPLICATE_PROJECT")
    assert "新申报项目或备案项目" in finding.message


# NOT_FIRST_SPONSOR — 可申报本单位作为唯一或第一主办单位的项目 (000 §三.3)


def test_the_first_of_several_sponsors_declares(project):
    project.co_sponsors = "湖南省人民医院"
    project.save(update_fields=["co_sponsors"])
    assert _check(project) == []


def test_a_unit_may_not_declare_for_another_first_sponsor(project):
    project.sponsor_is_first = False
    project.save(update_fields=["sponsor_is_first"])
    _only(_check(project), "NOT_FIRST_SPONSOR")


# QUOTA_EXCEEDED — 执行率低于平均水平的单位将削减其上报或批准的数量 (000 §三.4)


def _quota(cast, quota: int) -> UnitQuota:
    return UnitQuota.objects.create(
        unit=cast.city_hospital,
        year=2024,
        level=Level.PROVINCIAL,
        quota=quota,
        reason="2022年度项目执行率低于全省平均水平",
    )


def test_new_declarations_within_the_quota_are_accepted(cast, project):
    _quota(cast, 2)
    bare_project(cast, name="院前急救技能培训班")
    bare_project(cast, name="急诊护理新进展", kind=Kind.FILING)  # filings do not count
    assert _check(project) == []


def test_a_new_declaration_beyond_the_units_quota_is_refused(cast, project):
    _quota(cast, 1)
    bare_project(cast, name="院前急救技能培训班")
    (finding,) = _only(_check(project), "QUOTA_EXCEEDED")
    assert "执行率" in finding.message
    assert "名额为1项" in finding.message


# MEETING_NOT_PROJECT — 学术年会……不再重复进行省级继教项目申报 (002 §四.三)


def _branch_meeting(cast, year: int = 2024, **fields):
    return valid_declaration(
        cast,
        year=year,
        sponsor=cast.society,
        declared_by=cast.branch,
        **{"name": "湖南省医学会急诊医学专业委员会{y}年学术年会".format(y=year), **fields},
    )


def test_a_hospitals_training_course_named_after_its_meeting_is_not_concerned(cast, project):
    project.name = "长沙市第一医院急诊医学年会暨胸痛规范化诊治学习班"
    project.save(update_fields=["name"])
    assert _check(project) == []


def test_a_branch_annual_meeting_before_2024_could_still_be_declared(cast):
    project = _branch_meeting(cast, year=2021)
    assert _check(project, at=in_window(2021)) == []


def test_a_branch_annual_meeting_is_not_declared_as_a_provincial_project(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    (finding,) = _only(_check(_branch_meeting(cast)), "MEETING_NOT_PROJECT")
    assert finding.level == "error"
    assert "5分" in finding.message
    assert "学术计划" in finding.message


def test_a_meeting_marked_as_such_is_caught_whatever_its_name(cast, time_machine):
    time_machine.move_to(IN_WINDOW, tick=False)
    project = _branch_meeting(cast, name="急诊医学学术交流会", is_annual_meeting=True)
    _only(_check(project), "MEETING_NOT_PROJECT")


def test_the_same_name_on_an_imported_list_of_the_year_is_a_duplicate(cast, project):
    from cme.projects.models import PublishedProject
    from cme.projects.published import name_key

    PublishedProject.objects.create(
        year=2024,
        level=Level.NATIONAL,
        number="2024-04-08-118(国)",
        name=" 急性胸痛规范化诊治新进展学习班",
        name_key=name_key("急性胸痛规范化诊治新进展学习班"),
        sponsor_name="北京某医院",
        imported_by=cast.users["province"],
        imported_at=IN_WINDOW,
    )
    [finding] = _only(_check(project), "DUPLICATE_PROJECT")
    assert "2024-04-08-118(国)" in finding.message and "北京某医院" in finding.message


def test_an_imported_entry_of_another_year_is_no_duplicate(cast, project):
    from cme.projects.models import PublishedProject
    from cme.projects.published import name_key

    PublishedProject.objects.create(
        year=2023,
        level=Level.NATIONAL,
        number="2023-04-08-118(国)",
        name="急性胸痛规范化诊治新进展学习班",
        name_key=name_key("急性胸痛规范化诊治新进展学习班"),
        imported_by=cast.users["province"],
        imported_at=IN_WINDOW,
    )
    assert _check(project) == []
