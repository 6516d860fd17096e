"""Issue 7 §2: the 2023 execution indicators of a project, on hand-made data with known
answers, and the weighted score from the year's policy."""

import datetime
from decimal import Decimal

import pytest

from cme.holding.models import ExecutionReport, PreReport
from cme.holding.tests.factories import attend, held_session, pre_reported
from cme.projects.models import Project
from cme.stats.indicators import indicators_for


@pytest.fixture
def session(cast):
    s = held_session(cast, expected_participants=4)
    s.project.sessions_planned = 2
    s.project.save(update_fields=["sessions_planned"])
    return s


def test_indicators_from_the_holding_data(cast, session):
    pre_reported(cast, session)
    PreReport.objects.filter(session=session).update(late=True)  # all of them late
    for key in ("nurse", "doctor", "county_doctor", "zhuzhou_nurse"):
        attend(session, cast.persons[key])
    ExecutionReport.objects.create(
        session=session,
        state=ExecutionReport.State.SUBMITTED,
        due_on=datetime.date(2024, 5, 25),
        submitted_at=datetime.datetime(2024, 5, 20, tzinfo=datetime.UTC),
        reviewer=cast.province,
        evaluation_counts={
            "q4": {"很满意": 2, "满意": 1, "一般": 1},
            "q5": {"很满意": 4, "满意": 0, "一般": 0},
            "q6": {"很满意": 0, "满意": 2, "一般": 2},
        },
    )
    found = indicators_for(Project.objects.filter(pk=session.project_id))[session.project_id]
    assert found.learners == 4
    assert found.values["PRE_REPORT_TIMELY"] == 0
    assert found.values["REPORT_TIMELY"] == 1
    assert found.values["SESSIONS_HELD"] == Decimal("0.5")  # 1 of 2 planned
    assert found.values["LEARNERS"] == 1  # 4 of 4 expected
    assert found.values["OUT_OF_PROVINCE"] == 0  # 株洲 is in Hunan too
    assert found.percent("EVALUATION") == Decimal("75.0")  # 9 of 12 answers
    # (20×0 + 20×1 + 15×0.5 + 15×1 + 10×0 + 20×0.75) ÷ 100 weights
    assert found.score == Decimal("57.5")


def test_indicators_without_data_are_left_out_of_the_score(cast, session):
    found = indicators_for(Project.objects.filter(pk=session.project_id))[session.project_id]
    for key in ("PRE_REPORT_TIMELY", "REPORT_TIMELY", "OUT_OF_PROVINCE", "EVALUATION"):
        assert found.values[key] is None, key
    assert found.values["SESSIONS_HELD"] == Decimal("0.5")
    assert found.values["LEARNERS"] == 0
    assert found.score == Decimal("25.0")  # (15×0.5 + 15×0) ÷ 30
