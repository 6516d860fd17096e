"""The project leader: staff, title, experience, yearly quota, teaching."""

from cme.orgs.models import Organisation
from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.models import Kind, Level, Project
from cme.projects.rules._text import _level_name, _title

OrgKind = Organisation.Kind
BASE = Project.Form.BASE

# -- the leader ---------------------------------------------------------------------------


def _declared_by_branch(ctx: Context) -> bool:
    return ctx.declared_by is not None and ctx.declared_by.kind == OrgKind.BRANCH


@rule("LEADER_NOT_STAFF", fields=("leader",), source="004 §五.2; 002 §四.二")
def leader_not_staff(ctx: Context) -> RuleResult:
    """The leader is in service at the sponsoring unit; for a branch's declaration, holds a post in the committee.

    Committee posts are not recorded anywhere yet, so for a declaration by a society
    branch (`declared_by` is a branch) a leader of any unit is accepted; a missing leader
    is flagged in every case.
    """
    leader = ctx.leader
    branch = _declared_by_branch(ctx)
    if leader is None:
        hint = "（须在专业委员会、学组或医师分会任职）" if branch else ""
        return flag("leader", "请填写项目负责人{hint}。".format(hint=hint))
    if branch or leader.unit_id == ctx.sponsor.pk:
        return None
    where = (
        "当前工作单位为“{u}”".format(u=ctx.leader_unit.name)
        if ctx.leader_unit
        else "当前未在任何单位登记（已调出）"
    )
    return flag(
        "leader",
        "项目负责人“{name}”须为申办单位“{sponsor}”的在职人员，{where}。".format(
            name=leader.name, sponsor=ctx.sponsor.name, where=where
        ),
    )


@rule("LEADER_TITLE", fields=("leader",), source="004 §五.4", limits=("leader.title_min",))
def leader_title(ctx: Context) -> RuleResult:
    """The leader holds a title of `leader.title_min` (副高级) or above."""
    leader = ctx.leader
    minimum = int(ctx.limit("leader.title_min"))
    if leader is None or leader.title_level >= minimum:
        return None
    return flag(
        "leader",
        "项目负责人须具有{min}及以上职称，当前为{title}。".format(
            min=_level_name(minimum), title=_title(leader.title, leader.title_level)
        ),
    )


@rule("LEADER_EXPERIENCE", fields=("leader",), source="004 §五.1")
def leader_experience(ctx: Context) -> RuleResult:
    """A national project's leader has led a national or provincial CME project before.

    "Led before" = leader of a project of an earlier year, national or provincial, in
    APPROVED_STATES. Other levels are not concerned.
    """
    if ctx.project.level != Level.NATIONAL or ctx.leader is None or ctx.leader_led_before:
        return None
    return flag(
        "leader",
        "国家级项目负责人须既往担任过国家级或省（会）级继续医学教育项目负责人；未查到"
        "“{name}”此前负责的已批准项目。".format(name=ctx.leader.name),
    )


@rule(
    "LEADER_QUOTA",
    fields=("leader",),
    source="004 §五.5",
    limits=("leader.new_projects_max",),
)
def leader_quota(ctx: Context) -> RuleResult:
    """A leader declares at most `leader.new_projects_max` new projects a year (base projects exempt).

    Counts this declaration plus the leader's other new, non-base declarations of the year
    that are neither drafts nor refused.
    """
    project, leader = ctx.project, ctx.leader
    if project.kind != Kind.NEW or project.form == BASE or leader is None:
        return None
    others = [
        p for p in ctx.peers if p.leader_id == leader.pk and p.kind == Kind.NEW and p.form != BASE
    ]
    most = int(ctx.limit("leader.new_projects_max"))
    if len(others) + 1 <= most:
        return None
    return flag(
        "leader",
        "项目负责人“{name}”{y}年度已申报{n}项新项目（{names}），每人每年新申报项目不得超过"
        "{most}项。".format(
            name=leader.name,
            y=project.year,
            n=len(others),
            names="、".join("“{n}”".format(n=p.name) for p in others),
            most=most,
        ),
    )


@rule("LEADER_TEACHES", fields=("lessons",), source="004 §五.2, §五.5; 002 附件1.2")
def leader_teaches(ctx: Context) -> RuleResult:
    """The leader teaches at least one lesson of the project (base projects exempt).

    The leader's teacher row is the one marked `is_leader` or linked to the leader's
    person record.
    """
    if ctx.project.form == BASE:
        return None
    leader = ctx.leader
    rows = [
        t for t in ctx.teachers if t.is_leader or (leader is not None and t.person_id == leader.pk)
    ]
    if leader is None and not rows:
        return None  # LEADER_NOT_STAFF asks for the leader first
    if any(ctx.lessons_of(t) for t in rows):
        return None
    name = leader.name if leader is not None else rows[0].name
    return flag(
        "lessons",
        "项目负责人须参与授课：课程安排中没有项目负责人“{name}”讲授的课程。".format(name=name),
    )
