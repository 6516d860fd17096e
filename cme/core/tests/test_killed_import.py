"""Issue 8 §4: a staff or roster import killed in the middle of its commit leaves nothing
written, and the next worker commits it again, once.

A real kill: the commit runs in a `manage.py run_worker` subprocess against the test
database; once PostgreSQL shows it inserting persons inside its transaction (a lock on the
table and the table's file growing) it is SIGKILLed. Nothing of it may remain, its task is
left RUNNING by a dead process, and a new worker re-queues and commits it. PostgreSQL only:
the subprocess needs a database server that the test and the worker share."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cme.core.models import ImportRecord
from cme.credits.models import CreditRecord
from cme.demo.builders import resident_id
from cme.holding.models import Attendee, RosterImport
from cme.holding.rosters import preview_roster_import, queue_roster_import_commit
from cme.people.imports import preview_staff_import, queue_staff_import_commit
from cme.people.models import Person, StaffImport, UnitHistory
from cme.people.tests.test_staff_import import rows_for
from cme.people.tests.test_staff_import import xlsx as staff_xlsx

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker process killed mid-commit needs PostgreSQL"
)
ROWS = 4000
ROOT = Path(__file__).resolve().parents[3]


def distinct_ids(n: int) -> list[str]:
    rng, seen = random.Random(8), set()
    while len(seen) < n:
        seen.add(resident_id(rng, "430102", rng.randint(1985, 2000)))
    return sorted(seen)


def worker(*extra: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "cme.settings",
        "DATABASE_URL": "postgres://{u}@{h}:{p}/{n}".format(
            u=db["USER"], h=db["HOST"] or "127.0.0.1", p=db["PORT"] or 5432, n=db["NAME"]
        ),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CME_SIGNING_DIR": str(settings.CERT_SIGNING_DIR),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TESTING", None)
    command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(  # noqa: S603 (our own manage.py)
        [*command, "--interval", "0.1", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def sql(query: str, *params):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def inserting_persons() -> int | None:
    """The pid of another backend holding a write lock on the persons table."""
    row = sql(
        "SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()",
        Person._meta.db_table,
    )
    return row[0] if row else None


def staff_import(cast, numbers):
    admin = cast.users["city_admin"]
    upload = staff_xlsx(rows_for(numbers))
    return preview_staff_import(cast.city_hospital, upload, actor=admin), admin


def roster_import(cast, numbers):
    from cme.holding.tests.factories import held_session
    from cme.holding.tests.test_roster_import import row
    from cme.holding.tests.test_roster_import import xlsx as roster_xlsx

    admin = cast.users["city_admin"]
    upload = roster_xlsx([row(i + 1, "学员{}".format(i), n) for i, n in enumerate(numbers)])
    return preview_roster_import(held_session(cast), upload, actor=admin), admin


IMPORTS = {
    "staff": (staff_import, queue_staff_import_commit, StaffImport),
    "roster": (roster_import, queue_roster_import_commit, RosterImport),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", IMPORTS)
def test_an_import_killed_mid_commit_writes_nothing_and_commits_once_later(cast, settings, kind):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    preview, queue, model = IMPORTS[kind]
    numbers = distinct_ids(ROWS)
    record, admin = preview(cast, numbers)
    assert record.state == ImportRecord.State.PREVIEWED, record.errors[:3]
    queue(record, actor=admin)
    credits = CreditRecord.objects.count()
    size_before = sql("SELECT pg_relation_size(%s)", Person._meta.db_table)[0]

    process = worker()
    deadline, backend, grown = time.monotonic() + 120, None, 0
    while time.monotonic() < deadline and process.poll() is None:
        backend = inserting_persons()
        grown = sql("SELECT pg_relation_size(%s)", Person._meta.db_table)[0] - size_before
        if backend and grown >= 8 * 8192:  # some hundreds of rows are in, uncommitted
            break
        time.sleep(0.005)
    assert process.poll() is None, process.stdout.read().decode()[-2000:]
    assert backend, "the worker never started writing persons"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    print(
        "{k}: killed the worker after {n} KiB of persons were written".format(
            k=kind, n=grown // 1024
        )
    )

    # PostgreSQL sees the connection drop and rolls the transaction back
    for _ in range(200):
        if not sql("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", backend)[0]:
            break
        time.sleep(0.05)
    assert not Person.objects.filter(id_number__in=numbers).exists()
    assert not UnitHistory.objects.filter(person__id_number__in=numbers).exists()
    assert not Attendee.objects.filter(person__id_number__in=numbers).exists()
    assert CreditRecord.objects.count() == credits
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTING
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.RUNNING  # what django-tasks-db leaves behind

    again = worker("--batch")
    out = again.communicate(timeout=300)[0].decode()
    assert again.returncode == 0, out[-2000:]
    assert "re-queued 1" in out
    record = model.objects.get(pk=record.pk)
    assert record.state == ImportRecord.State.COMMITTED, record.errors[:3]
    assert record.created_count == ROWS
    assert Person.objects.filter(id_number__in=numbers).count() == ROWS
    if kind == "roster":
        assert Attendee.objects.filter(person__id_number__in=numbers).count() == ROWS
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 2
