"""django-tasks-db's `db_worker`, recovering lost tasks first (cme.core.worker).

Takes every db_worker option; the worker id defaults to host:pid:token so the next worker
on this host can tell that it is gone."""

import datetime

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from cme.core.worker import STALE_AFTER, new_worker_id, recover_lost_tasks


class Command(DbWorkerCommand):
    help = "Recover tasks of dead workers, then run a database background worker"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=new_worker_id())
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(STALE_AFTER.total_seconds()),
            help="seconds after which a RUNNING task counts as lost (default: %(default)s)",
        )

    def handle(self, *args, stale_after: int, **options):
        done = recover_lost_tasks(stale_after=datetime.timedelta(seconds=stale_after))
        if done.requeued or done.failed:
            self.stdout.write(
                "recovered tasks of lost workers: re-queued {r}, failed {f}".format(
                    r=len(done.requeued), f=len(done.failed)
                )
            )
        return super().handle(*args, **options)
