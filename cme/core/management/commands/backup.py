from pathlib import Path

from django.core.management.base import BaseCommand

from cme.core.backups import make_backup, read_manifest


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder (make backup)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="var/backups", help="folder to write into")

    def handle(self, *args, output, **options):
        folder = make_backup(Path(output))
        manifest = read_manifest(folder)
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            "backup written: {f} ({n} rows in {t} tables; ledger sha256 {h}…)".format(
                f=folder, n=rows, t=len(manifest["counts"]), h=manifest["ledger_sha256"][:16]
            )
        )
