"""Projects, sessions and credits for the integrity tests, straight into the state the
rules read (approved, held, credited), without the holding and report flows."""

import datetime
from decimal import Decimal

from cme.credits.models import CreditRecord
from cme.credits.tests.factories import credit
from cme.holding.models import HeldSession
from cme.integrity.models import Verification
from cme.integrity.verifications import network_of
from cme.orgs.models import Region
from cme.projects.models import Project, State

YEAR = 2024


def project(cast, sponsor=None, *, expected: int | None = 100, name: str = "急危重症诊治进展"):
    sponsor = sponsor or cast.city_hospital
    return Project.objects.create(
        year=YEAR,
        level="provincial",
        kind="new",
        name="{u}{n}".format(u=sponsor.name, n=name),
        sponsor=sponsor,
        declared_by=sponsor,
        created_by=cast.users["admin"],
        state=State.APPROVED,
        expected_participants=expected,
    )


def session(
    cast,
    sponsor=None,
    *,
    start=(YEAR, 5, 10),
    days: int = 2,
    region: str = "430102",
    mode: str = HeldSession.Mode.OFFLINE,
    expected: int | None = 100,
) -> HeldSession:
    owner = project(cast, sponsor, expected=expected)
    starts_on = datetime.date(*start)
    return HeldSession.objects.create(
        project=owner,
        number=1,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=days - 1),
        region=Region.objects.get(code=region),
        address="学术报告厅",
        mode=mode,
        online_application="holding/online/a.pdf" if mode == HeldSession.Mode.ONLINE else "",
        expected_participants=expected or 100,
        credits=Decimal("2.0"),
        created_by=cast.users["admin"],
    )


def session_credit(person, held: HeldSession, *, role=CreditRecord.Role.LEARNER, **fields):
    return credit(
        person,
        held.starts_on.year,
        "2.0",
        session=held,
        organisation=held.project.sponsor,
        role=role,
        **fields,
    )


def verified(certificate, address: str, at: datetime.datetime) -> Verification:
    row = Verification.objects.create(certificate=certificate, network=network_of(address))
    Verification.objects.filter(pk=row.pk).update(at=at)
    return row


SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)
