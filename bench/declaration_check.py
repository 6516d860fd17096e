"""Benchmark: checking a declaration with 50 courses and 6 sessions among 15,000 projects,
and searching the public list of 15,000 projects.

Prints milliseconds per check and its query count (which must not grow with the number of
courses: the same check on a 3-course declaration is printed beside it), and the public
search's p50/p95 latency through the full Django stack.

    DEBUG=1 .venv/bin/python bench/declaration_check.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench DEBUG=1 .venv/bin/python bench/declaration_check.py
"""

import datetime
import os
import random
import statistics
import time

# isort: split
from scratch import scratch  # noqa: F401  (sets Django up)

# isort: split

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "15000"))
WORDS = [
    "急危重症",
    "胸痛",
    "护理质量",
    "心力衰竭",
    "儿科",
    "麻醉",
    "影像",
    "康复",
    "感染防控",
    "糖尿病",
]


def fill(cast) -> None:
    from cme.people.models import Person
    from cme.policy.models import Discipline
    from cme.projects.models import Level, PlannedSession, Project, State

    rng = random.Random(15000)
    disciplines = list(Discipline.objects.all())
    units = [
        cast.city_hospital,
        cast.county_hospital,
        cast.provincial_hospital,
        cast.zhuzhou_hospital,
    ]
    # about five projects per leader over three years, as in a real province
    Person.objects.bulk_create(
        [
            Person(
                unit=rng.choice(units),
                name="负责人{}".format(i),
                id_number="BENCH{:08d}".format(i),
                title="主任医师",
                title_level=5,
            )
            for i in range(PROJECTS // 5)
        ],
        batch_size=2000,
    )
    leaders = list(Person.objects.filter(id_number__startswith="BENCH"))
    states = [State.PUBLISHED] * 6 + [
        State.COMPLETED,
        State.UNDER_REVIEW,
        State.REJECTED,
        State.DRAFT,
    ]
    projects = []
    for i in range(PROJECTS):
        unit = rng.choice(units)
        d = rng.choice(disciplines)
        state = rng.choice(states)
        projects.append(
            Project(
                year=rng.choice([2022, 2023, 2024]),
                level=rng.choice([Level.NATIONAL, Level.PROVINCIAL]),
                name="{w}学习班第{i}期".format(w=rng.choice(WORDS), i=i),
                discipline=d,
                sponsor=unit,
                declared_by=unit,
                leader=rng.choice(leaders),
                state=state,
                created_by=cast.users["city_admin"],
                number="B{i:06d}".format(i=i)
                if state in (State.PUBLISHED, State.COMPLETED)
                else None,
                audience="临床医师",
                credits=5,
            )
        )
    Project.objects.bulk_create(projects, batch_size=2000)
    ids = list(Project.objects.filter(number__startswith="B").values_list("pk", flat=True))
    PlannedSession.objects.bulk_create(
        [
            PlannedSession(
                project_id=pk,
                starts_on=datetime.date(2024, 5, 1),
                ends_on=datetime.date(2024, 5, 2),
                address="长沙",
            )
            for pk in ids
        ],
        batch_size=2000,
    )


def declaration(cast, lessons: int, sessions: int):
    from cme.projects.tests import factories as f

    project = f.valid_declaration(cast, name="基准检查项目{n}".format(n=lessons))
    teachers = list(project.teachers.all())
    for i in range(lessons - project.lessons.count()):
        extra = f.teacher(project, "外院教师{}".format(i), unit=None, order=10 + i)
        teachers.append(extra)
        f.lesson(project, extra, "专题讲座{}".format(i), "0.5", order=10 + i)
    for i in range(sessions - project.planned_sessions.count()):
        f.session(project, datetime.date(2024, 10, 1 + 3 * i), order=10 + i)
    return project


def time_check(project, rounds: int = 30) -> tuple[float, int, int]:
    from cme.projects.rules import check_declaration
    from cme.projects.tests.factories import IN_WINDOW

    with CaptureQueriesContext(connection) as queries:
        findings = check_declaration(project, at=IN_WINDOW)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        check_declaration(project, at=IN_WINDOW)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), len(queries), len(findings)


def main() -> None:
    from cme.demo.builders import build_cast

    call_command("migrate", verbosity=0)
    cast = build_cast()
    start = time.perf_counter()
    fill(cast)
    print(
        f"database: {connection.vendor}; {PROJECTS} projects loaded in {time.perf_counter() - start:.1f} s"
    )

    small = declaration(cast, lessons=3, sessions=2)
    big = declaration(cast, lessons=50, sessions=6)
    for label, project in (("3 courses, 2 sessions", small), ("50 courses, 6 sessions", big)):
        ms, queries, findings = time_check(project)
        print(
            f"check_declaration, {label:24s} {ms:7.1f} ms (median of 30)  {queries} queries  {findings} findings"
        )

    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(7)
    samples = []
    for _ in range(60):
        params = rng.choice(
            [
                {"q": rng.choice(WORDS)},
                {"year": "2024", "level": "provincial"},
                {"sponsor": "第一医院", "q": rng.choice(WORDS)},
                {"number": "B00{}".format(rng.randint(10, 99))},
                {"leader": "王建国"},
            ]
        )
        start = time.perf_counter()
        response = client.get("/public/projects/", params)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    p50, p95 = samples[len(samples) // 2], samples[int(len(samples) * 0.95) - 1]
    print(
        f"public list search over {PROJECTS} projects (60 requests): p50 {p50:.0f} ms  p95 {p95:.0f} ms"
    )


if __name__ == "__main__":
    main()
