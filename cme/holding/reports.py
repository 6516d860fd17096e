"""The execution report (执行情况, 001 附件2-3; 004 §六.4-6) and its review.

The sponsor reports within `report.after_event_days` after the session ends (later ones are
accepted and flagged); the reviewing authority decides within `report.review_days`.
Submission writes the session's credits as pending; approval makes them valid and issues
their certificates; a return sends the report back with reasons.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import AUTHORITY_ROLES
from cme.accounts.scope import acting_org, role_of
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.credits import awards
from cme.holding.models import REPORTED_STATES, Attendee, Evaluation, ExecutionReport, HeldSession
from cme.orgs.models import Organisation
from cme.policy.access import for_year
from cme.projects.chains import Stage, review_plan
from cme.projects.models import Level, Project, State


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[str, ...]
    max_choices: int = 1


# 001 附件2: 学员对该项目评估意见
QUESTIONS = (
    Question(
        "q1",
        "认为本项目讲授主要内容是本学科最新发展、最新成果或亟待解决的问题",
        ("是", "基本是", "否"),
    ),
    Question("q2", "对本项目基本内容以前了解情况为", ("全知道", "部分知道", "不知道")),
    Question("q3", "通过本项目学习认为收获", ("很大", "较大", "一般")),
    Question("q4", "对授课教师讲授内容满意度", ("很满意", "满意", "一般")),
    Question("q5", "对本项目的教学计划安排感到", ("很满意", "满意", "一般")),
    Question("q6", "对本项目所用教材的满意度", ("很满意", "满意", "一般")),
    Question(
        "q7",
        "通过本项目学习，感到收获最大的是（只许选二项）",
        ("开阔思路", "提高临床诊治能力", "提高理论水平", "提高科研工作能力", "提高操作能力"),
        max_choices=2,
    ),
)

# 004 §六.5: the seven levels of effect evaluation; 1-3 are required for every project.
EFFECT_LEVELS = (
    (1, "参与度"),
    (2, "满意度"),
    (3, "知识的学习"),
    (4, "能力的学习"),
    (5, "临床应用"),
    (6, "患者健康"),
    (7, "社区健康"),
)
REQUIRED_EFFECT_LEVELS = (1, 2, 3)
EDITABLE = (ExecutionReport.State.DRAFT, ExecutionReport.State.RETURNED)


def reviewer_of(project: Project) -> Organisation:
    """The provincial office for national and provincial projects held from this province
    (003 §十九), the city for a city-level project: the last in-platform reviewer of its
    declaration below the national office."""
    plan = [(stage, org) for stage, org in review_plan(project) if stage != Stage.NATIONAL]
    if not plan:
        raise DomainError("NO_REVIEWER", "未找到该项目执行情况的审核单位。")
    return plan[-1][1]


def report_due_on(session: HeldSession) -> datetime.date:
    days = for_year(session.project.year).get("report.after_event_days")
    return session.ends_on + datetime.timedelta(days=days)


def _check_holder(actor, session: HeldSession) -> None:
    from cme.holding.actions import can_hold

    if not can_hold(actor, session.project):
        raise PermissionDenied("只有申办单位可以填报执行情况。")


@transaction.atomic
def open_report(session: HeldSession, *, actor, today: datetime.date | None = None):
    """The session's report, started once the session has ended."""
    _check_holder(actor, session)
    today = today or timezone.localdate()
    if today < session.ends_on:
        raise DomainError(
            "REPORT_TOO_EARLY",
            "本期次{d}结束，结束后才能填报执行情况。".format(d=session.ends_on),
        )
    report, _ = ExecutionReport.objects.get_or_create(
        session=session,
        defaults={"due_on": report_due_on(session), "reviewer": reviewer_of(session.project)},
    )
    return report


REPORT_FIELDS = (
    "effect_analysis",
    "problems",
    "respondents",
    "evaluation_counts",
    "effect_levels",
    "schedule",
    "exam",
    "textbook_name",
    "textbook_written_on",
    "textbook_authors",
    "textbook_form",
    "textbook_words",
    "textbook_hours",
    "textbook_outline",
)


@transaction.atomic
def save_report(report: ExecutionReport, *, actor, **values) -> ExecutionReport:
    """Save what the sponsor has filled so far (a draft may be incomplete)."""
    _check_holder(actor, report.session)
    report = ExecutionReport.objects.select_for_update().get(pk=report.pk)
    if report.state not in EDITABLE:
        raise DomainError("REPORT_LOCKED", "执行情况已报送，不能修改。")
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise DomainError("REPORT_FIELD", "未知的字段：{f}".format(f="、".join(sorted(unknown))))
    if "evaluation_counts" in values:
        values["evaluation_counts"] = _clean_counts(values["evaluation_counts"])
    if "effect_levels" in values:
        values["effect_levels"] = {
            str(k): str(v).strip() for k, v in (values["effect_levels"] or {}).items() if v
        }
    for name, value in values.items():
        if name in ("schedule", "exam") and not value:
            continue  # an empty upload keeps the file already there
        setattr(report, name, value)
    report.save()
    return report


def _clean_counts(raw) -> dict:
    counts = {}
    for q in QUESTIONS:
        given = (raw or {}).get(q.key) or {}
        row = {}
        for choice in q.choices:
            value = given.get(choice, 0)
            try:
                value = int(value or 0)
            except (TypeError, ValueError):
                raise DomainError(
                    "EVALUATION_COUNT",
                    "第{n}题“{c}”的人数须为整数。".format(n=q.key[1:], c=choice),
                    field="evaluation_counts",
                ) from None
            if value < 0:
                raise DomainError(
                    "EVALUATION_COUNT",
                    "第{n}题“{c}”的人数不能为负数。".format(n=q.key[1:], c=choice),
                    field="evaluation_counts",
                )
            row[choice] = value
        counts[q.key] = row
    return counts


def evaluation_problems(counts: dict, respondents: int, participants: int) -> list[str]:
    """Counts consistent with the number of participants: no more respondents than
    attendees; questions 1-6 answered once by each respondent; question 7 at most two
    choices each."""
    problems = []
    if respondents <= 0:
        return ["请填写参加评估的学员人数。"]
    if respondents > participants:
        problems.append("参加评估人数{r}超过学员人数{p}。".format(r=respondents, p=participants))
    for q in QUESTIONS:
        row = counts.get(q.key) or {}
        total = sum(row.get(c, 0) for c in q.choices)
        n = q.key[1:]
        if q.max_choices == 1 and total != respondents:
            problems.append(
                "第{n}题各选项人数合计{t}，应等于参加评估人数{r}。".format(
                    n=n, t=total, r=respondents
                )
            )
        if q.max_choices > 1:
            if total > q.max_choices * respondents:
                problems.append(
                    "第{n}题每人最多选{m}项，各选项人数合计{t}超过{x}。".format(
                        n=n, m=q.max_choices, t=total, x=q.max_choices * respondents
                    )
                )
            over = [c for c in q.choices if row.get(c, 0) > respondents]
            if over:
                problems.append(
                    "第{n}题“{c}”的人数超过参加评估人数{r}。".format(
                        n=n, c="、".join(over), r=respondents
                    )
                )
    return problems


def percentages(counts: dict, respondents: int) -> dict:
    """占总人数% per answer, one decimal."""
    if not respondents:
        return {}
    return {
        q.key: {
            c: round((counts.get(q.key) or {}).get(c, 0) * 100 / respondents, 1) for c in q.choices
        }
        for q in QUESTIONS
    }


def counts_from_learners(report: ExecutionReport) -> tuple[int, dict]:
    """(respondents, counts) from the learners' own online evaluations."""
    answers = list(
        Evaluation.objects.filter(attendee__session=report.session).values_list(
            "answers", flat=True
        )
    )
    counts = {}
    for q in QUESTIONS:
        tally = Counter()
        for a in answers:
            chosen = a.get(q.key)
            for choice in chosen if isinstance(chosen, list) else [chosen]:
                if choice in q.choices:
                    tally[choice] += 1
        counts[q.key] = {c: tally[c] for c in q.choices}
    return len(answers), counts


def report_problems(report: ExecutionReport) -> list[str]:
    """What still stops the report from being submitted, in the form's order."""
    session = report.session
    problems = []
    if not report.effect_analysis.strip():
        problems.append("请填写实际培训效果分析。")
    attendees = Attendee.objects.filter(session=session)
    participants = attendees.count()
    if not participants:
        problems.append("学员通讯录为空，请先导入或录入学员。")
    undecided = attendees.filter(passed__isnull=True).count()
    if undecided:
        problems.append("还有{n}名学员未填写考核结果。".format(n=undecided))
    problems += evaluation_problems(
        report.evaluation_counts or {}, report.respondents, participants
    )
    missing = [
        "{n}.{name}".format(n=n, name=name)
        for n, name in EFFECT_LEVELS
        if n in REQUIRED_EFFECT_LEVELS and not (report.effect_levels or {}).get(str(n))
    ]
    if missing:
        problems.append("效果评估须填写第1-3层次：缺{m}。".format(m="、".join(missing)))
    if not report.problems.strip():
        problems.append("请填写存在的问题与建议。")
    if not report.schedule:
        problems.append("请上传项目活动日程表。")
    if not report.exam:
        problems.append("请上传考试试题。")
    if session.project.level == Level.NATIONAL:
        textbook = (report.textbook_name, report.textbook_form, report.textbook_outline)
        if not all(str(v).strip() for v in textbook):
            problems.append(
                "国家级项目须填写教材使用情况简介表（教材名称、教材形式、教材目录或内容概述）。"
            )
    return problems


@transaction.atomic
def submit_report(report: ExecutionReport, *, actor, at=None) -> awards.Plan:
    _check_holder(actor, report.session)
    report = ExecutionReport.objects.select_for_update().get(pk=report.pk)
    if report.state not in EDITABLE:
        raise DomainError("REPORT_LOCKED", "执行情况已报送，不能重复报送。")
    problems = report_problems(report)
    if problems:
        raise DomainError("REPORT_INCOMPLETE", " ".join(problems))
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    report.state = ExecutionReport.State.SUBMITTED
    report.submitted_at = at
    report.late = day > report.due_on
    report.review_due_on = day + datetime.timedelta(
        days=for_year(report.session.project.year).get("report.review_days")
    )
    report.return_reason = ""
    report.save()
    plan = awards.write_pending(report.session, holder=report.reviewer, since=at)
    audit.record(
        "report.submit",
        actor=actor,
        obj=report,
        scope_path=report.session.project.declared_by.tree_path,
        changes={"逾期": report.late, "待生效学分记录": len(plan.awards)},
    )
    return plan


def can_review(user, report: ExecutionReport) -> bool:
    return role_of(user) in AUTHORITY_ROLES and acting_org(user) == report.reviewer


@transaction.atomic
def decide_report(report: ExecutionReport, *, actor, approve: bool, reason: str = ""):
    """Approve (credits valid, certificates issued) or return with reasons."""
    if not can_review(actor, report):
        raise PermissionDenied("只有该项目执行情况的审核单位可以审核。")
    if not approve and not reason.strip():
        raise DomainError("REASON_REQUIRED", "退回时须填写理由。", field="reason")
    report = ExecutionReport.objects.select_for_update().get(pk=report.pk)
    if report.state != ExecutionReport.State.SUBMITTED:
        raise Conflict()
    report.state = ExecutionReport.State.APPROVED if approve else ExecutionReport.State.RETURNED
    report.decided_at = timezone.now()
    report.decided_by = actor
    report.return_reason = "" if approve else reason.strip()
    report.save()
    session = report.session
    issued = 0
    if approve:
        from cme.certificates.actions import issue_certificates

        issued = len(issue_certificates(awards.validate_session_credits(session, actor=actor)))
        _complete_if_all_reported(session.project)
    audit.record(
        "report.review",
        actor=actor,
        obj=report,
        scope_path=session.project.declared_by.tree_path,
        changes={"结论": report.get_state_display(), "证书": issued},
        comment=reason.strip(),
    )
    return report


def _complete_if_all_reported(project: Project) -> None:
    """已完成 once every approved session has been held and its report approved."""
    approved = HeldSession.objects.filter(
        project=project, execution_report__state=ExecutionReport.State.APPROVED
    ).count()
    if approved >= project.sessions_planned:
        Project.objects.filter(pk=project.pk, state=State.HELD).update(state=State.COMPLETED)


@transaction.atomic
def submit_evaluation(attendee: Attendee, *, actor, answers: dict) -> Evaluation:
    """A learner's own answers to the seven questions (question 7: at most two)."""
    person = getattr(actor, "person", None)
    if person is None or person.pk != attendee.person_id:
        raise PermissionDenied("只能填写本人的评估意见。")
    if ExecutionReport.objects.filter(
        session=attendee.session_id, state__in=REPORTED_STATES
    ).exists():
        raise DomainError("EVALUATION_CLOSED", "执行情况已报送，评估已结束。")
    clean = {}
    for q in QUESTIONS:
        given = answers.get(q.key)
        chosen = [c for c in (given if isinstance(given, list) else [given]) if c]
        if not chosen:
            raise DomainError(
                "EVALUATION_MISSING", "请回答第{n}题。".format(n=q.key[1:]), field=q.key
            )
        if len(chosen) > q.max_choices or len(set(chosen)) != len(chosen):
            raise DomainError(
                "EVALUATION_Q7_TWO" if q.max_choices > 1 else "EVALUATION_ONE",
                "第{n}题最多选{m}项。".format(n=q.key[1:], m=q.max_choices),
                field=q.key,
            )
        bad = [c for c in chosen if c not in q.choices]
        if bad:
            raise DomainError(
                "EVALUATION_CHOICE",
                "第{n}题没有选项“{c}”。".format(n=q.key[1:], c=bad[0]),
                field=q.key,
            )
        clean[q.key] = chosen if q.max_choices > 1 else chosen[0]
    evaluation, _ = Evaluation.objects.update_or_create(
        attendee=attendee, defaults={"answers": clean}
    )
    return evaluation
