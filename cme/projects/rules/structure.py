"""Structural checks of the form (no severity row: error unless policy says otherwise)."""

import itertools
from decimal import Decimal, InvalidOperation

from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.models import Attachment, Project

BASE = Project.Form.BASE

# -- structural checks of the form (no severity row: error unless policy says otherwise) --


@rule(
    "NAME_LENGTH",
    fields=("name",),
    source="Hunan form",
    limits=("name.max_chars",),
    structural=True,
)
def name_length(ctx: Context) -> RuleResult:
    """The project name is given and at most `name.max_chars` characters long."""
    name = ctx.project.name.strip()
    most = int(ctx.limit("name.max_chars"))
    if not name:
        return flag("name", "请填写项目名称。")
    if len(name) <= most:
        return None
    return flag(
        "name",
        "项目名称不得超过{most}个字，当前为{n}个字。".format(most=most, n=len(name)),
    )


@rule(
    "COURSES_MAX",
    fields=("lessons",),
    source="Hunan form",
    limits=("courses.max_rows",),
    structural=True,
)
def courses_max(ctx: Context) -> RuleResult:
    """The schedule has at most `courses.max_rows` lessons."""
    most = int(ctx.limit("courses.max_rows"))
    if len(ctx.lessons) <= most:
        return None
    return flag(
        "lessons",
        "课程安排最多填写{most}门课程，当前为{n}门，请合并或精简。".format(
            most=most, n=len(ctx.lessons)
        ),
    )


@rule("SESSIONS_IN_YEAR", fields=("planned_sessions",), source="SPEC §4.1", structural=True)
def sessions_in_year(ctx: Context) -> RuleResult:
    """Every planned session lies in the project year, ends on or after it starts, and the sessions run in date order."""
    year = ctx.project.year
    findings = []
    for index, session in enumerate(ctx.sessions):
        field = "planned_sessions.{i}".format(i=index)
        if session.ends_on < session.starts_on:
            findings.append(flag(field, "第{n}期的结束日期早于开始日期。".format(n=index + 1)))
        elif session.starts_on.year != year or session.ends_on.year != year:
            findings.append(
                flag(
                    field,
                    "第{n}期（{a}至{b}）不在项目年度{y}年内。".format(
                        n=index + 1, a=session.starts_on, b=session.ends_on, y=year
                    ),
                )
            )
    by_order = sorted(ctx.sessions, key=lambda s: (s.order, s.pk or 0))
    for before, after in itertools.pairwise(by_order):
        if before.order < after.order and after.starts_on < before.starts_on:
            index = ctx.sessions.index(after)
            findings.append(
                flag(
                    "planned_sessions.{i}".format(i=index),
                    "举办期次须按日期先后排列：第{n}期（{a}）早于前一期（{b}）。".format(
                        n=index + 1, a=after.starts_on, b=before.starts_on
                    ),
                )
            )
    return findings


@rule("ATTACHMENTS_REQUIRED", fields=("attachments",), source="Hunan form", structural=True)
def attachments_required(ctx: Context) -> RuleResult:
    """All five attachments are uploaded: licence, leader's title, teachers' consent, pledge, inspection."""
    present = {a.kind for a in ctx.attachments if a.file}
    missing = [label for kind, label in Attachment.Kind.choices if kind not in present]
    if not missing:
        return None
    return flag(
        "attachments",
        "请上传申报附件：{m}。".format(m="、".join("《{x}》".format(x=x) for x in missing)),
    )


def _hours_ok(value) -> bool:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    return hours > 0 and hours == hours.quantize(Decimal("0.1"))


@rule("LESSON_HOURS", fields=("lessons",), source="Hunan form", structural=True)
def lesson_hours(ctx: Context) -> RuleResult:
    """Every lesson has more than 0 hours, with at most one decimal."""
    findings = []
    for index, lesson in enumerate(ctx.lessons):
        if lesson.hours is not None and _hours_ok(lesson.hours):
            continue
        findings.append(
            flag(
                "lessons.{i}".format(i=index),
                "第{n}门课程“{topic}”的学时须大于0，最多保留一位小数，当前为“{h}”。".format(
                    n=index + 1, topic=lesson.topic, h="" if lesson.hours is None else lesson.hours
                ),
            )
        )
    return findings


@rule(
    "FORM_FIELDS_REQUIRED",
    fields=(
        "discipline",
        "audience",
        "expected_participants",
        "planned_sessions",
        "website",
    ),
    source="Hunan form; 001 附件2",
    structural=True,
)
def form_fields_required(ctx: Context) -> RuleResult:
    """The fields of the declaration form a reviewer needs are filled: 学科, 教学对象, 拟招收学员人数, and the 举办期限 and 举办地点 of every session (a distance project's 教学网站).

    The discipline is also what the project number is made of: without it the last
    reviewer could not approve (`actions.issue_number`).
    """
    project = ctx.project
    findings = []
    if project.discipline_id is None:
        findings.append(flag("discipline", "请选择学科（项目编号按学科编排）。"))
    if not project.audience.strip():
        findings.append(flag("audience", "请填写教学对象。"))
    if not project.expected_participants:
        findings.append(flag("expected_participants", "请填写拟招收学员人数。"))
    if project.form == Project.Form.DISTANCE:
        if not project.website.strip():
            findings.append(flag("website", "远程项目请填写教学网站。"))
        return findings
    if not ctx.sessions:
        findings.append(
            flag("planned_sessions", "请填写举办期次：每期的举办期限（起止日期）和举办地点。")
        )
    for index, planned in enumerate(ctx.sessions):
        if not planned.address.strip() and not planned.place_outside.strip():
            findings.append(
                flag(
                    "planned_sessions.{i}".format(i=index),
                    "请填写第{n}期的举办地点（详细地址）。".format(n=index + 1),
                )
            )
    return findings
