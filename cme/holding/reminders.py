"""What each user should do soon (issue 5 §10): pre-event reports and execution reports due
in the next 14 days or overdue, reviews waiting, evaluations to fill. Shown on the home page
and sent by e-mail by `manage.py send_reminders` when e-mail is configured."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, is_authority, role_of
from cme.holding import actions
from cme.holding.models import REPORTED_STATES, Attendee, ExecutionReport, HeldSession
from cme.holding.queries import reports_for_reviewer
from cme.policy.access import for_year

HORIZON_DAYS = 14
LOOKBACK_DAYS = 90  # sessions that ended longer ago than this are the supervisors' concern


@dataclass(frozen=True)
class Reminder:
    text: str
    url: str
    due_on: datetime.date | None
    overdue: bool


def reminders_for(user, today: datetime.date | None = None) -> list[Reminder]:
    today = today or timezone.localdate()
    found: list[Reminder] = []
    role = role_of(user)
    org = acting_org(user)
    if role in actions.HOLDING_ROLES and org is not None:
        found += _unit_reminders(org, today)
    if is_authority(user):
        found += _review_reminders(user, today)
    if role == Role.LEARNER and getattr(user, "person", None) is not None:
        found += _learner_reminders(user.person)
    from cme.plans.reminders import plan_reminders  # 培训计划 and 年度工作总结 due

    found += plan_reminders(user, today)
    return sorted(found, key=lambda r: (not r.overdue, r.due_on or today))


def _unit_reminders(org, today: datetime.date) -> list[Reminder]:
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    sessions = (
        HeldSession.objects.filter(
            project__declared_by=org, ends_on__gte=today - datetime.timedelta(days=LOOKBACK_DAYS)
        )
        .select_related("project__sponsor", "region")
        .prefetch_related("pre_reports")
        .order_by("starts_on")
    )
    reports = {r.session_id: r for r in ExecutionReport.objects.filter(session__in=sessions)}
    found = []
    for session in sessions:
        url = reverse("holding:session_detail", args=[session.pk])
        label = "{p} 第{n}期".format(p=session.project.name, n=session.number)
        for req in actions.missing_pre_reports(session):
            if req.due_on <= horizon:
                found.append(
                    Reminder(
                        "{l}：向{a}举办前报备".format(l=label, a=req.authority.name),
                        url,
                        req.due_on,
                        req.due_on < today,
                    )
                )
        report = reports.get(session.pk)
        if session.ends_on <= today and (report is None or report.state not in REPORTED_STATES):
            due = (
                report.due_on
                if report
                else session.ends_on
                + datetime.timedelta(
                    days=for_year(session.project.year).get("report.after_event_days")
                )
            )
            text = "{l}：报送执行情况".format(l=label)
            if report is not None and report.state == ExecutionReport.State.RETURNED:
                text = "{l}：执行情况被退回，请修改后重新报送".format(l=label)
            found.append(Reminder(text, url, due, due < today))
    return found


def _review_reminders(user, today: datetime.date) -> list[Reminder]:
    waiting = reports_for_reviewer(user).filter(state=ExecutionReport.State.SUBMITTED)
    found = []
    for report in waiting[:50]:
        session = report.session
        found.append(
            Reminder(
                "审核执行情况：{u} {p} 第{n}期".format(
                    u=session.project.sponsor.name, p=session.project.name, n=session.number
                ),
                reverse("holding:report_review", args=[session.pk]),
                report.review_due_on,
                bool(report.review_due_on and report.review_due_on < today),
            )
        )
    return found


def _learner_reminders(person) -> list[Reminder]:
    open_ = (
        Attendee.objects.filter(person=person, evaluation__isnull=True)
        .exclude(session__execution_report__state__in=REPORTED_STATES)
        .select_related("session__project")
    )
    return [
        Reminder(
            "填写评估：{p} 第{n}期".format(p=a.session.project.name, n=a.session.number),
            reverse("holding:evaluate", args=[a.pk]),
            None,
            False,
        )
        for a in open_
    ]
