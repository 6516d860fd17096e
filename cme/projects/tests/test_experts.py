"""Issue 4 §7: experts by discipline score national new declarations; never one of their
own unit; the office decides from the scores, with the project's record in view."""

import pytest
from django.urls import reverse

from cme.accounts.models import Role
from cme.core.errors import DomainError, PermissionDenied
from cme.demo.builders import user
from cme.policy.models import Discipline
from cme.projects import actions, experts
from cme.projects.expert_models import Expert
from cme.projects.models import Level, Project, ReviewStep


@pytest.fixture(autouse=True)
def _rules_pass(monkeypatch):
    monkeypatch.setattr(actions, "check_declaration", lambda project, at=None: [])


def make_expert(cast, key, unit, codes=("04",)):
    account = user(key, "专家" + key, unit, Role.EXPERT, cast.password)
    return Expert.objects.create(
        user=account,
        name="专家" + key,
        organisation=unit,
        title="主任医师",
        discipline_codes=list(codes),
    )


@pytest.fixture
def national(cast):
    """A national new declaration of 湖南省人民医院 waiting for the national office."""
    admin = cast.users["provincial_admin"]
    project = actions.start_declaration(
        actor=admin,
        declared_by=cast.provincial_hospital,
        year=2024,
        level=Level.NATIONAL,
        name="胸痛中心建设",
    )
    actions.save_draft(
        project,
        {"discipline": Discipline.objects.get(year=2022, secondary_code="04", tertiary_code="08")},
        actor=admin,
    )
    project = actions.submit_declaration(project, actor=admin)
    actions.decide(
        actions.current_step(project),
        actor=cast.users["province"],
        decision=ReviewStep.Decision.APPROVED,
    )
    return Project.objects.get(pk=project.pk)


def test_candidates_are_of_the_discipline_and_never_of_the_sponsor(cast, national):
    outside = make_expert(cast, "e1", cast.city_hospital)
    make_expert(cast, "e2", cast.zhuzhou_hospital, codes=("12",))  # another discipline group
    own = make_expert(cast, "e3", cast.provincial_hospital)
    assert list(experts.experts_for(national)) == [outside]
    with pytest.raises(DomainError) as exc:
        experts.assign_experts(national, [own], actor=cast.users["national"])
    assert exc.value.code == "EXPERT_OWN_UNIT"


def test_only_the_office_whose_step_waits_assigns(cast, national):
    outside = make_expert(cast, "e1", cast.city_hospital)
    with pytest.raises(PermissionDenied):
        experts.assign_experts(national, [outside], actor=cast.users["province"])
    assert len(experts.assign_experts(national, [outside], actor=cast.users["national"])) == 1


def test_experts_score_and_the_office_sees_the_summary(cast, national, login):
    first, second = (
        make_expert(cast, "e1", cast.city_hospital),
        make_expert(cast, "e2", cast.zhuzhou_hospital),
    )
    reviews = experts.assign_experts(national, [first, second], actor=cast.users["national"])
    experts.submit_review(
        reviews[0], actor=first.user, score=86, recommendation="approve", opinion="内容前沿"
    )
    with pytest.raises(PermissionDenied):
        experts.submit_review(
            reviews[1], actor=first.user, score=10, recommendation="reject", opinion="x"
        )
    summary = experts.score_summary(national)
    assert (summary["scored"], summary["assigned"], summary["mean"], summary["approve"]) == (
        1,
        2,
        86,
        1,
    )

    client = login("national")
    body = client.get(reverse("project_experts:assign", args=[national.pk])).content.decode()
    assert "平均分 86" in body and "专家e2" in body
    client.force_login(second.user)
    assert client.get(reverse("project_experts:score", args=[reviews[0].pk])).status_code == 404
    page = client.get(reverse("project_experts:score", args=[reviews[1].pk]))
    assert page.status_code == 200 and "胸痛中心建设" in page.content.decode()
    response = client.post(
        reverse("project_experts:score", args=[reviews[1].pk]),
        {"score": 70, "recommendation": "approve", "opinion": "可行"},
    )
    assert response.status_code == 302
    assert experts.score_summary(national)["mean"] == 78


def test_other_city_cannot_open_the_assignment_page(cast, national, login):
    assert (
        login("zhuzhou").get(reverse("project_experts:assign", args=[national.pk])).status_code
        == 404
    )
    assert login("city_admin").get(reverse("project_experts:mine")).status_code == 403
