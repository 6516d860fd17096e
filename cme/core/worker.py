"""Recovering background tasks whose worker died (issue 8 §4).

django-tasks-db marks a task RUNNING when a worker claims it and only a live worker ever
moves it on, so a worker killed mid-task (OOM, deploy, power) leaves the row RUNNING for
ever, and whatever the task was doing (a certificate zip, an import's commit) never
finishes. It records which workers claimed a row (`worker_ids`) but has no heartbeat.

`manage.py run_worker` (db_worker plus this) names each worker `host:pid:token`, and
before taking work re-queues every RUNNING task that is lost:

- its last worker ran on this host and that process is gone, or
- it started longer ago than `stale_after` (a worker on another host, or one named the
  old way; no task of this platform runs for hours).

A task that has been lost `MAX_ATTEMPTS` times is failed instead of re-queued (it may be
what kills the worker), and the handler its module registered with `on_lost` explains it
on the domain record. Task bodies are idempotent, so running one again is safe: an import
commits only from previewed/committing under a row lock, a certificate batch rebuilds its
one zip from scratch.
"""

import datetime
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("cme.worker")

STALE_AFTER = datetime.timedelta(hours=2)
MAX_ATTEMPTS = 3
LOST_MESSAGE = "cme.core.worker.WorkerLost"

_on_lost: dict[str, Callable[..., None]] = {}


def on_lost(task) -> Callable:
    """@on_lost(my_task) def handler(**task_kwargs): called when `my_task` is given up."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        _on_lost[task.module_path] = handler
        return handler

    return register


def new_worker_id() -> str:
    """host:pid:token (db_worker allows 64 characters)."""
    return "{h}:{p}:{t}".format(h=socket.gethostname()[:40], p=os.getpid(), t=get_random_string(8))


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():  # at start-up no task is ours: an old worker's reused pid
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def worker_gone(worker_id: str) -> bool:
    """True when `worker_id` names a process of this host that no longer runs."""
    host, _, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    return not _process_alive(int(pid))


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover_lost_tasks(*, stale_after: datetime.timedelta = STALE_AFTER) -> Recovery:
    """Re-queue (or, after MAX_ATTEMPTS, fail) every RUNNING task whose worker is gone."""
    done = Recovery()
    cutoff = timezone.now() - stale_after
    for result in DBTaskResult.objects.running().order_by("started_at"):
        last = result.worker_ids[-1] if result.worker_ids else ""
        stale = result.started_at is None or result.started_at < cutoff
        if not (stale or worker_gone(last)):
            continue
        # conditional, so two workers starting at once recover a task once
        claimed = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        if len(result.worker_ids) >= MAX_ATTEMPTS:
            if claimed.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path=LOST_MESSAGE,
                traceback="worker lost {n} times (last {w}); not retried".format(
                    n=len(result.worker_ids), w=last
                ),
            ):
                done.failed.append(str(result.pk))
                _give_up(result)
        elif claimed.update(status=TaskResultStatus.READY, started_at=None):
            done.requeued.append(str(result.pk))
    for pk in done.requeued:
        logger.warning("re-queued task %s: its worker was lost", pk)
    for pk in done.failed:
        logger.error("failed task %s: its worker was lost %d times", pk, MAX_ATTEMPTS)
    return done


def _give_up(result: DBTaskResult) -> None:
    try:
        import_string(result.task_path)  # importing the task's module registers its handler
    except ImportError:
        return
    handler = _on_lost.get(result.task_path)
    if handler is not None:
        handler(*result.args_kwargs.get("args", []), **result.args_kwargs.get("kwargs", {}))
