"""Sessions of approved projects for tests: `held_session(cast)` gives a session of an
approved provincial project of 长沙市第一医院 (the cast's `city_admin` holds it) with its
approved lessons copied, pre-reports not yet filed."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from cme.holding import actions
from cme.holding.models import Attendee, HeldSession
from cme.orgs.models import Region
from cme.people.models import Person
from cme.projects.models import Project, State
from cme.projects.tests.factories import valid_declaration


def approved(project: Project, number: str = "2024-04-08-001(湘)") -> Project:
    project.state, project.number = State.APPROVED, number
    project.save(update_fields=["state", "number"])
    return project


def held_session(
    cast, project: Project | None = None, *, day=(2024, 5, 10), days: int = 2, **extra
) -> HeldSession:
    project = project or approved(valid_declaration(cast))
    start = datetime.date(*day)
    values = {
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=days - 1),
        "region": Region.objects.get(code="430102"),
        "address": "长沙市第一医院学术报告厅",
        "expected_participants": 120,
        "credits": project.credits or Decimal("2.0"),
    } | extra
    return actions.add_session(project, actor=cast.users["city_admin"], **values)


def attend(session: HeldSession, person: Person, *, passed: bool | None = True) -> Attendee:
    return Attendee.objects.create(
        session=session,
        person=person,
        unit_name=person.unit.name if person.unit_id else "",
        source=Attendee.Source.HAND,
        passed=passed,
    )


def pre_reported(cast, session: HeldSession) -> HeldSession:
    """Every pre-event report the session owes, filed on time."""
    for requirement in actions.required_pre_reports(session):
        actions.submit_pre_report(
            session,
            actor=cast.users["city_admin"],
            kind=requirement.kind,
            notice=ContentFile(b"%PDF-1.4\n", name="notice.pdf"),
            schedule=ContentFile(b"%PDF-1.4\n", name="schedule.pdf"),
            at=datetime.datetime.combine(requirement.due_on, datetime.time(9), tzinfo=datetime.UTC),
        )
    return session
