"""Background work of holding (django-tasks; `manage.py run_worker` runs it)."""

from django_tasks import task

from cme.core.imports import fail_import, run_commit
from cme.core.worker import on_lost
from cme.holding.models import RosterImport
from cme.holding.rosters import commit_roster_import


@task()
def commit_roster_import_task(import_id: int, actor_id: int) -> str:
    record = RosterImport.objects.select_related("session__project__declared_by").get(pk=import_id)
    return run_commit(record, commit_roster_import, actor_id)


@on_lost(commit_roster_import_task)
def _commit_lost(import_id: int, actor_id: int) -> None:
    fail_import(RosterImport(pk=import_id))
