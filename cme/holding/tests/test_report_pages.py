"""Issue 5 §3, §6-7, §10 through the pages: the change page computes the change live and
warns before saving beyond the limit; the sponsor fills and submits the execution report;
the reviewer's queue shows overdue reviews; learners evaluate (question 7: two at most);
the home page reminds each user what is due; another city sees none of it."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.holding import reports
from cme.holding.models import ExecutionReport
from cme.holding.tests.factories import attend, held_session, pre_reported

AFTER = datetime.datetime(2024, 5, 13, 10, tzinfo=datetime.UTC)


@pytest.fixture
def session(cast):
    session = pre_reported(cast, held_session(cast))
    attend(session, cast.persons["nurse"])
    attend(session, cast.persons["county_doctor"])
    return session


def lesson_post(session, **changed) -> dict:
    lessons = list(session.lessons.all())
    data = {
        k: []
        for k in (
            "planned",
            "topic",
            "teacher_name",
            "teacher_unit",
            "teacher_title",
            "title_level",
            "hours",
        )
    }
    for lesson in lessons:
        data["planned"].append(str(lesson.planned_id))
        data["topic"].append(lesson.topic)
        data["teacher_name"].append(changed.get(lesson.topic, lesson.teacher_name))
        data["teacher_unit"].append("")
        data["teacher_title"].append("主任医师")
        data["title_level"].append("5")
        data["hours"].append(str(lesson.hours))
    return data


def test_the_session_page_is_the_units_and_its_authorities_and_nobody_elses(login, session):
    url = reverse("holding:session_detail", args=[session.pk])
    assert login("city_admin").get(url).status_code == 200
    assert login("province").get(url).status_code == 200
    assert login("zhuzhou").get(url).status_code == 404
    assert (
        login("zhuzhou").get(reverse("holding:report_edit", args=[session.pk])).status_code == 404
    )


def test_the_change_is_computed_live_and_beyond_the_limit_needs_confirmation(login, session):
    client = login("city_admin")
    url = reverse("holding:session_changes", args=[session.pk])
    lessons = list(session.lessons.all())
    swap = {lessons[0].topic: "孙立新", lessons[2].topic: "钱学明"}  # 1 + 2 of 4 hours: 75%
    preview = client.post(
        url, lesson_post(session, **swap) | {"preview": "1"}, HTTP_HX_REQUEST="true"
    )
    assert "75.0%" in preview.content.decode() and "不授予学分" in preview.content.decode()
    refused = client.post(url, lesson_post(session, **swap))
    assert refused.status_code == 422 and "请勾选确认" in refused.content.decode()
    saved = client.post(url, lesson_post(session, **swap) | {"confirm": "1"})
    assert saved.status_code == 302
    assert session.lessons.filter(teacher_name="钱学明").exists()
    assert login("province").get(url).status_code == 403


def test_the_sponsor_fills_and_submits_the_report_and_the_reviewer_sees_it(login, cast, session):
    client = login("city_admin")
    with time_machine.travel(AFTER, tick=False):
        opened = client.post(reverse("holding:report_edit", args=[session.pk]))
        assert opened.status_code == 302
        form = {
            "effect_analysis": "学员掌握了胸痛分诊流程。",
            "problems": "实践时间偏少。",
            "respondents": "2",
            "level_1": "到课率100%",
            "level_2": "满意度95%",
            "level_3": "测试平均分86",
            "schedule": SimpleUploadedFile("日程.pdf", b"%PDF-1.4\n"),
            "exam": SimpleUploadedFile("试题.pdf", b"%PDF-1.4\n"),
            "submit": "1",
        }
        for q in reports.QUESTIONS[:6]:
            form[q.key + "_0"] = "2"
        form["q7_0"], form["q7_1"], form["q7_2"] = "2", "2", "1"  # five choices by two people
        refused = client.post(reverse("holding:report_edit", args=[session.pk]), form)
        assert refused.status_code == 422
        assert "第7题每人最多选2项" in refused.content.decode()
        form["q7_2"] = "0"
        form["schedule"].seek(0), form["exam"].seek(0)
        done = client.post(reverse("holding:report_edit", args=[session.pk]), form)
        assert done.status_code == 302
    report = ExecutionReport.objects.get(session=session)
    assert report.state == ExecutionReport.State.SUBMITTED and not report.late
    queue = login("province").get(reverse("holding:report_queue")).content.decode()
    assert session.project.name in queue
    assert (
        login("zhuzhou")
        .get(reverse("holding:report_queue"))
        .content.decode()
        .count(session.project.name)
        == 0
    )
    page = (
        login("province").get(reverse("holding:report_review", args=[session.pk])).content.decode()
    )
    assert "学员掌握了胸痛分诊流程" in page and "100.0%" in page


def test_an_overdue_review_is_marked_on_the_queue(login, cast, session):
    report = reports.open_report(session, actor=cast.users["city_admin"], today=AFTER.date())
    ExecutionReport.objects.filter(pk=report.pk).update(
        state=ExecutionReport.State.SUBMITTED,
        submitted_at=AFTER,
        review_due_on=datetime.date(2024, 5, 27),
    )
    with time_machine.travel(datetime.datetime(2024, 6, 1, 9, tzinfo=datetime.UTC), tick=False):
        page = login("province").get(reverse("holding:report_queue")).content.decode()
        home = login("province").get(reverse("home")).content.decode()
    assert "审核超期" in page
    assert "审核执行情况" in home and "已逾期" in home


def test_the_unit_is_reminded_of_the_report_due(login, session):
    with time_machine.travel(datetime.datetime(2024, 5, 20, 9, tzinfo=datetime.UTC), tick=False):
        home = login("city_admin").get(reverse("home")).content.decode()
    assert "报送执行情况" in home and "2024-05-25" in home


def test_a_learner_evaluates_with_at_most_two_answers_to_question_7(client, cast, session):
    nurse = cast.persons["nurse"]
    nurse.user = cast.users["learner"]
    nurse.save(update_fields=["user"])
    client.force_login(cast.users["learner"])
    attendee = session.attendees.get(person=nurse)
    url = reverse("holding:evaluate", args=[attendee.pk])
    answers = {q.key: q.choices[0] for q in reports.QUESTIONS[:6]}
    three = client.post(url, answers | {"q7": ["开阔思路", "提高理论水平", "提高操作能力"]})
    assert three.status_code == 422 and "最多选2项" in three.content.decode()
    two = client.post(url, answers | {"q7": ["开阔思路", "提高理论水平"]})
    assert two.status_code == 302
    assert attendee.evaluation.answers["q7"] == ["开阔思路", "提高理论水平"]
    other = session.attendees.get(person=cast.persons["county_doctor"])
    assert client.get(reverse("holding:evaluate", args=[other.pk])).status_code == 404


def test_reminders_are_mailed_when_e_mail_is_configured(cast, session, settings, mailoutbox):
    from django.core.management import call_command

    admin = cast.users["city_admin"]
    admin.email = "cme@hospital.example"
    admin.save(update_fields=["email"])
    call_command("send_reminders")
    assert mailoutbox == []  # no EMAIL_HOST: nothing is sent
    settings.EMAIL_HOST = "smtp.example.org"
    with time_machine.travel(datetime.datetime(2024, 5, 20, 9, tzinfo=datetime.UTC), tick=False):
        call_command("send_reminders")
    (mail,) = mailoutbox
    assert mail.to == ["cme@hospital.example"] and "报送执行情况" in mail.body
    assert "/holding/sessions/{s}/".format(s=session.pk) in mail.body
