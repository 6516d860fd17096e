"""Benchmark: electronic certificates for a 5,000-attendee session, beside floors measured
in the same run.

(a) floor = reportlab alone drawing the same page 5,000 times (the same text, already
    wrapped, and the same QR modules, all computed beforehand; no database, no QR
    encoding, no signature); ours = the real batch (`build_certificate_batch`: one query,
    values, QR code, drawing, pyHanko + OpenSSL signature, zip), sequentially. "drawn" is
    ours without the signature and the zip. Target: ours within 2x of the floor.
(b) the public verify endpoint (`/api/v1/certificates/{number}/verify`): gunicorn serves
    the same database on loopback, one keep-alive client; p50/p95/p99 over 10,000
    look-ups of random numbers. Target: p95 < 20 ms.
(c) the roster import benchmark (bench/roster_import.py), when it is there.

    DEBUG=1 .venv/bin/python bench/roster_certificates.py                 # SQLite (a scratch file)
    BENCH_ROWS=200 DEBUG=1 .venv/bin/python bench/roster_certificates.py  # a quick smoke run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench DEBUG=1 .venv/bin/python bench/roster_certificates.py
"""

import http.client
import io
import os
import random
import socket
import subprocess
import sys
import time

# isort: split
from scratch import ROOT, scratch  # noqa: F401  (sets Django up)

# isort: split

import segno
from django.core.management import call_command
from django.db import connection
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
LOOKUPS = min(10_000, 2 * ROWS)  # 10,000 for the full run; fewer for a smoke run


# --- setup --------------------------------------------------------------------------------------


def roster_session():
    """A session of an approved provincial project with ROWS valid credit records and their
    certificates (persons bulk-created with valid ID numbers)."""
    from cme.certificates.actions import issue_certificates
    from cme.credits.models import Category, CreditRecord, Source
    from cme.demo.builders import build_cast, resident_id
    from cme.holding.tests.factories import held_session
    from cme.people.models import Person

    cast = build_cast()
    session = held_session(cast)
    rng = random.Random(5000)
    taken = set(Person.objects.values_list("id_number", flat=True))
    persons = []
    while len(persons) < ROWS:
        number = resident_id(rng, "430102", rng.randint(1985, 2000))
        if number not in taken:
            taken.add(number)
            persons.append(
                Person(unit=cast.city_hospital, name=f"学员{len(persons) + 1}", id_number=number)
            )
    persons = Person.objects.bulk_create(persons, batch_size=1000)
    CreditRecord.objects.bulk_create(
        [
            CreditRecord(
                person=p,
                session=session,
                year=2024,
                category=Category.I,
                source_id=Source.PROVINCIAL_PROJECT,
                amount="2.0",
                hours="12.0",
                status=CreditRecord.Status.VALID,
            )
            for p in persons
        ],
        batch_size=1000,
    )
    start = time.perf_counter()
    issued = issue_certificates(CreditRecord.objects.filter(session=session))
    print(f"issue_certificates: {len(issued)} in {time.perf_counter() - start:.2f} s")
    return cast, session


# --- (a) drawing and signing ---------------------------------------------------------------------


def floor_pages(session) -> list[dict]:
    """Everything the floor draws, computed before it is timed."""
    from cme.certificates import documents
    from cme.certificates.queries import session_certificates

    font = documents.cjk_font()
    shared = documents.session_values(session)
    width = documents.RIGHT - documents.LEFT
    value_width = width - documents._label_width()
    pages = []
    for c in session_certificates(session):
        values = documents.certificate_values(c, shared)
        statement = documents.STATEMENTS[False].format(
            name=values["姓名"],
            dates=values["举办起止日期"],
            level=values["项目级别"],
            project=values["项目名称"],
            hours=values["学时"],
            category=values["学分类别"],
            amount=values["学分"],
        )
        url = documents.verify_url(c.number)
        pages.append(
            {
                "values": values,
                "statement": documents.wrap("\u3000\u3000" + statement, font, 13, width),
                "rows": [
                    (label, documents.wrap(values[label], font, 11, value_width))
                    for label in documents.ROWS
                ],
                "url": url,
                "qr": qr_runs(segno.make(url, error="m", micro=False).matrix),
            }
        )
    return pages


def qr_runs(matrix) -> tuple[int, list[tuple[int, int, int]]]:
    """(modules per side, [(column, row, length)]) of each horizontal run of dark modules."""
    runs = []
    for row, modules in enumerate(matrix):
        start = None
        for col, dark in enumerate((*modules, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append((start, row, col - start))
                start = None
    return len(matrix), runs


def draw_floor(page: dict) -> bytes:
    """The certificate page with plain reportlab calls."""
    from cme.certificates import documents as d

    font = d.cjk_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=0)
    c.setStrokeColor(d.FRAME)
    c.setLineWidth(3)
    c.rect(28, 28, d.WIDTH - 56, d.HEIGHT - 56)
    c.setLineWidth(0.8)
    c.rect(36, 36, d.WIDTH - 72, d.HEIGHT - 72)
    c.setFillColor(d.FRAME)
    c.setFont(font, 26)
    c.drawCentredString(d.WIDTH / 2, d.HEIGHT - 105, d.TITLES[False])
    c.setFillColor(d.INK)
    c.setFont(font, 10)
    c.drawCentredString(d.WIDTH / 2, d.HEIGHT - 128, "证书编号：" + page["values"]["证书编号"])
    y = d.HEIGHT - 170
    c.setFont(font, 13)
    for line in page["statement"]:
        c.drawString(d.LEFT, y, line)
        y -= 22
    y -= 10
    c.setStrokeColor(d.RULE)
    c.setLineWidth(0.5)
    c.line(d.LEFT, y + 15, d.RIGHT, y + 15)
    c.setFont(font, 11)
    for label, lines in page["rows"]:
        c.drawString(d.LEFT + 6, y, label)
        for line in lines:
            c.drawString(d.LEFT + d._label_width(), y, line)
            y -= 17
        y -= 7
        c.line(d.LEFT, y + 15, d.RIGHT, y + 15)
    side, runs = page["qr"]
    module = 96 / side
    path = c.beginPath()
    for col, row, length in runs:
        path.rect(
            d.RIGHT - 96 + col * module, 92 + 96 - (row + 1) * module, length * module, module
        )
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)
    c.setFillColor(d.INK)
    c.setFont(font, 12)
    c.drawString(d.LEFT, 160, "授分单位：" + page["values"]["授分单位"])
    c.drawString(d.LEFT, 138, "发证日期：" + page["values"]["发证日期"])
    c.setFont(font, 8.5)
    c.drawString(d.LEFT, 112, "扫描右侧二维码或访问以下网址核验本证书：")
    c.drawString(d.LEFT, 100, page["url"])
    c.drawCentredString(d.WIDTH / 2, 56, d.FOOTNOTE)
    c.showPage()
    c.save()
    return buffer.getvalue()


def drawn(session) -> float:
    """Ours up to the unsigned page: the query, the values, the QR code, the drawing."""
    from cme.certificates import documents
    from cme.certificates.queries import session_certificates

    start = time.perf_counter()
    shared = documents.session_values(session)
    for c in session_certificates(session):
        documents.draw_certificate(
            documents.certificate_values(c, shared),
            lecturer=c.is_lecturer,
            url=documents.verify_url(c.number),
        )
    return time.perf_counter() - start


def certificates_bench(cast, session) -> None:
    from cme.certificates.actions import build_certificate_batch
    from cme.certificates.models import CertificateBatch

    pages = floor_pages(session)
    start = time.perf_counter()
    for page in pages:
        draw_floor(page)
    floor_s = time.perf_counter() - start

    drawn_s = drawn(session)

    batch = CertificateBatch.objects.create(session=session, requested_by=cast.users["city_admin"])
    start = time.perf_counter()
    batch = build_certificate_batch(batch)
    ours_s = time.perf_counter() - start
    assert batch.done == batch.total == ROWS, (batch.done, batch.total)
    size = batch.file.size

    print(
        f"floor (reportlab alone, same page)        {floor_s:6.2f} s  {ROWS / floor_s:6.0f} certificates/s"
    )
    print(
        f"ours, drawn (query+values+QR+draw)        {drawn_s:6.2f} s  {ROWS / drawn_s:6.0f} certificates/s  {drawn_s / floor_s:.2f}x floor"
    )
    print(
        f"ours, drawn+signed+zipped (the batch)     {ours_s:6.2f} s  {ROWS / ours_s:6.0f} certificates/s  {ours_s / floor_s:.2f}x floor"
        f"  (zip {size / 1e6:.1f} MB)"
    )


# --- (b) the public verify endpoint --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    """gunicorn on the same database, production settings (DEBUG off)."""
    env = os.environ | {
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "cme.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "gthread",
        "--threads",
        "2",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 -- a fixed command line


def wait_until_up(port: int, path: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def verify_bench(session) -> None:
    from cme.certificates.models import Certificate

    numbers = list(
        Certificate.objects.filter(credit__session=session).values_list("number", flat=True)
    )
    rng = random.Random(10_000)
    paths = [f"/api/v1/certificates/{rng.choice(numbers)}/verify" for _ in range(LOOKUPS)]
    port = free_port()
    server = serve(port)
    try:
        wait_until_up(port, paths[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for path in paths[:200]:  # warm both workers up
            conn.request("GET", path)
            conn.getresponse().read()
        timings = []
        for path in paths:
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status == 200, response.status
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    timings.sort()

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(len(timings) * p))]

    print(
        f"verify API over loopback ({LOOKUPS} look-ups, gunicorn, keep-alive): "
        f"p50 {pct(0.50):.2f} ms  p95 {pct(0.95):.2f} ms  p99 {pct(0.99):.2f} ms  "
        f"(target p95 < 20 ms)"
    )


# --- (c) the roster import benchmark (bench/roster_import.py, written separately) ---------------


def roster_import_bench() -> None:
    """Runs `run_roster_import_bench()` of bench/roster_import.py on an emptied database
    (it builds its own cast), or says why it is skipped."""
    try:
        from roster_import import run_roster_import_bench
    except ImportError as exc:
        print(f"roster import: skipped ({exc})")
        return
    from cme.orgs.models import Region
    from cme.orgs.regions import load_regions
    from cme.policy.data import load_disciplines, load_policy
    from cme.policy.models import Discipline, PolicyValue

    call_command("flush", interactive=False, verbosity=0)
    load_regions(Region)
    load_policy(PolicyValue)
    load_disciplines(Discipline)
    print("--- roster import (bench/roster_import.py) ---")
    run_roster_import_bench()


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; certificates: {ROWS}")
    cast, session = roster_session()
    certificates_bench(cast, session)
    connection.close()  # the server gets the database to itself
    verify_bench(session)
    roster_import_bench()


if __name__ == "__main__":
    main()
