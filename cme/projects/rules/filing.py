"""Filing (备案): eligibility, consecutive filings, approved projects not new again."""

from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.models import APPROVED_STATES, Kind, Level, Project, State

BASE = Project.Form.BASE

# -- filing (备案) ------------------------------------------------------------------------


def _filing_problem(project: Project) -> str | None:
    last_year = project.year - 1
    previous = project.previous if project.previous_id else None
    if previous is None:
        return "备案项目须选择本单位{y}年度已批准的项目。".format(y=last_year)
    if previous.year != last_year:
        return "备案项目须为上年度（{y}年度）获批的项目，所选项目“{name}”为{py}年度项目。".format(
            y=last_year, name=previous.name, py=previous.year
        )
    if previous.sponsor_id != project.sponsor_id:
        return "所选上年度项目“{name}”不是本单位申办的项目，不能由本单位备案。".format(
            name=previous.name
        )
    if previous.level != project.level:
        return "所选上年度项目“{name}”为{level}项目，只能按原级别备案。".format(
            name=previous.name, level=previous.get_level_display()
        )
    if previous.state not in APPROVED_STATES:
        return "所选上年度项目“{name}”状态为“{state}”，未获批准，不能备案。".format(
            name=previous.name, state=previous.get_state_display()
        )
    if previous.state != State.COMPLETED:
        return (
            "上年度项目“{name}”尚未规范完成举办、执行情况尚未全部审核通过（当前状态："
            "{state}），暂不能备案。"
        ).format(name=previous.name, state=previous.get_state_display())
    return None


@rule("FILING_NOT_ELIGIBLE", fields=("previous",), source="000 §三.5; 004 §七.1")
def filing_not_eligible(ctx: Context) -> RuleResult:
    """A filing (备案) continues the sponsor's project approved the year before, held properly, with its reports approved.

    `previous` must be a project of year-1, same sponsor and level, in APPROVED_STATES,
    and COMPLETED (已完成): the holding app sets it once the execution report of every
    session held has been approved (cme.holding.reports); APPROVED, PUBLISHED and HELD are
    not yet eligible.
    """
    if ctx.project.kind != Kind.FILING:
        return None
    problem = _filing_problem(ctx.project)
    return flag("previous", problem) if problem else None


def _pre_reports_on_time(ctx: Context, chain: list[Project]) -> bool:
    """Whether every pre-event report (举办前报备) the chain's sessions owed was filed, and
    none late."""
    from cme.holding.actions import missing_pre_reports
    from cme.holding.models import HeldSession, PreReport

    ids = [p.pk for p in chain]
    if PreReport.objects.filter(session__project__in=ids, late=True).exists():
        return False
    sessions = HeldSession.objects.filter(project__in=ids).select_related("project__sponsor")
    return not any(missing_pre_reports(session) for session in sessions)


@rule(
    "FILING_LIMIT",
    fields=("previous",),
    source="004 §七.1; 000 §三.5",
    limits=("filing.consecutive_max", "filing.extra_needs_timely_pre_reports"),
)
def filing_limit(ctx: Context) -> RuleResult:
    """A project is filed at most `filing.consecutive_max` times in a row after its new approval.

    Counts this filing plus the consecutive filings above it through `previous`. When
    `filing.extra_needs_timely_pre_reports` is on (2024: the pandemic-era widening that
    004 §七.1 continues), a filing beyond the first is allowed only for national projects
    whose pre-event reports were all filed on time (`_pre_reports_on_time`).
    """
    project = ctx.project
    if project.kind != Kind.FILING or not project.previous_id:
        return None
    most = int(ctx.limit("filing.consecutive_max"))
    chain = ctx.filing_ancestors(depth=most)
    count = 1 + len(chain)
    if count > most:
        return flag(
            "previous",
            "“{name}”获批为新项目后已连续备案{done}次，{y}年度最多可连续备案{most}次，"
            "请作为新项目申报。".format(
                name=project.name, done=count - 1, y=project.year, most=most
            ),
        )
    if count > 1 and ctx.limit("filing.extra_needs_timely_pre_reports"):
        if project.level != Level.NATIONAL:
            return flag(
                "previous",
                "{y}年度连续第{n}次备案仅限及时填报举办前报备信息的国家级项目；{level}项目"
                "请作为新项目申报。".format(
                    y=project.year, n=count, level=project.get_level_display()
                ),
            )
        if not _pre_reports_on_time(ctx, chain):
            return flag(
                "previous",
                "连续第{n}次备案须上年度各期均及时填报举办前报备信息。".format(n=count),
            )
    return None


@rule("APPROVED_NOT_NEW", fields=("kind",), source="000 §三.5")
def approved_not_new(ctx: Context) -> RuleResult:
    """A project approved last year (same name, same sponsor) is not declared again as new."""
    if ctx.project.kind != Kind.NEW:
        return None
    earlier = ctx.approved_last_year
    if earlier is None:
        return None
    return flag(
        "kind",
        "“{name}”已于{y}年度获批，不再作为新项目申报；拟继续举办的，请在规定时间内申请备案。".format(
            name=earlier.name, y=earlier.year
        ),
    )
