"""Benchmark: import 20,000 generated staff rows, beside the floor measured in the same run.

floor = python-calamine reading the same file + one bulk insert of the same rows with no
validation; ours = the real import (preview, then commit: read, normalise, validate every
ID with python-stdnum, check the registry, write persons, unit history and the record).

    DEBUG=1 .venv/bin/python bench/staff_import.py            # SQLite (a scratch file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench DEBUG=1 .venv/bin/python bench/staff_import.py
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

ROWS = int(os.environ.get("BENCH_ROWS", "20000"))
TITLES = ["护士", "护师", "主管护师", "医师", "主治医师", "副主任医师", "药师", "技师"]


def make_file(n: int) -> bytes:
    from cme.demo.builders import resident_id

    rng = random.Random(20000)
    seen: set[str] = set()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["序号", "姓名", "性别", "证件号码", "科室", "职称", "手机号码"])
    row = 1
    while row <= n:
        number = resident_id(rng, "430102", rng.randint(1985, 2000))
        if number in seen:
            continue
        seen.add(number)
        sex = "男" if int(number[16]) % 2 else "女"
        sheet.write_row(
            row, 0, [row, f"人员{row}", sex, number, "内科", rng.choice(TITLES), f"138{row:08d}"]
        )
        row += 1
    book.close()
    return buffer.getvalue()


def floor(data: bytes, unit) -> float:
    """calamine read + one bulk insert of the same rows, no validation; rolled back."""
    from cme.people.models import Person

    start = time.perf_counter()
    rows = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        .get_sheet_by_index(0)
        .to_python()
    )
    people = [
        Person(
            unit=unit, name=r[1], id_number=str(r[3]), title=r[5], department=r[4], phone=str(r[6])
        )
        for r in rows[1:]
    ]
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=2000)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    from cme.demo.builders import build_cast
    from cme.people.imports import commit_staff_import, preview_staff_import
    from cme.people.models import Person

    call_command("migrate", verbosity=0)
    cast = build_cast()
    unit, admin = cast.city_hospital, cast.users["city_admin"]
    data = make_file(ROWS)
    print(f"database: {connection.vendor}; rows: {ROWS}; file: {len(data) / 1e6:.1f} MB")

    floor_s = min(floor(data, unit) for _ in range(2))
    start = time.perf_counter()
    record = preview_staff_import(unit, SimpleUploadedFile("bench.xlsx", data), actor=admin)
    preview_s = time.perf_counter() - start
    assert not record.errors, record.errors[:3]
    start = time.perf_counter()
    commit_staff_import(record, actor=admin)
    commit_s = time.perf_counter() - start
    assert Person.objects.filter(unit=unit).count() >= ROWS

    start = time.perf_counter()
    again = preview_staff_import(unit, SimpleUploadedFile("bench.xlsx", data), actor=admin)
    reimport_s = time.perf_counter() - start
    assert again.unchanged_count == ROWS

    print(f"floor (calamine read + bulk insert):  {floor_s:6.2f} s  {ROWS / floor_s:8.0f} rows/s")
    print(
        f"import: preview (read + validate)    {preview_s:6.2f} s  {ROWS / preview_s:8.0f} rows/s"
    )
    print(
        f"import: commit (re-check + write)    {commit_s:6.2f} s  {ROWS / commit_s:8.0f} rows/s  {commit_s / floor_s:.2f}x floor"
    )
    print(
        f"import: preview + commit             {preview_s + commit_s:6.2f} s  {ROWS / (preview_s + commit_s):8.0f} rows/s  {(preview_s + commit_s) / floor_s:.2f}x floor"
    )
    print(
        f"re-import of the same file (preview) {reimport_s:6.2f} s  unchanged: {again.unchanged_count}"
    )


if __name__ == "__main__":
    main()
