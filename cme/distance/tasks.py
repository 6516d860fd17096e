"""Background work of distance learning and annual meetings (django-tasks; `manage.py
run_worker` runs it): the commits of the two imports."""

from django_tasks import task

from cme.core.imports import fail_import, run_commit
from cme.core.worker import on_lost
from cme.distance.completions import commit_completion_import
from cme.distance.meetings import commit_attendance_import
from cme.distance.models import AttendanceImport, CompletionImport


@task()
def commit_completion_import_task(import_id: int, actor_id: int) -> str:
    record = CompletionImport.objects.select_related("filing__provider", "filing__city").get(
        pk=import_id
    )
    return run_commit(record, commit_completion_import, actor_id)


@task()
def commit_attendance_import_task(import_id: int, actor_id: int) -> str:
    record = AttendanceImport.objects.select_related("meeting__society").get(pk=import_id)
    return run_commit(record, commit_attendance_import, actor_id)


@on_lost(commit_completion_import_task)
def _completion_commit_lost(import_id: int, actor_id: int) -> None:
    fail_import(CompletionImport(pk=import_id))


@on_lost(commit_attendance_import_task)
def _attendance_commit_lost(import_id: int, actor_id: int) -> None:
    fail_import(AttendanceImport(pk=import_id))
