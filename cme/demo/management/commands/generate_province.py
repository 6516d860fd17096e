from django.core.management.base import BaseCommand

from cme.demo.province import generate


class Command(BaseCommand):
    help = (
        "Build a Hunan-sized data set (about 520,000 persons, 6,000 units, 3,600 projects, "
        "15-40 credit records per person) deterministically from a seed; --scale makes a "
        "smaller one (0.01 for a quick look, 0.001 for tests). COPY on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--year", type=int, default=None, help="the year (default: this one)")

    def handle(self, *args, seed, scale, year, **options):
        built = generate(seed=seed, scale=scale, year=year, say=self.stdout.write)
        self.stdout.write(
            "{u} units, {p} persons, {j} projects, {s} sessions, {a} attendees, "
            "{r} credit records".format(
                u=built.units,
                p=built.persons,
                j=built.projects,
                s=built.sessions,
                a=built.attendees,
                r=built.records,
            )
        )
