"""Ledger records for tests: `credit(person, 2024, "3.0")` is a valid provincial-project
record unless told otherwise; the category follows the source."""

from decimal import Decimal

from cme.credits.models import CreditRecord, CreditSource


def credit(
    person,
    year: int,
    amount,
    source: str = "provincial_project",
    *,
    status: str = CreditRecord.Status.VALID,
    hours=None,
    **fields,
) -> CreditRecord:
    category = CreditSource.objects.get(code=source).category
    amount = Decimal(str(amount))
    return CreditRecord.objects.create(
        person=person,
        year=year,
        category=fields.pop("category", category),
        source_id=source,
        amount=amount,
        hours=Decimal(str(hours)) if hours is not None else amount * 6,
        status=status,
        **fields,
    )
