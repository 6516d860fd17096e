"""Background work for staff imports (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from cme.accounts.models import User
from cme.core.errors import DomainError
from cme.people.imports import commit_staff_import, fail_staff_import
from cme.people.models import StaffImport


@task()
def commit_staff_import_task(import_id: int, actor_id: int) -> str:
    record = StaffImport.objects.select_related("unit").get(pk=import_id)
    actor = User.objects.get(pk=actor_id)
    try:
        return commit_staff_import(record, actor=actor).state
    except DomainError as exc:  # the record holds the reason; the task itself did its job
        return exc.code
    except Exception:
        fail_staff_import(record)
        raise
