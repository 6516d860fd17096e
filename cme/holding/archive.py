"""The archive (004 §六.6): once a session's execution report has been submitted, its
notice and schedule, lessons, roster (the contacts), raw evaluations, exam paper and report
are kept at least `archive.years` years after the project's year. Deleting any of them
before then is refused, whichever code path tries (a pre_delete guard, so queryset
deletes are covered too)."""

import datetime

from django.db.models.signals import pre_delete
from django.utils import timezone

from cme.core.errors import DomainError
from cme.holding.models import (
    Attendee,
    Evaluation,
    ExecutionReport,
    HeldSession,
    PreReport,
    RosterImport,
    SessionLesson,
)
from cme.policy.access import for_year
from cme.projects.models import Project


def archive_until(project: Project) -> datetime.date:
    years = for_year(project.year).get("archive.years")
    return datetime.date(project.year + years, 12, 31)


def _session_id(instance) -> int | None:
    if isinstance(instance, HeldSession):
        return instance.pk
    if isinstance(instance, Evaluation):
        return (
            Attendee.objects.filter(pk=instance.attendee_id)
            .values_list("session_id", flat=True)
            .first()
        )
    return instance.session_id


def guard(sender, instance, **kwargs) -> None:
    session = HeldSession.objects.select_related("project").filter(pk=_session_id(instance)).first()
    if session is None or not session.is_reported():
        return
    project = session.project
    until = archive_until(project)
    if timezone.localdate() <= until:
        raise DomainError(
            "ARCHIVE_KEPT",
            "执行情况已报送，本期次的资料须保存至{d}，期间不能删除。".format(d=until),
        )


def connect() -> None:
    for model in (
        HeldSession,
        PreReport,
        SessionLesson,
        Attendee,
        Evaluation,
        ExecutionReport,
        RosterImport,
    ):
        pre_delete.connect(guard, sender=model, dispatch_uid="archive-" + model.__name__)
