"""The credit tallies behind the desk's credit figures (see `stats.models.CreditTally`).

A year is counted in one pass over its valid records, grouped by the person's unit and
the activity's month (`count_year`). Readers take the tallies as they are and, when they
are older than `MAX_AGE`, queue one recount in the background; a year never counted is
counted there and then if it is small, so a new installation's first figures are never
empty, and queued if it is big. Every figure that reads the tallies says when they were
counted (`counted_at`), or that they are being counted.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from cme.credits.models import CreditRecord
from cme.stats.models import CreditTally, TallyRun

MAX_AGE = datetime.timedelta(minutes=10)
COUNT_NOW = 200_000  # records a reader counts itself (well under a second); more are queued
BATCH = 5000


@transaction.atomic
def count_year(year: int) -> TallyRun:
    """Recount the year's tallies from the ledger, replacing the old ones at once."""
    started = timezone.now()
    valid = CreditRecord.objects.filter(year=year, status=CreditRecord.Status.VALID)
    sums = {"amount": Sum("amount"), "n": Count("id"), "people": Count("person_id", distinct=True)}
    by_month = (
        valid.filter(activity_date__year=year)
        .annotate(month=ExtractMonth("activity_date"))
        .values("person__unit_id", "month")
        .annotate(**sums)
        .order_by()
    )
    by_year = valid.values("person__unit_id").annotate(**sums).order_by()
    rows = [
        CreditTally(
            year=year,
            month=r.get("month"),
            unit_id=r["person__unit_id"],
            amount=r["amount"],
            records=r["n"],
            persons=r["people"],
        )
        for query in (by_month, by_year)
        for r in query.iterator(chunk_size=BATCH)
    ]
    CreditTally.objects.filter(year=year).delete()
    CreditTally.objects.bulk_create(rows, batch_size=BATCH)
    run, _ = TallyRun.objects.update_or_create(
        year=year, defaults={"counted_at": started, "queued_at": None}
    )
    return run


def counted(year: int) -> datetime.datetime | None:
    """When the year's tallies were counted, queueing one recount when they are older than
    MAX_AGE. A year never counted is counted there and then when its ledger is small;
    a big one (a province's year takes half a minute) is queued, and None says so."""
    run = TallyRun.objects.filter(year=year).first()
    if run is None:
        if CreditRecord.objects.filter(year=year)[: COUNT_NOW + 1].count() <= COUNT_NOW:
            return count_year(year).counted_at
        run, _ = TallyRun.objects.get_or_create(year=year)
    now = timezone.now()
    if run.counted_at is not None and now - run.counted_at <= MAX_AGE:
        return run.counted_at
    if run.queued_at is None or now - run.queued_at > MAX_AGE:
        queued = TallyRun.objects.filter(pk=run.pk, queued_at=run.queued_at).update(queued_at=now)
        if queued:
            from cme.stats.tasks import count_year_task

            transaction.on_commit(lambda: count_year_task.enqueue(year=year))
    return run.counted_at
