"""Claims for tests: `claim(cast, "2024-04-08-001(国)")` is the nurse's out-of-province
national certificate of 4 credits, submitted by her own login."""

import datetime
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from cme.accounts.models import Membership, Role, User
from cme.claims import actions
from cme.credits.models import CreditSource
from cme.demo.builders import person, resident_id

PDF = b"%PDF-1.4\n%test evidence\n"


def pdf(name: str = "证书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def claim(
    cast,
    certificate_number: str = "2024-04-08-001(国)",
    *,
    who: str = "nurse",
    source: str = "out_of_province",
    amount="4",
    quantity=None,
    title: str = "全国心血管护理新进展学习班",
    activity_date: datetime.date = datetime.date(2024, 4, 8),
    year: int = 2024,
    **extra,
):
    p = cast.persons[who]
    return actions.submit_claim(
        p,
        actor=p.user,
        source=CreditSource.objects.get(code=source),
        year=year,
        title=title,
        activity_date=activity_date,
        evidence=extra.pop("evidence", None) or pdf(),
        amount=Decimal(str(amount)) if amount is not None else None,
        quantity=Decimal(str(quantity)) if quantity is not None else None,
        certificate_number=certificate_number,
        **extra,
    )


def reviewer(cast, organisation, role: str = Role.UNIT_ADMIN, username: str = "second") -> User:
    """Another login acting for the same organisation (two reviewers at once)."""
    account = User.objects.create_user(
        username=username,
        password=cast.password,
        first_name="第二审核人",
        must_change_password=False,
    )
    Membership.objects.create(user=account, organisation=organisation, role=role)
    return account


def staff(cast, unit, name: str, seed: int = 11, *, with_login: bool = False):
    """One more member of a unit's staff, with a learner login if asked."""
    p = person(unit, name, resident_id(random.Random(seed), unit.region_id), "护师", "外科")
    if with_login:
        p.user = User.objects.create_user(
            username="u{pk}".format(pk=p.pk),
            password=cast.password,
            first_name=name,
            must_change_password=False,
        )
        Membership.objects.create(user=p.user, organisation=unit, role=Role.LEARNER)
        p.save(update_fields=["user"])
    return p
