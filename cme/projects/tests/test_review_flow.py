"""SPEC §3, §4.2: a declaration goes up its review chain; each reviewer approves (forwards),
returns with comments, or rejects; the last approval numbers the project."""

import pytest

from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.policy.models import Discipline
from cme.projects import actions
from cme.projects.models import Kind, Level, Project, ReviewStep, State
from cme.projects.queries import review_queue_for

Stage, Decision = ReviewStep.Stage, ReviewStep.Decision


@pytest.fixture(autouse=True)
def _rules_pass(monkeypatch):
    """These tests are about the flow; the rules have tests of their own."""
    monkeypatch.setattr(actions, "check_declaration", lambda project, at=None: [])


def declare(
    cast,
    unit_key="county_admin",
    unit=None,
    level=Level.PROVINCIAL,
    kind=Kind.NEW,
    name="急危重症救治新进展学习班",
    **extra,
):
    user = cast.users[unit_key]
    unit = unit or user.membership.organisation
    project = actions.start_declaration(
        actor=user, declared_by=unit, year=2024, level=level, kind=kind, name=name, **extra
    )
    actions.save_draft(
        project,
        {"discipline": Discipline.objects.get(year=2022, secondary_code="04", tertiary_code="08")},
        actor=user,
    )
    return actions.submit_declaration(project, actor=user)


def steps(project):
    return [
        (s.stage, s.reviewer.name)
        for s in project.review_steps.filter(
            round=project.review_steps.order_by("-round").first().round
        )
    ]


def approve_all(project, cast, *keys):
    for key in keys:
        step = actions.current_step(Project.objects.get(pk=project.pk))
        actions.decide(step, actor=cast.users[key], decision=Decision.APPROVED)
    return Project.objects.get(pk=project.pk)


def test_county_licensed_unit_goes_county_city_province_and_is_numbered(cast):
    project = declare(cast)
    assert project.state == State.UNDER_REVIEW
    assert steps(project) == [
        (Stage.COUNTY, "长沙市芙蓉区卫生健康局"),
        (Stage.CITY, "长沙市卫生健康委员会"),
        (Stage.PROVINCE, "湖南省卫生健康委员会"),
    ]
    assert [s.project for s in review_queue_for(cast.users["furong"])] == [project]
    assert list(review_queue_for(cast.users["changsha"])) == []  # not its turn yet
    project = approve_all(project, cast, "furong", "changsha", "province")
    assert project.state == State.APPROVED
    assert project.number == "2024-04-08-001(湘)"


def test_filing_projects_get_the_citys_formal_review_only(cast):
    previous = Project.objects.create(
        year=2023,
        level=Level.PROVINCIAL,
        kind=Kind.NEW,
        name="旧项目",
        sponsor=cast.city_hospital,
        declared_by=cast.city_hospital,
        created_by=cast.users["city_admin"],
        state=State.COMPLETED,
    )
    project = declare(cast, "city_admin", kind=Kind.FILING, previous=previous)
    assert steps(project) == [
        (Stage.CITY_FORMAL, "长沙市卫生健康委员会"),
        (Stage.PROVINCE, "湖南省卫生健康委员会"),
    ]
    assert project.name == "旧项目" and project.previous == previous


def test_national_projects_end_with_the_national_office(cast):
    project = declare(cast, "provincial_admin", level=Level.NATIONAL)
    assert [s for s, _ in steps(project)] == [Stage.PROVINCE, Stage.NATIONAL]
    project = approve_all(project, cast, "province", "national")
    assert project.number == "2024-04-08-001(国)"


def test_a_branch_declares_under_its_society_which_reviews_first(cast):
    project = declare(cast, "secretary")
    assert project.sponsor == cast.society and project.declared_by == cast.branch
    assert steps(project) == [
        (Stage.SOCIETY, "湖南省医学会"),
        (Stage.PROVINCE, "湖南省卫生健康委员会"),
    ]
    with pytest.raises(PermissionDenied):
        actions.decide(
            actions.current_step(project), actor=cast.users["province"], decision=Decision.APPROVED
        )
    assert approve_all(project, cast, "society_admin", "province").state == State.APPROVED


def test_a_city_level_project_stops_at_the_city(cast):
    project = declare(cast, "county_admin", level=Level.CITY)
    assert [s for s, _ in steps(project)] == [Stage.COUNTY, Stage.CITY]
    assert approve_all(project, cast, "furong", "changsha").number == "2024-04-08-001(长沙市)"


def test_returned_with_comments_comes_back_editable_and_goes_round_again(cast):
    project = declare(cast)
    step = actions.current_step(project)
    with pytest.raises(DomainError):
        actions.decide(step, actor=cast.users["furong"], decision=Decision.RETURNED)
    actions.decide(
        step,
        actor=cast.users["furong"],
        decision=Decision.RETURNED,
        comment="请补充需求分析",
        field_comments={"needs_analysis": "未说明调查来源"},
    )
    project.refresh_from_db()
    assert project.state == State.RETURNED
    assert project.review_steps.get(decision=Decision.RETURNED).field_comments == {
        "needs_analysis": "未说明调查来源"
    }
    actions.save_draft(
        project, {"needs_analysis": "问卷调查 200 份"}, actor=cast.users["county_admin"]
    )
    project = actions.submit_declaration(project, actor=cast.users["county_admin"])
    assert project.review_steps.filter(round=2).count() == 3


def test_rejection_ends_the_declaration(cast):
    project = declare(cast)
    approve_all(project, cast, "furong")
    actions.decide(
        actions.current_step(project),
        actor=cast.users["changsha"],
        decision=Decision.REJECTED,
        comment="内容重复",
    )
    project.refresh_from_db()
    assert project.state == State.REJECTED and actions.current_step(project) is None


def test_other_city_cannot_decide_and_sees_nothing(cast):
    project = declare(cast)
    with pytest.raises(PermissionDenied):
        actions.decide(
            actions.current_step(project), actor=cast.users["zhuzhou"], decision=Decision.APPROVED
        )
    assert list(review_queue_for(cast.users["zhuzhou"])) == []


def test_a_stale_step_cannot_be_decided_twice(cast):
    project = declare(cast)
    step = actions.current_step(project)
    actions.decide(step, actor=cast.users["furong"], decision=Decision.APPROVED)
    with pytest.raises(Conflict):
        actions.decide(step, actor=cast.users["furong"], decision=Decision.APPROVED)


def test_numbers_are_distinct_and_gap_free_per_discipline_and_year(cast):
    numbers = []
    for i in range(3):
        project = declare(cast, "provincial_admin", name="项目{}".format(i))
        numbers.append(approve_all(project, cast, "province").number)
    assert numbers == ["2024-04-08-001(湘)", "2024-04-08-002(湘)", "2024-04-08-003(湘)"]


def test_the_leader_becomes_the_first_teacher(cast):
    user = cast.users["city_admin"]
    project = actions.start_declaration(
        actor=user, declared_by=cast.city_hospital, year=2024, level=Level.PROVINCIAL, name="x"
    )
    actions.replace_content(
        project,
        {"teachers": [{"name": "外院专家", "unit_name": "湘雅医院", "title": "主任医师"}]},
        actor=user,
    )
    actions.save_draft(project, {"leader": cast.persons["doctor"]}, actor=user)
    teachers = list(project.teachers.order_by("order"))
    assert [(t.name, t.is_leader) for t in teachers] == [("王建国", True), ("外院专家", False)]
