"""Content: needs, objectives, real topics, evaluation levels; quota; annual meetings."""

import re

from cme.orgs.models import Organisation
from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.models import Kind, Level, Project

OrgKind = Organisation.Kind
BASE = Project.Form.BASE

# -- content ------------------------------------------------------------------------------

# Topics that are not teaching content (004 §三.4: 与授课培训无关的工作会议部分内容, and
# registration or ceremonies, which never count as teaching time).
NOT_TOPICS = {
    "无",
    "暂无",
    "待定",
    "未定",
    "略",
    "待补充",
    "年会",
    "学术年会",
    "会议",
    "工作会议",
    "开幕式",
    "闭幕式",
    "报到",
    "签到",
    "合影",
    "茶歇",
}
_NOISE = re.compile(r"[\W\d_]+")
REQUIRED_EVALUATION = (1, 2, 3)
EVALUATION_NAMES = {1: "参与度", 2: "满意度", 3: "知识的学习"}


def _real_topic(topic: str) -> bool:
    core = _NOISE.sub("", topic or "")
    return bool(core) and core not in NOT_TOPICS


def _chosen_levels(values) -> set[int]:
    chosen = set()
    for value in values or []:
        try:
            chosen.add(int(value))
        except (TypeError, ValueError):
            continue
    return chosen


@rule(
    "CONTENT_REQUIRED",
    fields=("needs_analysis", "objectives", "lessons", "evaluation_levels"),
    source="004 §二, §三.4, §六.5",
)
def content_required(ctx: Context) -> RuleResult:
    """Needs analysis, objectives, a schedule of real topics and evaluation levels 1-3 are given.

    An annual meeting without topics is not a project (004 §三.4); placeholder topics
    (待定, 开幕式, 年会 …) are not teaching content.
    """
    project = ctx.project
    findings = []
    if not project.needs_analysis.strip():
        findings.append(
            flag(
                "needs_analysis",
                "请填写需求分析：学员需求、问卷调查、评估结果、临床实践存在的问题或差距、"
                "本领域最新进展或卫生政策法规的新要求等。",
            )
        )
    if not project.objectives.strip():
        findings.append(flag("objectives", "请填写教学目标。"))
    if not ctx.lessons:
        message = (
            "无主题授课内容的学术年会不得作为项目申报，请填写有实质性专业内容的课程安排。"
            if project.is_annual_meeting
            else "请填写课程安排（至少一门课程）。"
        )
        findings.append(flag("lessons", message))
    for index, lesson in enumerate(ctx.lessons):
        if not _real_topic(lesson.topic):
            findings.append(
                flag(
                    "lessons.{i}".format(i=index),
                    "第{n}门课程的授课题目“{topic}”不是实质性的授课内容，请填写具体题目"
                    "（与授课培训无关的会议内容不作为项目申报内容）。".format(
                        n=index + 1, topic=lesson.topic
                    ),
                )
            )
    missing = [n for n in REQUIRED_EVALUATION if n not in _chosen_levels(project.evaluation_levels)]
    if missing:
        findings.append(
            flag(
                "evaluation_levels",
                "效果评估须包含第1～3层次（参与度、满意度、知识的学习），当前缺少：{m}。".format(
                    m="、".join(EVALUATION_NAMES[n] for n in missing)
                ),
            )
        )
    return findings


@rule("QUOTA_EXCEEDED", fields=("__all__",), source="000 §三.4")
def quota_exceeded(ctx: Context) -> RuleResult:
    """A unit declares no more new projects of a level than its quota for the year, when a quota is set.

    Counts this declaration plus the sponsor's other new declarations of the same year and
    level that are neither drafts nor refused, against `supervision.queries.quota_for`.
    """
    project = ctx.project
    quota = ctx.quota
    if project.kind != Kind.NEW or quota is None:
        return None
    others = [
        p
        for p in ctx.peers
        if p.sponsor_id == project.sponsor_id and p.level == project.level and p.kind == Kind.NEW
    ]
    count = len(others) + 1
    if count <= quota.quota:
        return None
    reason = "（{r}）".format(r=quota.reason) if quota.reason else ""
    return flag(
        "__all__",
        "“{unit}”{y}年度{level}新项目申报名额为{quota}项{reason}，连同本项目已申报{count}项，"
        "超出名额。".format(
            unit=ctx.sponsor.name,
            y=project.year,
            level=project.get_level_display(),
            quota=quota.quota,
            reason=reason,
            count=count,
        ),
    )


@rule(
    "MEETING_NOT_PROJECT",
    fields=("name", "is_annual_meeting"),
    source="002 §四.三",
    limits=("society_annual_meeting.credits",),
)
def meeting_not_project(ctx: Context) -> RuleResult:
    """A society committee's annual academic meeting is planned through the annual academic plan, not declared as a provincial project.

    Applies to provincial declarations by a society or one of its branches that are
    marked as an annual meeting or carry 年会 in the name, in years where
    `society_annual_meeting.credits` is set (2024 on).
    """
    project = ctx.project
    if project.level != Level.PROVINCIAL or ctx.declared_by is None:
        return None
    if ctx.declared_by.kind not in (OrgKind.SOCIETY, OrgKind.BRANCH):
        return None
    if not (project.is_annual_meeting or "年会" in project.name):
        return None
    return flag(
        "name",
        "专业委员会、学组、医师分会的学术年会按要求可授予省级I类学分{credits}分，请在年底报送"
        "学会年度学术计划时报送年会计划，不再重复进行省级继教项目申报。".format(
            credits=ctx.limit("society_annual_meeting.credits")
        ),
    )
