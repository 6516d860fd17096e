from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cme.core.backups import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the configured database (replacing what is there) and "
        "MEDIA_ROOT, then compare row counts and the credit ledger's checksum (make restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a cme-backup-… folder written by manage.py backup")

    def handle(self, *args, folder, **options):
        outcome = restore_backup(Path(folder))
        for table, (expected, found) in sorted(outcome["differences"].items()):
            self.stderr.write(
                "{t}: {e} rows in the backup, {f} now".format(t=table, e=expected, f=found)
            )
        if not (outcome["counts_match"] and outcome["ledger_match"]):
            raise CommandError(
                "restored, but the check failed: counts {c}, ledger {l}".format(
                    c="match" if outcome["counts_match"] else "differ",
                    l="matches" if outcome["ledger_match"] else "differs",
                )
            )
        self.stdout.write(
            "restored {f}: every table's row count and the ledger checksum match".format(f=folder)
        )
