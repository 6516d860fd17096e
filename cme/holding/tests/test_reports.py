"""Issue 5 §6-7: the execution report (001 附件2-3) within 14 days after the session ends,
late ones flagged; the learner evaluation consistent with the participants (question 7 at
most two choices); levels 1-3 of the effect evaluation required; review within 14 days:
approve makes the credits valid, return sends it back with reasons."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.credits.models import CreditRecord
from cme.holding import reports
from cme.holding.models import ExecutionReport
from cme.holding.tests.factories import attend, held_session, pre_reported
from cme.projects.models import State

UTC = datetime.UTC
AFTER = datetime.date(2024, 5, 12)  # the day after the session (10-11 May 2024)


def counts(n, q7=None):
    """Every learner answered the first choice of questions 1-6."""
    values = {q.key: {q.choices[0]: n} for q in reports.QUESTIONS[:6]}
    values["q7"] = q7 if q7 is not None else {"开阔思路": n, "提高临床诊治能力": n}
    return values


def complete(cast, report, n=2):
    return reports.save_report(
        report,
        actor=cast.users["city_admin"],
        effect_analysis="学员掌握了胸痛分诊流程，课后测试合格率95%。",
        problems="实践操作时间偏少，建议增加模拟演练。",
        respondents=n,
        evaluation_counts=counts(n),
        effect_levels={"1": "到课率98%", "2": "满意度96%", "3": "课后测试平均86分"},
        schedule=ContentFile(b"%PDF-1.4\n", name="schedule.pdf"),
        exam=ContentFile(b"%PDF-1.4\n", name="exam.pdf"),
    )


@pytest.fixture
def session(cast):
    session = pre_reported(cast, held_session(cast))
    attend(session, cast.persons["nurse"])
    attend(session, cast.persons["county_doctor"])
    return session


@pytest.fixture
def report(cast, session):
    return reports.open_report(session, actor=cast.users["city_admin"], today=AFTER)


def at(day):
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC)


def test_the_report_opens_after_the_session_due_14_days_later_reviewed_by_the_province(
    cast, session, report
):
    with pytest.raises(DomainError) as exc:
        reports.open_report(
            session, actor=cast.users["city_admin"], today=datetime.date(2024, 5, 10)
        )
    assert exc.value.code == "REPORT_TOO_EARLY"
    assert report.due_on == datetime.date(2024, 5, 25)
    assert report.reviewer == cast.province


def test_an_incomplete_report_is_refused_naming_what_is_missing(cast, report):
    with pytest.raises(DomainError) as exc:
        reports.submit_report(report, actor=cast.users["city_admin"])
    message = exc.value.message
    for missing in ("实际培训效果分析", "第1-3层次", "考试试题", "参加评估的学员人数"):
        assert missing in message


def test_evaluation_counts_must_agree_with_the_participants():
    problems = reports.evaluation_problems(counts(3), respondents=3, participants=2)
    assert any("超过学员人数" in p for p in problems)
    uneven = counts(2) | {"q1": {"是": 1}}
    assert any("第1题" in p for p in reports.evaluation_problems(uneven, 2, 2))
    three_each = counts(2, q7={"开阔思路": 2, "提高临床诊治能力": 2, "提高理论水平": 1})
    assert any("第7题每人最多选2项" in p for p in reports.evaluation_problems(three_each, 2, 2))
    assert reports.evaluation_problems(counts(2), 2, 2) == []


def test_a_learner_choosing_three_answers_to_question_7_is_refused(cast, session):
    nurse = cast.persons["nurse"]
    nurse.user = cast.users["learner"]
    nurse.save(update_fields=["user"])
    attendee = session.attendees.get(person=nurse)
    answers = {q.key: q.choices[0] for q in reports.QUESTIONS[:6]}
    with pytest.raises(DomainError) as exc:
        reports.submit_evaluation(
            attendee,
            actor=cast.users["learner"],
            answers=answers | {"q7": ["开阔思路", "提高理论水平", "提高操作能力"]},
        )
    assert exc.value.code == "EVALUATION_Q7_TWO"
    reports.submit_evaluation(
        attendee, actor=cast.users["learner"], answers=answers | {"q7": ["开阔思路"]}
    )
    respondents, tally = reports.counts_from_learners(
        reports.open_report(session, actor=cast.users["city_admin"], today=AFTER)
    )
    assert respondents == 1 and tally["q7"]["开阔思路"] == 1 and tally["q1"]["是"] == 1


def test_national_projects_also_fill_the_textbook_form(cast, report):
    project = report.session.project
    project.level = "national"
    project.save(update_fields=["level"])
    complete(cast, report)
    assert any("教材" in p for p in reports.report_problems(report))


def test_submitting_late_is_flagged_and_the_credits_wait_for_the_review(cast, report):
    complete(cast, report)
    reports.submit_report(report, actor=cast.users["city_admin"], at=at(datetime.date(2024, 5, 27)))
    report.refresh_from_db()
    assert report.state == ExecutionReport.State.SUBMITTED and report.late
    assert report.review_due_on == datetime.date(2024, 6, 10)
    statuses = set(
        CreditRecord.objects.filter(session=report.session).values_list("status", flat=True)
    )
    assert statuses == {CreditRecord.Status.PENDING}
    with pytest.raises(DomainError):
        reports.save_report(report, actor=cast.users["city_admin"], problems="改一下")


def test_approval_makes_the_credits_valid_and_completes_the_project(cast, report):
    complete(cast, report)
    reports.submit_report(report, actor=cast.users["city_admin"], at=at(AFTER))
    with pytest.raises(PermissionDenied):
        reports.decide_report(report, actor=cast.users["changsha"], approve=True)
    reports.decide_report(report, actor=cast.users["province"], approve=True)
    records = CreditRecord.objects.filter(session=report.session)
    assert {r.status for r in records} == {CreditRecord.Status.VALID}
    assert all(r.reviewed_by == cast.users["province"] for r in records)
    with pytest.raises(Conflict):  # a second reviewer deciding the same report
        reports.decide_report(report, actor=cast.users["province"], approve=False, reason="x")
    project = report.session.project
    project.refresh_from_db()
    assert project.state == State.HELD  # one of the two approved sessions reported
    project.sessions_planned = 1
    project.save(update_fields=["sessions_planned"])
    reports._complete_if_all_reported(project)
    project.refresh_from_db()
    assert project.state == State.COMPLETED


def test_a_returned_report_needs_a_reason_and_can_be_corrected_and_resubmitted(cast, report):
    complete(cast, report)
    reports.submit_report(report, actor=cast.users["city_admin"], at=at(AFTER))
    with pytest.raises(DomainError):
        reports.decide_report(report, actor=cast.users["province"], approve=False, reason=" ")
    reports.decide_report(
        report, actor=cast.users["province"], approve=False, reason="考试试题与课程内容不符"
    )
    report.refresh_from_db()
    assert report.state == ExecutionReport.State.RETURNED
    assert report.return_reason == "考试试题与课程内容不符"
    complete(cast, report)
    reports.submit_report(report, actor=cast.users["city_admin"], at=at(AFTER))
    report.refresh_from_db()
    assert report.state == ExecutionReport.State.SUBMITTED and report.return_reason == ""


def test_once_reported_the_sessions_records_are_archived_for_three_years(cast, report):
    """004 §六.6: kept at least 3 years from the project's year; no delete before then."""
    from cme.holding.archive import archive_until

    complete(cast, report)
    reports.submit_report(report, actor=cast.users["city_admin"], at=at(AFTER))
    session = report.session
    assert archive_until(session.project) == datetime.date(2027, 12, 31)
    for doomed in (session.attendees.all(), session.pre_reports.all(), session.lessons.all()):
        with pytest.raises(DomainError) as exc, transaction.atomic():
            doomed.delete()
        assert exc.value.code == "ARCHIVE_KEPT" and "2027-12-31" in exc.value.message
    assert session.attendees.count() == 2
