from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cme.demo.province import GENERATOR, generate


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
        if get_user_model().objects.filter(username=GENERATOR).exists():
            raise CommandError(
                "该数据库中已有生成的省级数据（用户“{u}”已存在），未作任何改动。"
                "请在新的空数据库上重新生成。".format(u=GENERATOR)
            )
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
