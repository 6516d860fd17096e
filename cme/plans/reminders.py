"""Reminders of the plans app, in the shape of `cme.holding.reminders`: a unit's half-year
training plan from 14 days before its deadline (a plan is optional — only units that want
city-level projects send one — so after the deadline only a started, unsent draft stays
as overdue, until its half ends), and a reporter's annual work report from 14 days before
31 December until sent."""

import datetime

from django.urls import reverse

from cme.accounts.scope import acting_org
from cme.plans.actions import plan_due_on, work_report_due_on
from cme.plans.models import AnnualWorkReport, Half, TrainingPlan
from cme.plans.permissions import city_of, is_plan_unit, is_work_reporter, report_city_of

HORIZON_DAYS = 14
HALF_ENDS = {Half.FIRST: (6, 30), Half.SECOND: (12, 31)}


def plan_reminders(user, today: datetime.date) -> list:
    from cme.holding.reminders import Reminder

    org = acting_org(user)
    found = []
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    if is_plan_unit(user) and city_of(org) is not None:
        states = dict(
            TrainingPlan.objects.filter(unit=org, year=today.year).values_list("half", "state")
        )
        for half in Half:
            due = plan_due_on(today.year, half)
            ends = datetime.date(today.year, *HALF_ENDS[half])
            state = states.get(half)
            open_until = ends if state == TrainingPlan.State.DRAFT else due
            if state in (None, TrainingPlan.State.DRAFT) and due <= horizon and today <= open_until:
                found.append(
                    Reminder(
                        "{y}年{h}培训计划：报送{c}".format(
                            y=today.year, h=half.label, c=city_of(org).name
                        ),
                        reverse("plans:list"),
                        due,
                        due < today,
                    )
                )
    if is_work_reporter(user) and report_city_of(org) is not None:
        due = work_report_due_on(today.year)
        if (
            due <= horizon
            and not AnnualWorkReport.objects.filter(unit=org, year=today.year).exists()
        ):
            found.append(
                Reminder(
                    "{y}年度继续医学教育工作总结：报送{c}".format(
                        y=today.year, c=report_city_of(org).name
                    ),
                    reverse("plans:work_report"),
                    due,
                    due < today,
                )
            )
    return found
