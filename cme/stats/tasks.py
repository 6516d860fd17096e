"""Background work for the desk (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from cme.stats.tallies import count_year


@task()
def count_year_task(year: int) -> str:
    return count_year(year).counted_at.isoformat()
