"""Re-queue background tasks left RUNNING by a worker that died (cme.core.worker).

`manage.py run_worker` does this every time a worker starts; run this from cron when
workers run on several hosts, so a task lost on one host is picked up within the hour."""

import datetime

from django.core.management.base import BaseCommand

from cme.core.worker import STALE_AFTER, recover_lost_tasks


class Command(BaseCommand):
    help = "Re-queue tasks whose worker is gone or that have been running too long"

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(STALE_AFTER.total_seconds()),
            help="seconds after which a RUNNING task counts as lost (default: %(default)s)",
        )

    def handle(self, *, stale_after: int, **options):
        done = recover_lost_tasks(stale_after=datetime.timedelta(seconds=stale_after))
        self.stdout.write(
            "re-queued {r}, failed {f}".format(r=len(done.requeued), f=len(done.failed))
        )
