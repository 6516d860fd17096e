"""A Hunan-sized data set, built deterministically from a seed (issue 8 §1; SPEC §11):
~520,000 persons in ~6,000 units under 14 cities and 122 counties, ~3,600 projects with 1-6
sessions and rosters of 50-5,000, and 15-40 credit records per person for the year.

`scale` multiplies every count (0.001 makes a set of a few hundred people for tests). On
PostgreSQL the big tables go in with COPY; elsewhere with bulk_create. The same seed and
scale give the same data (ids aside).
"""

import datetime
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from stdnum.cn import ric

from cme.accounts.models import User
from cme.certificates.models import ALPHABET, Certificate
from cme.credits.models import Category, CreditRecord
from cme.holding.models import Attendee, HeldSession
from cme.orgs.actions import create_organisation
from cme.orgs.models import Organisation, Region
from cme.people.models import IdType, Person
from cme.people.titles import TitleLevel
from cme.projects.models import Level, Project, State
from cme.stats.tallies import count_year

K = Organisation.Kind
PERSONS = 520_000
UNITS = 6_000
PROJECTS = 3_600
# series (share of staff, SPEC §11), the title names by level 1-5
SERIES = [
    ("护理", 47, ["护士", "护师", "主管护师", "副主任护师", "主任护师"]),
    ("医疗", 38, ["医士", "医师", "主治医师", "副主任医师", "主任医师"]),
    ("药学", 5, ["药士", "药师", "主管药师", "副主任药师", "主任药师"]),
    ("技术", 7, ["技士", "技师", "主管技师", "副主任技师", "主任技师"]),
    ("中医", 3, ["中医士", "中医师", "主治中医师", "副主任中医师", "主任中医师"]),
]
LEVEL_WEIGHTS = [15, 35, 30, 15, 5]
DEPARTMENTS = ["内科", "外科", "儿科", "妇产科", "急诊科", "护理部", "药剂科", "检验科", "影像科"]
# unit grade, share of units, relative staff size
GRADES = [("3", 3, 60.0), ("2", 15, 12.0), ("1", 40, 1.6), ("", 42, 0.5)]
# credit source, category, amount range; weights
# The credits a person earns outside the province's sessions (whose credits the attendance
# gives, PROJECT_SOURCE): projects elsewhere, distance courses, their unit's activities.
SOURCES = [
    ("provincial_project", Category.I, (0.5, 2.0), 2),
    ("national_project", Category.I, (1.0, 3.0), 1),
    ("distance", Category.I, (0.3, 1.5), 5),
    ("city_project", Category.II, (0.5, 1.5), 2),
    ("unit_lecture", Category.II, (0.2, 1.0), 4),
    ("unit_case_discussion", Category.II, (0.2, 0.5), 4),
    ("self_study_review", Category.II, (0.5, 1.5), 1),
    ("paper", Category.II, (0.5, 2.0), 1),
]
PROJECT_SOURCE = {  # a session's credits by its project's level: (source, category)
    Level.NATIONAL: ("national_project", Category.I),
    Level.PROVINCIAL: ("provincial_project", Category.I),
    Level.CITY: ("city_project", Category.II),
}
CHUNK = 50_000  # certificates numbered and copied at a time
GENERATOR = "generator"  # the user named as creator of what is generated; it cannot log in
STATES = [(State.COMPLETED, 5), (State.HELD, 2), (State.PUBLISHED, 2), (State.LAPSED, 1)]
LEVELS = [(Level.NATIONAL, 1), (Level.PROVINCIAL, 3), (Level.CITY, 2)]


@dataclass
class Built:
    cities: int = 0
    counties: int = 0
    units: int = 0
    persons: int = 0
    projects: int = 0
    sessions: int = 0
    attendees: int = 0
    records: int = 0


def _scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale))


def _authority(name: str, region: str, above: Organisation | None) -> Organisation:
    found = Organisation.objects.filter(name=name, kind=K.AUTHORITY).first()
    if found:
        return found
    return create_organisation(
        actor=None,
        name=name,
        kind=K.AUTHORITY,
        region=Region.objects.get(code=region),
        licensing_authority=above,
    )


def _copy(model, columns: list[str], rows: Iterator[tuple]) -> int:
    """COPY on PostgreSQL, bulk_create in batches elsewhere; `columns` are attribute names."""
    count = 0
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        names = [model._meta.get_field(c).column for c in columns]
        with connection.cursor() as cursor:
            sql = "COPY {t} ({c}) FROM STDIN".format(t=table, c=", ".join(names))
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) == 5000:
            count += len(model.objects.bulk_create(batch))
            batch = []
    return count + len(model.objects.bulk_create(batch))


def generate(
    *, seed: int = 2026, scale: float = 1.0, year: int | None = None, say: Callable = print
) -> Built:
    rng = random.Random(seed)
    year = year or timezone.localdate().year
    built = Built()
    started = time.perf_counter()

    def progress(what: str) -> None:
        say("{s:7.1f} s  {w}".format(s=time.perf_counter() - started, w=what))

    with transaction.atomic():
        national = _authority("全国继续医学教育委员会办公室", "430000", None)
        province = _authority("湖南省卫生健康委员会", "430000", national)
        cities, counties = [], []
        for city in Region.objects.filter(code__startswith="43", level="city").order_by("code"):
            authority = _authority(city.name + "卫生健康委员会", city.code, province)
            cities.append(authority)
            for county in city.children.filter(level="county").order_by("code"):
                counties.append(_authority(county.name + "卫生健康局", county.code, authority))
        built.cities, built.counties = len(cities), len(counties)
        progress(f"{len(cities)} cities, {len(counties)} counties")

        n_units = _scaled(UNITS, scale)
        grades = [g for g, share, _size in GRADES for _ in range(share)]
        size_of = {g: size for g, _share, size in GRADES}
        units, sizes = [], []
        for i in range(n_units):
            grade = rng.choice(grades)
            roll = rng.random()
            above = (
                province
                if roll < 0.03
                else rng.choice(cities)
                if roll < 0.18
                else rng.choice(counties)
            )
            units.append(
                Organisation(
                    name="{r}第{n}医疗机构".format(
                        r=above.name.replace("卫生健康", "")[:12], n=i + 1
                    ),
                    kind=K.MEDICAL,
                    region_id=above.region_id,
                    licensing_authority=above,
                    grade=grade,
                )
            )
            sizes.append(size_of[grade] * rng.uniform(0.5, 1.5))
        units = Organisation.objects.bulk_create(units, batch_size=2000)
        paths = {o.pk: o.tree_path for o in [province, *cities, *counties]}
        for u in units:
            u.tree_path = "{p}{i}/".format(p=paths[u.licensing_authority_id], i=u.pk)
        Organisation.objects.bulk_update(units, ["tree_path"], batch_size=2000)
        built.units = len(units)
        progress(f"{len(units)} units")

        n_persons = _scaled(PERSONS, scale)
        factor = n_persons / sum(sizes)
        staff = [max(1, round(s * factor)) for s in sizes]
        staff[-1] += n_persons - sum(staff)
        if staff[-1] < 1:
            staff[-1] = 1
        series_pool = [(name, titles) for name, share, titles in SERIES for _ in range(share)]
        now = timezone.now()
        base_birth = datetime.date(1962, 1, 1)

        def person_rows() -> Iterator[tuple]:
            i = 0
            for unit, count in zip(units, staff, strict=True):
                region = unit.region_id
                for _ in range(count):
                    birth = base_birth + datetime.timedelta(days=(i // 1000) % 13000)
                    body = "{r}{d:%Y%m%d}{s:03d}".format(r=region, d=birth, s=i % 1000)
                    series, titles = rng.choice(series_pool)
                    level = rng.choices(range(1, 6), LEVEL_WEIGHTS)[0]
                    yield (
                        "职工{n}".format(n=i + 1),
                        IdType.RESIDENT,
                        body + ric.calc_check_digit(body + "0"),
                        "F" if i % 1000 % 2 == 0 else "M",
                        birth,
                        titles[level - 1],
                        series,
                        int(TitleLevel(level)),
                        rng.choice(DEPARTMENTS),
                        "",
                        unit.pk,
                        now,
                        now,
                    )
                    i += 1

        columns = [
            "name", "id_type", "id_number", "sex", "birth_date", "title", "title_series",
            "title_level", "department", "phone", "unit_id", "created_at", "updated_at",
        ]  # fmt: skip
        built.persons = _copy(Person, columns, person_rows())
        person_ids = list(Person.objects.filter(unit__in=units).values_list("pk", flat=True))
        progress(f"{built.persons} persons")

        n_projects = _scaled(PROJECTS, scale)
        creator, _created = User.objects.get_or_create(
            username=GENERATOR, defaults={"first_name": "数据生成", "is_active": False}
        )  # generated projects and sessions name it as their creator; it cannot log in
        projects = []
        for i in range(n_projects):
            sponsor = rng.choice(units)
            level = rng.choices(*zip(*LEVELS, strict=True))[0]
            projects.append(
                Project(
                    year=year,
                    level=level,
                    name="继续医学教育项目{n}".format(n=i + 1),
                    number="{y}-99-{n:05d}({s})".format(
                        y=year, n=i + 1, s="国" if level == Level.NATIONAL else "湘"
                    ),
                    sponsor=sponsor,
                    declared_by=sponsor,
                    state=rng.choices(*zip(*STATES, strict=True))[0],
                    sessions_planned=rng.randint(1, 6),
                    expected_participants=rng.choice([60, 100, 200, 500, 1000]),
                    credits=Decimal("2.0"),
                    created_by=creator,
                )
            )
        projects = Project.objects.bulk_create(projects, batch_size=2000)
        built.projects = len(projects)
        sessions = []
        for p in projects:
            for n in range(1, p.sessions_planned + 1):
                start = datetime.date(year, rng.randint(1, 11), rng.randint(1, 25))
                sessions.append(
                    HeldSession(
                        project=p,
                        number=n,
                        starts_on=start,
                        ends_on=start + datetime.timedelta(days=rng.randint(0, 2)),
                        region_id=p.sponsor.region_id,
                        address="学术报告厅",
                        expected_participants=p.expected_participants,
                        credits=p.credits,
                        created_by=creator,
                    )
                )
        sessions = HeldSession.objects.bulk_create(sessions, batch_size=2000)
        built.sessions = len(sessions)
        progress(f"{built.projects} projects, {built.sessions} sessions")

        def roster(i: int) -> list[int]:
            """Session i's attendees: drawn from a seed of their own, so the credits of the
            attendance below are drawn again without holding 2 million pairs in memory."""
            draw = random.Random(seed * 1_000_003 + i)
            size = min(len(person_ids), int(min(5000, max(50, draw.lognormvariate(4.8, 0.9)))))
            return draw.sample(person_ids, size)

        def attendee_rows() -> Iterator[tuple]:
            for i, s in enumerate(sessions):
                for pid in roster(i):
                    yield (s.pk, pid, "", "", "", "", "", Attendee.Source.IMPORT, True, now)

        columns = [
            "session_id", "person_id", "unit_name", "department", "title", "phone", "email",
            "source", "passed", "created_at",
        ]  # fmt: skip
        built.attendees = _copy(Attendee, columns, attendee_rows())
        progress(f"{built.attendees} attendees")

        attended: Counter[int] = Counter()

        def awarded_rows() -> Iterator[tuple]:
            """Each attendee's credit of the session, as the execution report awards it."""
            for i, s in enumerate(sessions):
                source, category = PROJECT_SOURCE[s.project.level]
                for pid in roster(i):
                    attended[pid] += 1
                    yield (
                        pid, year, category, source, "learner", s.credits, s.credits * 3,
                        s.ends_on, s.pk, "", "", "", "", "valid", "", now, now,
                    )  # fmt: skip

        columns = [
            "person_id", "year", "category", "source_id", "role", "amount", "hours",
            "activity_date", "session_id", "title", "certificate_number", "certificate_key",
            "evidence", "status", "status_reason", "created_at", "updated_at",
        ]  # fmt: skip
        before = CreditRecord.objects.aggregate(last=Max("pk"))["last"] or 0
        awarded = _copy(CreditRecord, columns, awarded_rows())
        progress(f"{awarded} credit records of the sessions")

        def certificate_rows() -> Iterator[tuple]:
            """A certificate for each credit of a session awarded above, numbered from the
            seed (a database that holds other data keeps its own certificates)."""
            draw, last, today = random.Random(seed + 5), before, timezone.localdate()
            session_credits = CreditRecord.objects.filter(year=year, session__isnull=False)
            while chunk := list(
                session_credits.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:CHUNK]
            ):
                for pk in chunk:
                    bits = draw.getrandbits(80)
                    number = "".join(ALPHABET[(bits >> (5 * k)) & 31] for k in range(16))
                    yield (number, pk, today, now)
                last = chunk[-1]

        certificates = 0
        rows = certificate_rows()
        while batch := list(itertools.islice(rows, CHUNK)):
            certificates += _copy(
                Certificate, ["number", "credit_id", "issued_on", "created_at"], batch
            )
        progress(f"{certificates} certificates")

        weights = [w for *_rest, w in SOURCES]

        def record_rows() -> Iterator[tuple]:
            for pid in person_ids:
                # 15-40 records in all, the sessions' credits included
                picks = rng.choices(SOURCES, weights, k=max(rng.randint(15, 40) - attended[pid], 0))
                for code, category, (low, high), _weight in picks:
                    amount = Decimal(str(round(rng.uniform(low, high), 1)))
                    day = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
                    status = "pending" if rng.random() < 0.05 else "valid"
                    hours = amount * 6
                    # then title, certificate number and key, evidence, status, reason, times
                    yield (
                        pid,
                        year,
                        category,
                        code,
                        "learner",
                        amount,
                        hours,
                        day,
                        "",
                        "",
                        "",
                        "",
                        status,
                        "",
                        now,
                        now,
                    )

        columns = [
            "person_id", "year", "category", "source_id", "role", "amount", "hours",
            "activity_date", "title", "certificate_number", "certificate_key", "evidence",
            "status", "status_reason", "created_at", "updated_at",
        ]  # fmt: skip
        built.records = awarded + _copy(CreditRecord, columns, record_rows())
        progress(f"{built.records} credit records in all")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    count_year(year)
    progress("credit tallies counted")
    return built
