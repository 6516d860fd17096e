"""Issue 5 §11: changes, the execution report, its review, evaluations and reminders in the
API, with the same rules and scope as the pages."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.tests.files import docx_bytes
from cme.holding import reports
from cme.holding.tests.factories import attend, held_session, pre_reported
from cme.holding.tests.test_api import api

AFTER = datetime.datetime(2024, 5, 13, 10, tzinfo=datetime.UTC)


@pytest.fixture
def session(cast):
    session = pre_reported(cast, held_session(cast))
    attend(session, cast.persons["nurse"])
    attend(session, cast.persons["county_doctor"])
    return session


def test_lessons_preview_and_a_change_beyond_the_limit_needs_confirmation(client, cast, session):
    call = api(client, cast.users["city_admin"])
    lessons = call("get", "/sessions/{s}/lessons".format(s=session.pk)).json()["lessons"]
    for row in lessons[:1] + lessons[2:]:
        row["teacher_name"], row["teacher_title_level"] = "孙立新", 5
    body = {"lessons": lessons}
    preview = call("post", "/sessions/{s}/lessons/preview".format(s=session.pk), body).json()
    assert preview["ratios"]["teachers"] == "75.0" and preview["within_limit"] is False
    refused = call("put", "/sessions/{s}/lessons".format(s=session.pk), body)
    assert refused.status_code == 400 and refused.json()["code"] == "CHANGE_BEYOND_LIMIT"
    saved = call(
        "put", "/sessions/{s}/lessons".format(s=session.pk), body | {"confirm_beyond": True}
    )
    assert saved.status_code == 200 and saved.json()["change"]["within_limit"] is False
    other = api(client, cast.users["zhuzhou"])
    assert other("get", "/sessions/{s}/lessons".format(s=session.pk)).status_code == 404


def test_report_filled_submitted_and_returned_through_the_api(client, cast, session):
    call = api(client, cast.users["city_admin"])
    url = "/sessions/{s}/report".format(s=session.pk)
    with time_machine.travel(AFTER, tick=False):
        assert call("post", url).json()["due_on"] == "2024-05-25"
        counts = {q.key: {q.choices[0]: 2} for q in reports.QUESTIONS[:6]}
        counts["q7"] = {"开阔思路": 2, "提高理论水平": 2, "提高操作能力": 1}
        body = {
            "effect_analysis": "效果良好。",
            "problems": "无。",
            "respondents": 2,
            "evaluation_counts": counts,
            "effect_levels": {"1": "到课率100%", "2": "满意", "3": "测试合格"},
        }
        patched = call("patch", url, body).json()
        assert any("第7题" in p for p in patched["problems_before_submit"])
        counts["q7"]["提高操作能力"] = 0
        call("patch", url, body)
        files = {
            "schedule": SimpleUploadedFile("s.pdf", b"%PDF-1.4\n"),
            "exam": SimpleUploadedFile("e.docx", docx_bytes()),
        }
        assert call("post", url + "/files", files=files).json()["has_exam"] is True
        submitted = call("post", url + "/submit")
        assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    reviewer = api(client, cast.users["province"])
    queue = reviewer("get", "/execution-reports").json()
    assert [r["session_id"] for r in queue["items"]] == [session.pk]
    no_reason = reviewer("post", url + "/decision", {"approve": False})
    assert no_reason.json()["code"] == "REASON_REQUIRED"
    returned = reviewer("post", url + "/decision", {"approve": False, "reason": "试题缺答案"})
    assert (
        returned.json()["state"] == "returned" and returned.json()["return_reason"] == "试题缺答案"
    )
    again = reviewer("post", url + "/decision", {"approve": True})
    assert again.status_code == 409


def test_a_learner_evaluates_and_sees_reminders(client, cast, session):
    nurse = cast.persons["nurse"]
    nurse.user = cast.users["learner"]
    nurse.save(update_fields=["user"])
    call = api(client, cast.users["learner"])
    attendee = session.attendees.get(person=nurse)
    assert any("填写评估" in r["text"] for r in call("get", "/reminders").json())
    answers = {q.key: q.choices[0] for q in reports.QUESTIONS[:6]}
    three = call(
        "post",
        "/attendances/{a}/evaluation".format(a=attendee.pk),
        {"answers": answers | {"q7": ["开阔思路", "提高理论水平", "提高操作能力"]}},
    )
    assert three.json()["code"] == "EVALUATION_Q7_TWO"
    ok = call(
        "post",
        "/attendances/{a}/evaluation".format(a=attendee.pk),
        {"answers": answers | {"q7": ["开阔思路"]}},
    )
    assert ok.status_code == 200
