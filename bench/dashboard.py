"""Benchmark: the province's dashboard (issue 7 §1) on a generated province: the cast's
Hunan with BENCH_CITIES (14) city authorities, BENCH_UNITS (300) units under them,
BENCH_PROJECTS (3,000) projects of the year across levels and states, a session and an
execution report for the approved ones (some overdue), BENCH_PERSONS (20,000) persons with
BENCH_RECORDS (6) credit records each (120,000, COPY on PostgreSQL) and an annual audit for
half the units.

Printed: the province dashboard's p50/p95 over BENCH_REQUESTS (30) requests logged in as
the provincial office, with the number of SQL queries per page; beside it, the floor: the
same page's figures computed without rendering (the figure functions alone), and the list
behind the biggest figure (the year's projects, first page). Target: p95 < 500 ms on
PostgreSQL.

    createdb -h 127.0.0.1 -U postgres bench_dash
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dash DEBUG=1 .venv/bin/python bench/dashboard.py
    BENCH_PROJECTS=300 BENCH_PERSONS=2000 DEBUG=1 .venv/bin/python bench/dashboard.py   # smoke, SQLite
"""

import datetime
import os
import random
import statistics
import time
from decimal import Decimal

# isort: split
from scratch import scratch  # noqa: F401  (sets Django up)

# isort: split

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

CITIES = int(os.environ.get("BENCH_CITIES", "14"))
UNITS = int(os.environ.get("BENCH_UNITS", "300"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "3000"))
PERSONS = int(os.environ.get("BENCH_PERSONS", "20000"))
RECORDS = int(os.environ.get("BENCH_RECORDS", "6"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
YEAR = timezone.localdate().year
FIXED = ("", "", "", "", "valid", "")  # title, certificate number and key, evidence, status…
CITY_CODES = [
    "430100", "430200", "430300", "430400", "430500", "430600", "430700",
    "430800", "430900", "431000", "431100", "431200", "431300", "433100",
]  # fmt: skip


def build_province():
    from cme.demo.builders import build_cast, org
    from cme.orgs.models import Organisation, Region

    cast = build_cast()
    cities = [cast.changsha, cast.zhuzhou]
    for code in CITY_CODES[2:CITIES]:
        region = Region.objects.get(code=code)
        cities.append(
            org(region.name + "卫生健康委员会", Organisation.Kind.AUTHORITY, code, cast.province)
        )
    units = [
        org(
            "{c}第{n}医院".format(c=cities[i % len(cities)].name[:3], n=i + 1),
            Organisation.Kind.MEDICAL,
            cities[i % len(cities)].region_id,
            cities[i % len(cities)],
            grade=random.Random(i).choice("123"),
        )
        for i in range(UNITS)
    ]
    return cast, units


def add_projects(cast, units) -> list:
    """PROJECTS projects of YEAR; the held ones get a session ended two months ago and an
    execution report (a third of them still a draft: overdue)."""
    from cme.holding.models import ExecutionReport, HeldSession
    from cme.projects.models import Level, Project, State

    rng = random.Random(7)
    states = [
        (State.UNDER_REVIEW, 2),
        (State.REJECTED, 2),
        (State.APPROVED, 2),
        (State.PUBLISHED, 2),
        (State.HELD, 2),
        (State.COMPLETED, 5),
        (State.LAPSED, 1),
    ]
    levels = [(Level.NATIONAL, 1), (Level.PROVINCIAL, 3), (Level.CITY, 2)]
    projects = []
    for i in range(PROJECTS):
        unit = rng.choice(units)
        projects.append(
            Project(
                year=YEAR,
                level=rng.choices(*zip(*levels, strict=True))[0],
                name="项目{n}".format(n=i + 1),
                number="{y}-{n:05d}".format(y=YEAR, n=i + 1),
                sponsor=unit,
                declared_by=unit,
                state=rng.choices(*zip(*states, strict=True))[0],
                created_by=cast.users["city_admin"],
                credits=Decimal("2.0"),
            )
        )
    projects = Project.objects.bulk_create(projects, batch_size=2000)
    held = [p for p in projects if p.state in (State.HELD, State.COMPLETED)]
    ended = timezone.localdate() - datetime.timedelta(days=60)
    sessions = HeldSession.objects.bulk_create(
        [
            HeldSession(
                project=p,
                number=1,
                starts_on=ended - datetime.timedelta(days=1),
                ends_on=ended,
                region_id=p.sponsor.region_id,
                address="报告厅",
                created_by=cast.users["city_admin"],
                expected_participants=100,
                credits=Decimal("2.0"),
            )
            for p in held
        ],
        batch_size=2000,
    )
    reports = []
    for s in sessions:
        done = s.project.state == State.COMPLETED
        reports.append(
            ExecutionReport(
                session=s,
                state=ExecutionReport.State.APPROVED
                if done
                else rng.choice([ExecutionReport.State.DRAFT, ExecutionReport.State.SUBMITTED]),
                due_on=ended + datetime.timedelta(days=14),
                reviewer=cast.province,
                review_due_on=ended + datetime.timedelta(days=28),
            )
        )
    ExecutionReport.objects.bulk_create(reports, batch_size=2000)
    return projects


def add_people_and_credits(units) -> int:
    from cme.people.models import Person

    rng = random.Random(20)
    people = Person.objects.bulk_create(
        [
            Person(
                unit=units[i % len(units)],
                name="职工{n}".format(n=i),
                id_number="43010219{n:010d}".format(n=i),
            )
            for i in range(PERSONS)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    rows = []
    for p in people:
        for _ in range(RECORDS):
            day = datetime.date(YEAR, rng.randint(1, 11), rng.randint(1, 28))
            amount = Decimal(str(round(rng.uniform(0.5, 3), 1)))
            rows.append((p.pk, YEAR, "I", "provincial_project", amount, day))
    if connection.vendor == "postgresql":
        columns = (
            "person_id, year, category, source, role, amount, hours, activity_date, title,"
            " certificate_number, certificate_key, evidence, status, status_reason,"
            " created_at, updated_at"
        )
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY credits_creditrecord ({columns}) FROM STDIN") as copy:
                for pid, year, cat, source, amount, day in rows:
                    copy.write_row(
                        (
                            pid,
                            year,
                            cat,
                            source,
                            "learner",
                            amount,
                            amount * 6,
                            day,
                            *FIXED,
                            now,
                            now,
                        )
                    )
            cursor.execute("ANALYZE")
    else:
        from cme.credits.models import CreditRecord

        CreditRecord.objects.bulk_create(
            [
                CreditRecord(
                    person_id=pid,
                    year=year,
                    category=cat,
                    source_id=source,
                    amount=amount,
                    hours=amount * 6,
                    activity_date=day,
                    status="valid",
                )
                for pid, year, cat, source, amount, day in rows
            ],
            batch_size=10000,
        )
    return len(rows)


def add_audits(units) -> None:
    from cme.audits.models import AnnualAudit

    rng = random.Random(5)
    states = [s for s in AnnualAudit.State.values if s != AnnualAudit.State.NOT_SUBMITTED]
    AnnualAudit.objects.bulk_create(
        [
            AnnualAudit(
                unit=u,
                year=YEAR,
                state=rng.choice(states),
                staff_count=PERSONS // len(units),
                qualified_count=rng.randint(0, PERSONS // len(units)),
            )
            for u in units[::2]
        ]
    )


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95 + 0.5) - 1)]


def timed(client, url, params) -> tuple[list[float], int]:
    assert client.get(url, params).status_code == 200  # warm
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return times, len(queries)


def figures_alone(user) -> float:
    from cme.stats import figures

    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        figures.declarations(user, YEAR)
        figures.area_rates(user, YEAR)
        figures.behind(user, YEAR)
        figures.credits_by_month(user, YEAR)
        figures.audit_progress(user, YEAR)
        figures.overdue(user, timezone.localdate())
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    cast, units = build_province()
    projects = add_projects(cast, units)
    n_records = add_people_and_credits(units)
    add_audits(units)
    print(
        f"database: {connection.vendor}; {CITIES} cities, {len(units)} units, "
        f"{len(projects)} projects, {PERSONS} persons, {n_records} credit records "
        f"(setup {time.perf_counter() - start:.1f} s)"
    )
    province = cast.users["province"]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(province)
    floor = figures_alone(province)
    times, n_queries = timed(client, reverse("stats:dashboard"), {"year": YEAR})
    print(
        f"province dashboard, {REQUESTS} requests: p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95(times) * 1000:.0f} ms, {n_queries} queries per page  (target p95 < 500 ms)"
    )
    print(f"    floor: the figures alone, no page (best of 5)   {floor * 1000:.0f} ms")
    times, n_queries = timed(client, reverse("stats:projects"), {"year": YEAR})
    print(
        f"the year's project list (first page of {len(projects)}): "
        f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95(times) * 1000:.0f} ms, "
        f"{n_queries} queries"
    )
    client.force_login(cast.users["changsha"])
    times, n_queries = timed(client, reverse("stats:dashboard"), {"year": YEAR})
    print(
        f"a city's dashboard (长沙): p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95(times) * 1000:.0f} ms, {n_queries} queries"
    )


if __name__ == "__main__":
    main()
