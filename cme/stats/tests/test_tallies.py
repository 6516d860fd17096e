"""The credit tallies the desk reads instead of the ledger: counted once when first read,
recounted in the background when older than ten minutes, never counted twice at once."""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from cme.credits.tests.factories import credit
from cme.stats import figures, tallies
from cme.stats.models import CreditTally, TallyRun

YEAR = 2024


def test_a_year_never_counted_is_counted_when_first_read(cast):
    credit(cast.persons["nurse"], YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    assert not TallyRun.objects.exists()
    months = figures.credits_by_month(cast.users["province"], YEAR)
    assert months[2] == (3, Decimal("2.0"), 1)
    assert TallyRun.objects.get(year=YEAR).queued_at is None


def test_the_whole_year_counts_records_dated_outside_it(cast):
    nurse = cast.persons["nurse"]
    credit(nurse, YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    credit(nurse, YEAR, "1.0", activity_date=datetime.date(YEAR - 1, 12, 30))
    credit(nurse, YEAR, "5.0", status="void", activity_date=datetime.date(YEAR, 3, 6))
    [unit] = figures.credits_by_unit(cast.users["changsha"], YEAR)
    assert (unit["amount"], unit["records"], unit["persons"]) == (Decimal("3.0"), 2, 1)
    assert sum(a for _m, a, _n in figures.credits_by_month(cast.users["changsha"], YEAR)) == 2


def test_fresh_tallies_are_read_as_they_are(cast):
    tallies.count_year(YEAR)
    credit(cast.persons["nurse"], YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    assert figures.credits_by_month(cast.users["province"], YEAR)[2][1] == 0
    assert TallyRun.objects.get(year=YEAR).queued_at is None


def test_stale_tallies_queue_one_recount(cast, django_capture_on_commit_callbacks):
    tallies.count_year(YEAR)
    TallyRun.objects.update(counted_at=timezone.now() - tallies.MAX_AGE * 2)
    credit(cast.persons["nurse"], YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tallies.counted(YEAR)
        tallies.counted(YEAR)  # a second reader does not queue another
    assert len(callbacks) == 1
    assert figures.credits_by_month(cast.users["province"], YEAR)[2][1] == Decimal("2.0")
    assert TallyRun.objects.get(year=YEAR).queued_at is None


def test_a_recount_replaces_the_tallies_and_the_command_runs_it(cast):
    credit(cast.persons["nurse"], YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    tallies.count_year(YEAR)
    tallies.count_year(YEAR)
    assert CreditTally.objects.filter(year=YEAR).count() == 2  # March and the whole year
    out = io.StringIO()
    call_command("count_tallies", str(YEAR), stdout=out)
    assert f"{YEAR}: counted in" in out.getvalue()
    assert CreditTally.objects.filter(year=YEAR, month=3).get().amount == Decimal("2.0")


def test_a_big_year_never_counted_is_queued_and_the_desk_says_so(
    cast, login, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tallies, "COUNT_NOW", 0)
    credit(cast.persons["nurse"], YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    with django_capture_on_commit_callbacks() as callbacks:
        assert tallies.counted(YEAR) is None
        assert tallies.counted(YEAR) is None  # queued once
        body = login("province").get("/stats/credits/", {"year": YEAR}).content.decode()
    assert len(callbacks) == 1
    assert "学分正在统计，请稍后刷新。" in body
    callbacks[0]()  # the worker counts it
    assert tallies.counted(YEAR) is not None
    assert figures.credits_by_month(cast.users["province"], YEAR)[2][1] == Decimal("2.0")
