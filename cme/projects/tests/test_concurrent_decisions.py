"""Issue 8 §4: two reviewers deciding the same item at the same moment give one decision,
and the other is told, in Chinese, that someone else decided it first (not a 500).

The threaded tests need PostgreSQL's row locks (SQLite serialises writers, so there is no
race to lose); the page test runs everywhere."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from cme.accounts.actions import decide_account_application
from cme.accounts.models import Role
from cme.core.errors import Conflict
from cme.demo.builders import user
from cme.projects import actions
from cme.projects.models import Project, ReviewStep, State
from cme.projects.tests.test_review_flow import declare

Decision = ReviewStep.Decision
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks"
)


@pytest.fixture(autouse=True)
def _rules_pass(monkeypatch):
    monkeypatch.setattr(actions, "check_declaration", lambda project, at=None: [])


def second_reviewer(cast, org, role, key):
    return user(key, org.name + "另一位审核人", org, role, "Demo@2026x")


def race(*calls):
    """Run each call in its own thread and connection, released together by a barrier;
    returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # the loser's Conflict, or a bug reported by the assert
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_reviewers_deciding_one_step_at_once_give_one_decision(cast, attempt):
    project = declare(cast)
    step = actions.current_step(project)
    other = second_reviewer(cast, cast.furong, Role.COUNTY_REVIEWER, "furong2")

    outcomes = race(
        lambda: actions.decide(step, actor=cast.users["furong"], decision=Decision.APPROVED),
        lambda: actions.decide(
            step, actor=other, decision=Decision.RETURNED, comment="请补充授课教师资料。"
        ),
    )

    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], Conflict), outcomes
    assert losers[0].message == "该事项已被他人处理，请刷新后查看最新状态。"
    step.refresh_from_db()
    assert step.decision in {Decision.APPROVED, Decision.RETURNED}
    project.refresh_from_db()
    if step.decision == Decision.APPROVED:  # on to the city, one waiting step
        assert project.state == State.UNDER_REVIEW
        assert project.review_steps.filter(decision=Decision.WAITING).count() == 2
    else:
        assert project.state == State.RETURNED
    events = project_events(project)
    assert events == 1


def project_events(project):
    from cme.core.models import AuditEvent

    return AuditEvent.objects.filter(action="project.review", object_id=str(project.pk)).count()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_one_account_application_at_once(cast):
    from cme.accounts.tests.test_unit_accounts import new_application

    application = new_application(cast)
    other = second_reviewer(cast, cast.changsha, Role.CITY_REVIEWER, "changsha2")
    outcomes = race(
        lambda: decide_account_application(
            application, actor=cast.users["changsha"], decision="approve"
        ),
        lambda: decide_account_application(
            application, actor=other, decision="reject", reason="材料不全。"
        ),
    )
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], Conflict), outcomes
    application.refresh_from_db()
    assert application.state in {"approved", "rejected"}
    units = type(cast.changsha).objects.filter(uscc=application.uscc).count()
    assert units == (1 if application.state == "approved" else 0)


def test_the_reviewer_who_lost_sees_a_clear_message(cast, client):
    """The second reviewer had the page open and posts after the first decided."""
    project = declare(cast)
    step = actions.current_step(project)
    other = second_reviewer(cast, cast.furong, Role.COUNTY_REVIEWER, "furong2")
    client.force_login(other)
    page = client.get(reverse("projects:review", args=[step.pk]))
    assert page.status_code == 200

    actions.decide(step, actor=cast.users["furong"], decision=Decision.APPROVED)
    response = client.post(
        reverse("projects:review", args=[step.pk]),
        {"decision": Decision.RETURNED, "comment": "请补充授课教师资料。"},
        follow=True,
    )

    assert response.status_code == 200
    assert "该事项已被他人处理，请刷新后查看最新状态。" in response.content.decode()
    step.refresh_from_db()
    assert step.decision == Decision.APPROVED and step.decided_by == cast.users["furong"]
    assert Project.objects.get(pk=project.pk).state == State.UNDER_REVIEW
