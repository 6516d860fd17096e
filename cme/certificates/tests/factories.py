"""Valid credit records of a held session, and their certificates, for tests."""

import random
from decimal import Decimal

from cme.certificates.actions import issue_certificates
from cme.certificates.models import Certificate
from cme.credits.models import Category, CreditRecord, Source
from cme.demo.builders import person, resident_id
from cme.holding.models import HeldSession
from cme.people.models import Person


def valid_credit(
    session: HeldSession, who: Person, *, role: str = CreditRecord.Role.LEARNER, **extra
) -> CreditRecord:
    values = {
        "year": session.starts_on.year,
        "category": Category.I,
        "source_id": Source.PROVINCIAL_PROJECT,
        "role": role,
        "amount": Decimal("2.0"),
        "hours": Decimal("12.0"),
        "status": CreditRecord.Status.VALID,
    } | extra
    return CreditRecord.objects.create(person=who, session=session, **values)


def certificate(session: HeldSession, who: Person, **extra) -> Certificate:
    return issue_certificates([valid_credit(session, who, **extra)])[0]


def attendees(session: HeldSession, n: int) -> list[Certificate]:
    """`n` new persons of the sponsor with a valid credit and a certificate each."""
    rng = random.Random(20240510)
    unit = session.project.sponsor
    taken = set(Person.objects.values_list("id_number", flat=True))
    records = []
    while len(records) < n:
        number = resident_id(rng, "430102")
        if number not in taken:
            taken.add(number)
            who = person(unit, "学员{}".format(len(records)), number)
            records.append(valid_credit(session, who))
    return issue_certificates(records)
