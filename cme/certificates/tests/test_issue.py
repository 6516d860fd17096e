"""SPEC §5: one certificate per awarded (valid) credit, with a serial number nobody can
guess; issuing again issues nothing twice; voiding the credit voids the certificate."""

import itertools

from cme.certificates.actions import issue_certificates
from cme.certificates.models import (
    ALPHABET,
    Certificate,
    display_number,
    new_number,
    normalise_number,
)
from cme.certificates.tests.factories import attendees, certificate, valid_credit
from cme.credits.models import CreditRecord
from cme.holding.tests.factories import held_session


def test_numbers_are_unique_random_and_not_sequential():
    numbers = [new_number() for _ in range(2000)]
    assert len(set(numbers)) == len(numbers)
    assert all(len(n) == 16 and set(n) <= set(ALPHABET) for n in numbers)
    values = [_value(n) for n in numbers]
    steps = [abs(b - a) for a, b in itertools.pairwise(values)]
    assert len(set(steps)) > 1  # no constant step: not a counter
    assert sum(step < 32**10 for step in steps) < 10  # neighbours are far apart


def _value(number: str) -> int:
    value = 0
    for char in number:
        value = value * 32 + ALPHABET.index(char)
    return value


def test_number_is_shown_in_groups_of_four_and_read_back_however_typed():
    assert display_number("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"
    assert normalise_number(" abcd-efgh jkmn-pqrs ") == "ABCDEFGHJKMNPQRS"
    assert normalise_number("O0IL") == "0011"


def test_issuing_is_idempotent_and_only_for_valid_credits(cast):
    session = held_session(cast)
    valid = valid_credit(session, cast.persons["nurse"])
    pending = valid_credit(session, cast.persons["doctor"], status=CreditRecord.Status.PENDING)
    first = issue_certificates([valid, pending])
    assert [c.credit_id for c in first] == [valid.pk]
    assert issue_certificates([valid, pending]) == []
    assert issue_certificates(CreditRecord.objects.filter(session=session)) == []
    assert Certificate.objects.count() == 1


def test_session_certificates_have_distinct_numbers(cast):
    certificates = attendees(held_session(cast), 30)
    assert len({c.number for c in certificates}) == 30
    assert len(set(Certificate.objects.values_list("number", flat=True))) == 30


def test_voiding_the_credit_voids_the_certificate(cast):
    cert = certificate(held_session(cast), cast.persons["nurse"])
    assert cert.status == Certificate.Status.VALID and cert.status_label == "有效"
    CreditRecord.objects.filter(pk=cert.credit_id).update(
        status=CreditRecord.Status.VOID, status_reason="虚假记录"
    )
    cert = Certificate.objects.select_related("credit").get(pk=cert.pk)
    assert cert.status == Certificate.Status.VOID
    assert cert.status_label == "已作废（虚假记录）"


def test_lecturer_gets_a_teaching_certificate(cast):
    cert = certificate(held_session(cast), cast.persons["doctor"], role=CreditRecord.Role.LECTURER)
    assert cert.kind_label == "授课证明"
