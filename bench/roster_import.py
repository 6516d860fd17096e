"""Benchmark: import a 5,000-row session roster (学员通讯录), beside the floor measured in the
same run. Half the people are already in the registry; the other half are created.

floor = python-calamine reading the same file + one bulk insert of the same rows (persons
for the new half, attendees for all) with no validation; ours = the real import (preview,
then commit: read, normalise, validate every ID with python-stdnum, match names against
the registry and units by name, create persons with their unit history, write attendees
and the record). Both are timed as the best of three runs rolled back, the same way; then
the import is run for real and the same file previewed again (all unchanged).
Target: ours within 3x of the floor.

    DEBUG=1 .venv/bin/python bench/roster_import.py            # SQLite (a scratch file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench DEBUG=1 .venv/bin/python bench/roster_import.py
"""

import io
import os
import random
import time

# isort: split
from scratch import scratch  # noqa: F401  (sets Django up)

# isort: split

import python_calamine
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
TITLES = ["护士", "护师", "主管护师", "医师", "主治医师", "副主任医师", "药师", "技师"]
UNITS = ["长沙市第一医院", "长沙市芙蓉区人民医院", "湖南省人民医院", "某某社区卫生服务中心"]


def people(n: int) -> list[list]:
    from cme.demo.builders import resident_id

    rng = random.Random(5000)
    seen: set[str] = set()
    rows: list[list] = []
    while len(rows) < n:
        number = resident_id(rng, "430102", rng.randint(1985, 2000))
        if number in seen:
            continue
        seen.add(number)
        i = len(rows) + 1
        rows.append(
            [
                i,
                f"学员{i}",
                "男" if int(number[16]) % 2 else "女",
                "居民身份证",
                number,
                rng.choice(UNITS),
                "内科",
                rng.choice(TITLES),
                f"139{i:08d}",
                f"u{i}@example.cn",
                rng.choice(["合格", "合格", "不合格", ""]),
            ]
        )
    return rows


def make_file(rows: list[list]) -> bytes:
    from cme.holding.rosters import TEMPLATE_HEADERS

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, TEMPLATE_HEADERS)
    for r, values in enumerate(rows, start=1):
        sheet.write_number(r, 0, values[0])
        sheet.write_row(r, 1, values[1:])  # all text, the ID column included
    book.close()
    return buffer.getvalue()


def register_half(rows: list[list], unit) -> None:
    """Every second person is already in the registry, in `unit`."""
    from cme.people.models import Person

    Person.objects.bulk_create(
        [Person(unit=unit, name=r[1], id_number=r[4], title=r[7]) for r in rows[::2]],
        batch_size=2000,
    )


def floor(data: bytes, session, unit) -> float:
    """calamine read + one bulk insert of the same rows, no validation; rolled back."""
    from cme.holding.models import Attendee
    from cme.people.models import Person

    start = time.perf_counter()
    rows = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        .get_sheet_by_index(0)
        .to_python()
    )[1:]
    with transaction.atomic():
        known = dict(
            Person.objects.filter(id_number__in=[r[4] for r in rows]).values_list("id_number", "id")
        )
        new = [
            Person(unit=unit, name=r[1], id_number=r[4], title=r[7], department=r[6], phone=r[8])
            for r in rows
            if r[4] not in known
        ]
        Person.objects.bulk_create(new, batch_size=2000)
        known |= {p.id_number: p.pk for p in new}
        Attendee.objects.bulk_create(
            [
                Attendee(
                    session=session,
                    person_id=known[r[4]],
                    unit_name=r[5],
                    department=r[6],
                    title=r[7],
                    phone=r[8],
                    email=r[9],
                    passed={"合格": True, "不合格": False}.get(r[10]),
                    source="import",
                )
                for r in rows
            ],
            batch_size=2000,
        )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def import_once(data: bytes, session, admin, rows: int, *, keep: bool) -> tuple[float, float]:
    """The real import: (preview seconds, commit seconds). Unless `keep`, rolled back like
    the floor, so both are timed the same way and can be repeated on the same database."""
    from cme.holding.rosters import commit_roster_import, preview_roster_import

    with transaction.atomic():
        start = time.perf_counter()
        record = preview_roster_import(session, SimpleUploadedFile("bench.xlsx", data), actor=admin)
        preview_s = time.perf_counter() - start
        assert not record.errors, record.errors[:3]
        start = time.perf_counter()
        commit_roster_import(record, actor=admin)
        commit_s = time.perf_counter() - start
        assert session.attendees.count() == rows
        transaction.set_rollback(not keep)
    return preview_s, commit_s


def run_roster_import_bench(rows: int = ROWS) -> dict[str, float]:
    from cme.demo.builders import build_cast
    from cme.holding.rosters import preview_roster_import
    from cme.holding.tests.factories import held_session

    call_command("migrate", verbosity=0)
    cast = build_cast()
    admin = cast.users["city_admin"]
    session = held_session(cast)
    table = people(rows)
    register_half(table, cast.county_hospital)
    data = make_file(table)
    print(f"database: {connection.vendor}; rows: {rows}; file: {len(data) / 1e6:.2f} MB")

    floor_s = min(floor(data, session, cast.city_hospital) for _ in range(3))
    runs = [import_once(data, session, admin, rows, keep=False) for _ in range(3)]
    preview_s, commit_s = min(runs, key=sum)
    import_once(data, session, admin, rows, keep=True)

    start = time.perf_counter()
    again = preview_roster_import(session, SimpleUploadedFile("bench.xlsx", data), actor=admin)
    reimport_s = time.perf_counter() - start
    assert again.unchanged_count == rows, (again.created_count, again.updated_count)

    ours = preview_s + commit_s
    print(f"floor (calamine read + bulk insert):  {floor_s:6.2f} s  {rows / floor_s:8.0f} rows/s")
    print(
        f"import: preview (read + validate)    {preview_s:6.2f} s  {rows / preview_s:8.0f} rows/s"
    )
    print(
        f"import: commit (re-check + write)    {commit_s:6.2f} s  {rows / commit_s:8.0f} rows/s  {commit_s / floor_s:.2f}x floor"
    )
    print(
        f"import: preview + commit             {ours:6.2f} s  {rows / ours:8.0f} rows/s  {ours / floor_s:.2f}x floor"
    )
    print(
        f"re-import of the same file (preview) {reimport_s:6.2f} s  unchanged: {again.unchanged_count}"
    )
    return {
        "floor_s": floor_s,
        "preview_s": preview_s,
        "commit_s": commit_s,
        "ratio": ours / floor_s,
        "commit_ratio": commit_s / floor_s,
    }


if __name__ == "__main__":
    run_roster_import_bench()
