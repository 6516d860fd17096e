"""Scan the integrity rules over a year (nightly from cron or a timer; idempotent)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from cme.integrity.rules import RULES, scan


class Command(BaseCommand):
    help = "Raise integrity alerts (诚信预警) for a year; alerts already raised are not repeated."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="default: this year")
        parser.add_argument("--rule", action="append", choices=sorted(RULES), dest="rules")

    def handle(self, *args, year=None, rules=None, **options):
        year = year or timezone.localdate().year
        result = scan(year, rules=rules)
        for rule_id, found in result.found.items():
            self.stdout.write(
                "{r}: {f} found, {c} new".format(r=rule_id, f=found, c=result.created[rule_id])
            )
        self.stdout.write(
            "{y}: {f} found, {c} new alerts.".format(
                y=year, f=result.total_found, c=result.total_created
            )
        )
