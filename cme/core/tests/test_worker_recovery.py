"""Issue 8 §4: a background job whose worker was killed mid-way is retried by the next
worker and finishes once, without duplicates. django-tasks-db leaves such a task RUNNING
for ever; `manage.py run_worker` re-queues it (cme.core.worker) and the task bodies are
idempotent."""

import datetime
import io
import socket
import subprocess
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from cme.certificates.models import CertificateBatch, batch_upload_to
from cme.certificates.tasks import build_certificate_batch_task
from cme.certificates.tests.factories import attendees
from cme.core import worker
from cme.core.models import ImportRecord
from cme.holding.tests.factories import held_session
from cme.people.models import Person, StaffImport
from cme.people.tasks import commit_staff_import_task


@pytest.fixture
def database_tasks(settings, monkeypatch):
    """The real backend, and a worker that keeps the test's transaction open."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def dead_worker_id() -> str:
    process = subprocess.Popen(["true"])  # noqa: S607 (a process that has exited)
    process.wait()
    return "{h}:{p}:killed00".format(h=socket.gethostname()[:40], p=process.pid)


def killed_mid_task(result, *, worker_id: str | None = None, minutes_ago: int = 1):
    """What a SIGKILLed worker leaves: the row RUNNING, claimed by a process now gone."""
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        worker_ids=[worker_id or dead_worker_id()],
    )


def run_worker():
    out = io.StringIO()
    call_command(
        "run_worker", batch=True, reload=False, startup_delay=False, interval=0, stdout=out
    )
    return out.getvalue()


def test_a_certificate_zip_interrupted_half_way_is_rebuilt_once(cast, database_tasks):
    session = held_session(cast)
    attendees(session, 5)
    batch = CertificateBatch.objects.create(
        session=session, requested_by=cast.users["city_admin"], total=5
    )
    result = build_certificate_batch_task.enqueue(batch_id=batch.pk)
    # the killed worker had drawn 3 certificates and written part of the zip
    killed_mid_task(result)
    CertificateBatch.objects.filter(pk=batch.pk).update(
        state=CertificateBatch.State.RUNNING, done=3
    )
    storage = batch.file.storage
    storage.save(batch_upload_to(batch, "certificates.zip"), ContentFile(b"PK\x03\x04partial"))

    out = run_worker()

    assert "re-queued 1" in out
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 2
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.DONE
    assert batch.done == batch.total == 5
    folder = "certificates/batches/{s}".format(s=session.pk)
    assert storage.listdir(folder)[1] == [batch.file.name.rsplit("/", 1)[1]]  # one zip
    with batch.file.open("rb") as fh:
        names = zipfile.ZipFile(fh).namelist()
    assert len(names) == len(set(names)) == 5

    # the dead worker's task finished after all (it died reporting success): nothing redone
    killed_mid_task(result)
    run_worker()
    batch.refresh_from_db()
    assert batch.done == 5 and storage.listdir(folder)[1] == [batch.file.name.rsplit("/", 1)[1]]


def staff_import(cast) -> StaffImport:
    from cme.people.imports import preview_staff_import, queue_staff_import_commit
    from cme.people.tests.test_staff_import import ids, rows_for, xlsx

    admin = cast.users["city_admin"]
    record = preview_staff_import(cast.city_hospital, xlsx(rows_for(ids(3))), actor=admin)
    assert record.state == ImportRecord.State.PREVIEWED, record.errors
    return queue_staff_import_commit(record, actor=admin)


def test_a_staff_import_whose_worker_died_is_committed_once(cast, database_tasks):
    before = Person.objects.count()
    record = staff_import(cast)
    result = DBTaskResult.objects.get(task_path=commit_staff_import_task.module_path)
    killed_mid_task(result)  # inside its transaction: nothing of it was kept

    run_worker()

    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTED
    assert Person.objects.count() == before + 3

    killed_mid_task(result)  # it had committed and died before saying so
    run_worker()
    assert DBTaskResult.objects.get(pk=result.pk).return_value == "IMPORT_NOT_READY"
    assert Person.objects.count() == before + 3


def test_a_live_or_recent_worker_keeps_its_task(cast, database_tasks):
    record = staff_import(cast)
    result = DBTaskResult.objects.get(task_path=commit_staff_import_task.module_path)
    alive = "{h}:1:init0000".format(h=socket.gethostname()[:40])  # pid 1 always runs
    killed_mid_task(result, worker_id=alive)
    assert worker.recover_lost_tasks().requeued == []
    killed_mid_task(result, worker_id="other-host:123:abc")
    assert worker.recover_lost_tasks().requeued == []
    killed_mid_task(result, worker_id="other-host:123:abc", minutes_ago=3 * 60)
    assert worker.recover_lost_tasks().requeued == [str(result.pk)]
    record.refresh_from_db()
    assert record.state == ImportRecord.State.COMMITTING


def test_a_task_lost_three_times_is_failed_and_its_import_says_so(cast, database_tasks):
    record = staff_import(cast)
    result = DBTaskResult.objects.get(task_path=commit_staff_import_task.module_path)
    killed_mid_task(result)
    DBTaskResult.objects.filter(pk=result.pk).update(
        worker_ids=[dead_worker_id() for _ in range(worker.MAX_ATTEMPTS)]
    )
    recovery = worker.recover_lost_tasks()
    assert recovery.failed == [str(result.pk)]
    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.FAILED
    record.refresh_from_db()
    assert record.state == ImportRecord.State.INVALID
    assert "系统错误" in record.errors[0]["message"]
