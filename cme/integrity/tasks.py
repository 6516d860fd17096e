"""Background work of integrity alerts (django-tasks; `manage.py run_worker` runs it).
A nightly timer enqueues `scan_integrity_task` or runs `manage.py scan_integrity`."""

from django_tasks import task

from cme.integrity.rules import scan


@task()
def scan_integrity_task(year: int) -> dict[str, int]:
    """Scan every rule over the whole platform for `year`; returns new alerts per rule."""
    return scan(year).created
