"""Background work for staff imports (django-tasks; `manage.py run_worker` runs it)."""

from django_tasks import task

from cme.core.imports import fail_import, run_commit
from cme.core.worker import on_lost
from cme.people.imports import commit_staff_import
from cme.people.models import StaffImport


@task()
def commit_staff_import_task(import_id: int, actor_id: int) -> str:
    record = StaffImport.objects.select_related("unit").get(pk=import_id)
    return run_commit(record, commit_staff_import, actor_id)


@on_lost(commit_staff_import_task)
def _commit_lost(import_id: int, actor_id: int) -> None:
    fail_import(StaffImport(pk=import_id))
