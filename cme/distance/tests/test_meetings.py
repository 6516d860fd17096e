"""Society annual academic meetings (002 §四.三): planned in the annual academic plan,
recorded with their attendance by the society, confirmed by the provincial office — each
attendee then has 5 provincial I类 credits, once; no credits in years without the rule."""

import datetime
from decimal import Decimal

import pytest

from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.models import ImportRecord
from cme.credits.ledger import summarise
from cme.credits.models import CreditRecord
from cme.distance import meetings
from cme.distance.models import AnnualMeeting, MeetingAttendee
from cme.distance.tests.conftest import pdf, xlsx


def record(cast, year: int = 2024, **extra) -> AnnualMeeting:
    values = {
        "year": year,
        "name": "湖南省医学会急诊医学专业委员会{y}年学术年会".format(y=year),
        "starts_on": datetime.date(year, 9, 20),
        "ends_on": datetime.date(year, 9, 21),
        "place": "长沙市",
        "in_plan": True,
        "plan_document": pdf("2024学术计划.pdf"),
        "branch": cast.branch,
    } | extra
    return meetings.record_meeting(actor=cast.users["society_admin"], **values)


def attend(cast, meeting, *keys) -> None:
    for key in keys:
        person = cast.persons[key]
        meetings.add_attendee(
            meeting, actor=cast.users["society_admin"], name=person.name, id_number=person.id_number
        )


@pytest.fixture
def meeting(cast) -> AnnualMeeting:
    return record(cast)


def test_confirmed_meeting_gives_each_attendee_five_provincial_credits(cast, meeting):
    attend(cast, meeting, "nurse", "doctor", "zhuzhou_nurse")
    meetings.submit_meeting(meeting, actor=cast.users["society_admin"])
    confirmed = meetings.decide_meeting(meeting, actor=cast.users["province"], confirm=True)
    assert confirmed.state == AnnualMeeting.State.CONFIRMED and confirmed.credits == 5
    records = CreditRecord.objects.filter(source_id="annual_meeting")
    assert records.count() == 3
    assert set(records.values_list("status", "category", "amount", "organisation_id")) == {
        ("valid", "I", Decimal("5.0"), cast.society.pk)
    }
    assert summarise(cast.persons["nurse"], 2024).totals.class1 == Decimal("5.0")
    with pytest.raises(Conflict):
        meetings.decide_meeting(meeting, actor=cast.users["province"], confirm=True)
    assert records.count() == 3


def test_a_duplicate_attendee_is_listed_once(cast, meeting):
    attend(cast, meeting, "nurse")
    with pytest.raises(DomainError) as exc:
        attend(cast, meeting, "nurse")
    assert exc.value.code == "ATTENDEE_EXISTS"
    nurse = cast.persons["nurse"]
    upload = xlsx(
        ["序号", "姓名", "证件号码"],
        [
            [nurse.name, nurse.id_number],
            [cast.persons["doctor"].name, cast.persons["doctor"].id_number],
        ],
    )
    report = meetings.preview_attendance_import(meeting, upload, actor=cast.users["society_admin"])
    assert (report.created_count, report.unchanged_count) == (1, 1)
    meetings.queue_attendance_commit(report, actor=cast.users["society_admin"])
    report.refresh_from_db()
    assert report.state == ImportRecord.State.COMMITTED
    assert meeting.attendees.count() == 2
    meetings.submit_meeting(meeting, actor=cast.users["society_admin"])
    meetings.decide_meeting(meeting, actor=cast.users["province"], confirm=True)
    assert CreditRecord.objects.filter(person=nurse, source_id="annual_meeting").count() == 1


def test_attendance_file_rows_are_checked_and_nothing_written(cast, meeting):
    nurse = cast.persons["nurse"]
    upload = xlsx(
        ["序号", "姓名", "证件号码"],
        [[nurse.name, nurse.id_number], ["李小", nurse.id_number], ["某人", "123"]],
    )
    report = meetings.preview_attendance_import(meeting, upload, actor=cast.users["society_admin"])
    assert report.state == ImportRecord.State.INVALID
    assert sorted(e["row"] for e in report.errors) == [3, 4]
    assert not MeetingAttendee.objects.exists()


def test_meetings_award_nothing_in_2021(cast):
    with pytest.raises(DomainError) as exc:
        record(cast, 2021, plan_document=pdf())
    assert exc.value.code == "MEETING_NO_CREDITS" and "2021年度" in exc.value.message
    old = AnnualMeeting.objects.create(  # recorded before the rule, say
        society=cast.society,
        year=2021,
        name="2021年学术年会",
        starts_on=datetime.date(2021, 9, 1),
        ends_on=datetime.date(2021, 9, 1),
        place="长沙市",
        in_plan=True,
        state=AnnualMeeting.State.SUBMITTED,
        created_by=cast.users["society_admin"],
    )
    MeetingAttendee.objects.create(meeting=old, person=cast.persons["nurse"], source="hand")
    with pytest.raises(DomainError) as exc:
        meetings.decide_meeting(old, actor=cast.users["province"], confirm=True)
    assert exc.value.code == "MEETING_NO_CREDITS"
    old.refresh_from_db()
    assert old.state == AnnualMeeting.State.SUBMITTED and not CreditRecord.objects.exists()


def test_refusal_needs_a_reason_and_gives_nothing(cast, meeting):
    attend(cast, meeting, "nurse")
    meetings.submit_meeting(meeting, actor=cast.users["society_admin"])
    with pytest.raises(DomainError):
        meetings.decide_meeting(meeting, actor=cast.users["province"], confirm=False)
    refused = meetings.decide_meeting(
        meeting, actor=cast.users["province"], confirm=False, reason="未列入年度学术计划"
    )
    assert refused.state == AnnualMeeting.State.REFUSED and not CreditRecord.objects.exists()


def test_only_the_province_confirms_and_only_the_society_records(cast, meeting):
    attend(cast, meeting, "nurse")
    meetings.submit_meeting(meeting, actor=cast.users["society_admin"])
    for key in ("changsha", "society_admin"):
        with pytest.raises(PermissionDenied):
            meetings.decide_meeting(meeting, actor=cast.users[key], confirm=True)
    with pytest.raises(PermissionDenied):
        meetings.record_meeting(
            actor=cast.users["city_admin"],
            year=2024,
            name="医院年会",
            starts_on=datetime.date(2024, 9, 1),
            ends_on=datetime.date(2024, 9, 1),
            place="长沙",
            in_plan=True,
            plan_document=pdf(),
        )


def test_the_list_is_fixed_once_submitted(cast, meeting):
    with pytest.raises(DomainError) as exc:
        meetings.submit_meeting(meeting, actor=cast.users["society_admin"])
    assert exc.value.code == "MEETING_NO_ATTENDEES"
    attend(cast, meeting, "nurse")
    meetings.submit_meeting(meeting, actor=cast.users["society_admin"])
    with pytest.raises(DomainError) as exc:
        attend(cast, meeting, "doctor")
    assert exc.value.code == "MEETING_LOCKED"


def test_the_meeting_must_be_in_the_plan_and_once_a_year(cast, meeting):
    with pytest.raises(DomainError) as exc:
        record(cast, name="另一次年会", in_plan=False, branch=None)
    assert exc.value.code == "MEETING_NOT_IN_PLAN"
    with pytest.raises(DomainError) as exc:
        record(cast, name="第二次年会")
    assert exc.value.code == "MEETING_EXISTS"
    record(cast, name="学会年会", branch=None)  # the society's own meeting is another
