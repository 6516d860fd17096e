from django.core.management.base import BaseCommand
from django.utils import timezone

from cme.stats.tallies import count_year


class Command(BaseCommand):
    help = (
        "Recount the credit tallies the statistics desk reads (this year by default). The "
        "desk queues a recount itself when they are older than ten minutes; run this from "
        "cron for a fixed schedule or after a bulk load."
    )

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, years, **options):
        for year in years or [timezone.localdate().year]:
            started = timezone.now()
            count_year(year)
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(f"{year}: counted in {seconds:.1f} s")
