"""Issue 5 §1-2: sessions of an approved project (never more than approved, online only with
the written application) and pre-event reports with policy lead times; late ones flagged;
a session without its reports awards no credits."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import DomainError, PermissionDenied
from cme.holding import actions
from cme.holding.models import HeldSession, PreReport
from cme.orgs.models import Region
from cme.projects.models import State
from cme.projects.tests.factories import national_declaration, valid_declaration

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def pdf(name="notice.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n")


def approved(project):
    project.state, project.number = State.APPROVED, "2024-04-08-001(湘)"
    project.save(update_fields=["state", "number"])
    return project


def add(cast, project, day=(2024, 5, 10), **extra):
    start = datetime.date(*day)
    values = {
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=1),
        "region": Region.objects.get(code="430102"),
        "address": "长沙市第一医院学术报告厅",
        "expected_participants": 120,
        "credits": Decimal("0.7"),
    } | extra
    return actions.add_session(project, actor=cast.users["city_admin"], **values)


@pytest.fixture
def project(cast):
    return approved(valid_declaration(cast))


def test_sessions_up_to_the_approved_number_and_the_project_is_being_held(cast, project):
    first, second = add(cast, project), add(cast, project, day=(2024, 9, 20))
    assert (first.number, second.number) == (1, 2)
    project.refresh_from_db()
    assert project.state == State.HELD
    with pytest.raises(DomainError) as exc:
        add(cast, project, day=(2024, 11, 1))
    assert exc.value.code == "SESSIONS_OVER_APPROVED"


def test_a_draft_or_another_units_project_cannot_be_held(cast):
    draft = valid_declaration(cast)
    with pytest.raises(PermissionDenied):
        add(cast, draft)
    project = approved(valid_declaration(cast, name="另一个项目"))
    with pytest.raises(PermissionDenied):
        actions.add_session(
            project,
            actor=cast.users["zhuzhou_admin"],
            starts_on=datetime.date(2024, 5, 1),
            ends_on=datetime.date(2024, 5, 2),
            region=Region.objects.get(code="430102"),
            address="x",
            expected_participants=1,
            credits=Decimal(1),
        )


def test_online_only_with_the_written_application(cast, project):
    with pytest.raises(DomainError) as exc:
        add(cast, project, mode=HeldSession.Mode.ONLINE)
    assert exc.value.code == "ONLINE_NEEDS_APPLICATION"
    session = add(cast, project, mode=HeldSession.Mode.ONLINE, online_application=pdf("申请.pdf"))
    assert session.mode == "online" and session.online_application


def test_sessions_stay_inside_the_project_year_and_the_approved_credits(cast, project):
    with pytest.raises(DomainError) as exc:
        add(cast, project, day=(2025, 1, 5))
    assert exc.value.code == "SESSION_OUTSIDE_YEAR"
    with pytest.raises(DomainError) as exc:
        add(cast, project, credits=Decimal("9.0"))
    assert exc.value.code == "SESSION_CREDITS"


def test_a_changsha_sponsor_sends_the_city_its_form_seven_days_before(cast, project):
    session = add(cast, project)
    [requirement] = actions.required_pre_reports(session)
    assert (requirement.kind, requirement.authority, requirement.due_on) == (
        PreReport.Kind.CITY,
        cast.changsha,
        datetime.date(2024, 5, 3),
    )
    assert actions.can_award_credits(session)[0] is False


def test_a_national_project_also_reports_to_the_province_fourteen_days_before(cast):
    project = approved(national_declaration(cast))
    session = add(cast, project)
    due = {r.kind: r.due_on for r in actions.required_pre_reports(session)}
    assert due == {
        PreReport.Kind.PROVINCE: datetime.date(2024, 4, 26),
        PreReport.Kind.CITY: datetime.date(2024, 5, 3),
    }


def test_a_zhuzhou_sponsor_has_no_city_form(cast):
    project = approved(
        valid_declaration(cast, sponsor=cast.zhuzhou_hospital, leader=cast.persons["zhuzhou_nurse"])
    )
    project.created_by = cast.users["zhuzhou_admin"]
    session = actions.add_session(
        project,
        actor=cast.users["zhuzhou_admin"],
        starts_on=datetime.date(2024, 5, 10),
        ends_on=datetime.date(2024, 5, 11),
        region=Region.objects.get(code="430202"),
        address="株洲",
        expected_participants=50,
        credits=Decimal("0.7"),
    )
    assert actions.required_pre_reports(session) == []
    assert actions.can_award_credits(session) == (True, "")


def test_on_time_and_late_reports(cast, project):
    session = add(cast, project)
    on_time = datetime.datetime(2024, 5, 3, 23, 0, tzinfo=SHANGHAI)
    report = actions.submit_pre_report(
        session,
        actor=cast.users["city_admin"],
        kind=PreReport.Kind.CITY,
        notice=pdf(),
        schedule=pdf("日程.pdf"),
        at=on_time,
    )
    assert not report.late and actions.can_award_credits(session) == (True, "")
    late = datetime.datetime(2024, 5, 4, 8, 0, tzinfo=SHANGHAI)
    report = actions.submit_pre_report(
        session,
        actor=cast.users["city_admin"],
        kind=PreReport.Kind.CITY,
        notice=pdf(),
        schedule=pdf("日程.pdf"),
        at=late,
    )
    assert report.late  # accepted, and flagged
    assert PreReport.objects.count() == 1


def test_a_report_nobody_asked_for_is_refused(cast, project):
    session = add(cast, project)
    with pytest.raises(DomainError) as exc:
        actions.submit_pre_report(
            session,
            actor=cast.users["city_admin"],
            kind=PreReport.Kind.PROVINCE,
            notice=pdf(),
            schedule=pdf(),
        )
    assert exc.value.code == "PRE_REPORT_NOT_REQUIRED"
