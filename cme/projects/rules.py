"""The declaration rules (SPEC §4.3), each a small function registered under its stable id.

One entry point, `check_declaration(project)`, serves the live form check, submission,
every review step, the API and the importer, so a reviewer sees what the sponsor saw.
The registry, `Finding` and the context the rules read live in `cme.projects.checks`;
`docs/rules.md` is generated from this registry (`manage.py rules_doc`).

Conventions: messages are plain Chinese strings filled with `.format()` and say what to
change; limits come from the policy of the project's year, never from constants here;
`field` is the form field or section ("teachers.3", "planned_sessions.0", "lessons.2" are
positions, from 0, in the project's default ordering of teachers, sessions and lessons).
"""

import itertools
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from cme.orgs.models import Organisation
from cme.people.titles import TitleLevel
from cme.projects.checks import (
    DECLARATION_PREFETCH,
    ERROR,
    RULES,
    WARNING,
    Context,
    Finding,
    RuleResult,
    flag,
    has_errors,
    region_within,
    render_markdown,
    rule,
    run,
)
from cme.projects.models import APPROVED_STATES, Attachment, Kind, Lesson, Level, Project, State
from cme.supervision.models import Sanction

__all__ = [
    "DECLARATION_PREFETCH",
    "ERROR",
    "RULES",
    "WARNING",
    "Finding",
    "check_declaration",
    "has_errors",
    "rules_markdown",
]

OrgKind = Organisation.Kind
BASE = Project.Form.BASE


def check_declaration(project: Project, *, at: datetime | None = None) -> list[Finding]:
    """Every rule against one declaration; `at` is the moment judged against the
    declaration window (default: its submission time, else now)."""
    return run(Context(project, at=at))


def rules_markdown() -> str:
    return render_markdown(RULES.values())


# -- small helpers for messages -----------------------------------------------------------


def _level_name(level: int) -> str:
    return str(TitleLevel(level).label)


def _title(title: str, level: int) -> str:
    if not title and not level:
        return "未登记职称"
    if not title:
        return "（{level}）".format(level=_level_name(level))
    return "“{title}”（{level}）".format(title=title, level=_level_name(level))


def _hours(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _years(sanction: Sanction) -> str:
    if sanction.from_year == sanction.to_year:
        return "{y}年度".format(y=sanction.from_year)
    return "{a}—{b}年度".format(a=sanction.from_year, b=sanction.to_year)


def _moment(value: datetime) -> str:
    local = timezone.localtime(value)
    return "{y}年{m}月{d}日{hm}".format(
        y=local.year, m=local.month, d=local.day, hm=local.strftime("%H:%M")
    )


def _what(project: Project) -> str:
    return "{y}年度{level}{kind}项目".format(
        y=project.year, level=project.get_level_display(), kind=project.get_kind_display()
    )


def _same_name(a: str, b: str) -> bool:
    return a.strip() == b.strip()


# -- the window ---------------------------------------------------------------------------


@rule("WINDOW_CLOSED", fields=("__all__",), source="000 §一, §三.1; 002 §一")
def window_closed(ctx: Context) -> RuleResult:
    """A declaration is accepted only inside its (year, level, kind) window: 逾期不予受理.

    The window is the one set by the nearest authority above the sponsor, so a city's
    earlier internal deadline applies to its units (`policy.actions.window_for`). No window
    configured counts as closed. A submitted declaration is judged at its submission time.
    """
    window = ctx.window
    what = _what(ctx.project)
    if window is None:
        return flag("__all__", "{what}的申报时间尚未设置，暂不受理申报。".format(what=what))
    if ctx.at < window.opens_at:
        return flag(
            "__all__",
            "{what}的申报时间为{opens}至{closes}，尚未开始受理。".format(
                what=what, opens=_moment(window.opens_at), closes=_moment(window.closes_at)
            ),
        )
    if ctx.at > window.closes_at:
        return flag(
            "__all__",
            "{what}的申报截止时间为{closes}（{owner}设定），逾期不予受理。".format(
                what=what, closes=_moment(window.closes_at), owner=window.owner
            ),
        )
    return None


# -- the sponsor --------------------------------------------------------------------------

PERMITTED_SPONSORS = (
    OrgKind.MEDICAL,
    OrgKind.TEACHING,
    OrgKind.RESEARCH,
    OrgKind.SOCIETY,
    OrgKind.BRANCH,
    OrgKind.OTHER,
)


@rule("SPONSOR_KIND", fields=("sponsor",), source="000 §三.2; 004 §六.1")
def sponsor_kind(ctx: Context) -> RuleResult:
    """The sponsor must be a medical, teaching or research institution, or a body permitted to sponsor.

    Permitted: 医疗机构, 教学机构, 科研机构, 学会/协会 and their branches (002 §四), and
    "other" (获准可以申办的其他机构 — the registry records such a body as kind OTHER once
    its authority admitted it). Refused: health authorities (卫生健康行政部门 review
    declarations, they do not sponsor them) and distance-learning providers (they file
    courses with the city, 003 §十二, and are not sponsors of record).
    """
    sponsor = ctx.sponsor
    if sponsor.kind in PERMITTED_SPONSORS:
        return None
    return flag(
        "sponsor",
        "申办单位“{name}”为{kind}，不能申办继续医学教育项目；申办单位须为医疗卫生、教学、"
        "科研机构，或获准申办的学会、协会等机构。".format(
            name=sponsor.name, kind=sponsor.get_kind_display()
        ),
    )


@rule("SPONSOR_LICENSE", fields=("sponsor",), source="000 §三.2; 004 §六.1")
def sponsor_license(ctx: Context) -> RuleResult:
    """The sponsor's licence was not suspended (暂缓校验) or revoked in the last cycle."""
    sponsor = ctx.sponsor
    if sponsor.licence_status == Organisation.LicenceStatus.SUSPENDED:
        reason = "最近一个周期校验结论为暂缓校验"
    elif sponsor.licence_status == Organisation.LicenceStatus.REVOKED:
        reason = "《医疗机构执业许可证》已被撤销"
    else:
        return None
    return flag(
        "sponsor",
        "申办单位“{name}”{reason}，不得申报或备案继续医学教育项目。".format(
            name=sponsor.name, reason=reason
        ),
    )


@rule("SPONSOR_INSPECTION", fields=("sponsor",), source="000 §三.2; 001; 004 §六.1")
def sponsor_inspection(ctx: Context) -> RuleResult:
    """The sponsor passed its last annual inspection and is not deregistered (注销)."""
    sponsor = ctx.sponsor
    if (
        sponsor.status == Organisation.Status.DEREGISTERED
        or sponsor.inspection_result == Organisation.Inspection.CANCELLED
    ):
        reason = "已被注销法人身份"
    elif sponsor.inspection_result == Organisation.Inspection.FAILED:
        reason = "最近一个周期年检不合格"
    else:
        return None
    return flag(
        "sponsor",
        "申办单位“{name}”{reason}，不得申报或备案继续医学教育项目。".format(
            name=sponsor.name, reason=reason
        ),
    )


@rule("SPONSOR_NAME", fields=("sponsor",), source="004 §六.1")
def sponsor_name(ctx: Context) -> RuleResult:
    """The sponsor's name meets national rules (the flag its authority sets)."""
    if ctx.sponsor.name_compliant:
        return None
    return flag(
        "sponsor",
        "申办单位名称“{name}”不符合国家有关规定，请先办理单位更名后再申报。".format(
            name=ctx.sponsor.name
        ),
    )


@rule(
    "SPONSOR_SANCTIONED", fields=("sponsor", "declared_by", "leader"), source="003 §十; 004 §七.3"
)
def sponsor_sanctioned(ctx: Context) -> RuleResult:
    """Neither the sponsor (or declaring branch) nor the leader is barred this year by a sanction.

    Reads `supervision.queries.barring_sanctions`: a unit barred (取消申报资格) or a leader
    suspended (暂停申报资格) for a span of years that includes the project's year, and not
    revoked. The message names the sanction's reason and years.
    """
    findings = []
    for sanction in ctx.sanctions:
        if sanction.person_id is not None:
            field, subject = "leader", "项目负责人“{n}”".format(n=sanction.person.name)
        else:
            org = sanction.organisation
            field = "sponsor" if org.pk == ctx.sponsor.pk else "declared_by"
            role = "申办单位" if field == "sponsor" else "申报分支机构"
            subject = "{role}“{n}”".format(role=role, n=org.name)
        findings.append(
            flag(
                field,
                "{subject}已被{kind}（{years}），事由：{reason}。在此期间不得申报项目。".format(
                    subject=subject,
                    kind=sanction.get_kind_display(),
                    years=_years(sanction),
                    reason=sanction.reason.strip().rstrip("。"),
                ),
            )
        )
    return findings


# -- duplicates and sponsorship ----------------------------------------------------------


def _duplicate_reason(project: Project, other: Project) -> str | None:
    same_name = _same_name(project.name, other.name)
    same_sponsor = other.sponsor_id == project.sponsor_id
    if (
        same_name
        and project.leader_id
        and other.leader_id == project.leader_id
        and other.level == project.level
    ):
        return (
            "与“{unit}”已申报的“{name}”（{level}，{state}）名称、负责人相同，同一项目不得重复申报。"
        )
    if same_name and not same_sponsor:
        return (
            "“{unit}”已申报同名项目“{name}”（{level}，{state}），同一项目只能通过第一申办单位"
            "申报，不得重复申报。"
        )
    both_filed = (
        project.kind == Kind.FILING
        and other.kind == Kind.FILING
        and project.previous_id
        and other.previous_id == project.previous_id
    )
    new_and_filing = same_name and same_sponsor and other.kind != project.kind
    if both_filed or new_and_filing:
        return (
            "本单位已将“{name}”作为{kind}项目申报（{state}）；同一项目只能选择以新申报项目"
            "或备案项目的形式申请一次。"
        )
    return None


@rule("DUPLICATE_PROJECT", fields=("name",), source="000 §三.3; 004 §六.1")
def duplicate_project(ctx: Context) -> RuleResult:
    """The same project is not declared twice in a year.

    Compared with the other declarations of the same year that are neither drafts nor
    refused: same name + leader + level; or the same name from another unit; or the
    same project both as new and as filing (same sponsor and name, other kind; or two
    filings of the same previous project). Also against the year's published lists
    imported from elsewhere (e.g. the national list): the same name approved elsewhere.
    """
    findings = [
        flag(
            "name",
            "{y}年度公布名单中已有同名项目“{name}”（{number}，{unit}）；同一项目不得重复申报。".format(
                y=entry.year, name=entry.name, number=entry.number, unit=entry.sponsor_name
            ),
        )
        for entry in ctx.published_elsewhere
    ]
    for other in ctx.peers:
        template = _duplicate_reason(ctx.project, other)
        if template is None:
            continue
        findings.append(
            flag(
                "name",
                template.format(
                    unit=other.sponsor.name,
                    name=other.name,
                    level=other.get_level_display(),
                    kind=other.get_kind_display(),
                    state=other.get_state_display(),
                ),
            )
        )
    return findings


@rule("NOT_FIRST_SPONSOR", fields=("sponsor_is_first",), source="000 §三.3")
def not_first_sponsor(ctx: Context) -> RuleResult:
    """A unit declares only projects of which it is the sole or first sponsor."""
    if ctx.project.sponsor_is_first:
        return None
    return flag(
        "sponsor_is_first",
        "各申办单位只能申报本单位作为唯一或第一主办单位的项目，不得为其他单位申报项目；"
        "联合申报的项目请由第一申办单位申报。",
    )


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

    `previous` must be a project of year-1, same sponsor and level, in APPROVED_STATES.
    Until the holding and report apps exist, state COMPLETED (已完成: all sessions
    reported and their reports approved, SPEC §4.2) stands for "held properly with its
    execution reports approved"; APPROVED, PUBLISHED and HELD are not yet eligible.
    """
    if ctx.project.kind != Kind.FILING:
        return None
    problem = _filing_problem(ctx.project)
    return flag("previous", problem) if problem else None


def _pre_reports_on_time(ctx: Context, chain: list[Project]) -> bool:
    """Whether every pre-event report (举办前报备) of the chain was filed on time.

    The holding app that records pre-event reports does not exist yet: with no
    information saying otherwise, the condition counts as satisfied.
    """
    return True


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
    whose pre-event reports were all on time; that report data does not exist yet, so the
    timeliness half is taken as satisfied unless information says otherwise
    (`_pre_reports_on_time`).
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


# -- teachers -----------------------------------------------------------------------------


def _teacher_level(teacher) -> int:
    if teacher.title_level:
        return teacher.title_level
    return teacher.person.title_level if teacher.person_id else 0


@rule(
    "TEACHER_TITLE",
    fields=("teachers",),
    source="004 §五.4",
    limits=("teacher.theory_title_min", "teacher.practice_title_min"),
)
def teacher_title(ctx: Context) -> RuleResult:
    """Theory teachers hold `teacher.theory_title_min` (副高级)+, practice teachers `teacher.practice_title_min` (中级)+.

    One finding per teacher, naming them; a teacher with any theory lesson needs the
    theory minimum.
    """
    theory_min = int(ctx.limit("teacher.theory_title_min"))
    practice_min = int(ctx.limit("teacher.practice_title_min"))
    findings = []
    for index, teacher in enumerate(ctx.teachers):
        lessons = ctx.lessons_of(teacher)
        if not lessons:
            continue
        theory = any(lesson.kind == Lesson.Kind.THEORY for lesson in lessons)
        need = theory_min if theory else practice_min
        level = _teacher_level(teacher)
        if level >= need:
            continue
        findings.append(
            flag(
                "teachers.{i}".format(i=index),
                "授课教师“{name}”{role}，须具有{need}及以上职称，当前为{title}。".format(
                    name=teacher.name,
                    role="讲授理论课程" if theory else "承担实验（技术示范）教学",
                    need=_level_name(need),
                    title=_title(teacher.title, level),
                ),
            )
        )
    return findings


@rule(
    "TEACHER_HOURS",
    fields=("teachers",),
    source="004 §五.2; 002 附件1.2",
    limits=("teacher.theory_hours_max",),
)
def teacher_hours(ctx: Context) -> RuleResult:
    """One teacher's theory hours in a project stay within `teacher.theory_hours_max` (practice guidance may exceed)."""
    most = Decimal(str(ctx.limit("teacher.theory_hours_max")))
    findings = []
    for index, teacher in enumerate(ctx.teachers):
        theory = sum(
            (
                Decimal(lesson.hours or 0)
                for lesson in ctx.lessons_of(teacher)
                if lesson.kind == Lesson.Kind.THEORY
            ),
            start=Decimal(0),
        )
        if theory <= most:
            continue
        findings.append(
            flag(
                "teachers.{i}".format(i=index),
                "授课教师“{name}”理论授课共{hours}学时，每位授课教师理论授课内容原则上不超过"
                "{most}学时（指导带教等情况可适当延长）。".format(
                    name=teacher.name, hours=_hours(theory), most=_hours(most)
                ),
            )
        )
    return findings


OWN_TEACHER_SPONSORS = (OrgKind.MEDICAL, OrgKind.TEACHING, OrgKind.RESEARCH)


def _is_own(teacher, sponsor: Organisation) -> bool:
    if teacher.unit_id:
        return teacher.unit_id == sponsor.pk
    return teacher.unit_name.strip() == sponsor.name


@rule(
    "OWN_TEACHER_SHARE",
    fields=("teachers",),
    source="004 §五.2",
    limits=("own_unit_teacher_share_min",),
)
def own_teacher_share(ctx: Context) -> RuleResult:
    """For medical, teaching or research sponsors, teachers from the sponsor itself are at least `own_unit_teacher_share_min`.

    A teacher is the sponsor's own when their unit is the sponsor (or, for an outside
    expert entered by name only, when the unit name is the sponsor's name).
    """
    if ctx.sponsor.kind not in OWN_TEACHER_SPONSORS or not ctx.teachers:
        return None
    minimum = float(ctx.limit("own_unit_teacher_share_min"))
    own = sum(1 for t in ctx.teachers if _is_own(t, ctx.sponsor))
    total = len(ctx.teachers)
    if own >= minimum * total:
        return None
    return flag(
        "teachers",
        "申办单位属于医疗卫生、教学、科研机构的，本单位授课教师占比原则上应不低于{min:.0%}，"
        "当前为{share:.0%}（{total}位授课教师中本单位{own}位）。".format(
            min=minimum, share=own / total, total=total, own=own
        ),
    )


@rule("TEACHER_CONSENT", fields=("teachers", "attachments"), source="002 附件1.1")
def teacher_consent(ctx: Context) -> RuleResult:
    """Every teacher's informed consent is recorded, with evidence.

    Each teacher needs `consent`; the evidence is the teacher's own file or a
    《授课教师知情同意书》 attachment covering all teachers.
    """
    sheet = any(a.kind == Attachment.Kind.TEACHER_CONSENT and a.file for a in ctx.attachments)
    findings = []
    for index, teacher in enumerate(ctx.teachers):
        field = "teachers.{i}".format(i=index)
        if not teacher.consent:
            findings.append(
                flag(
                    field,
                    "授课教师“{name}”尚未确认知情同意：项目申报前须征得授课老师的知情同意，"
                    "并留存相关证据备查。".format(name=teacher.name),
                )
            )
        elif not teacher.consent_evidence and not sheet:
            findings.append(
                flag(
                    field,
                    "授课教师“{name}”缺少知情同意证据，请上传证据或上传《授课教师知情同意书》"
                    "附件。".format(name=teacher.name),
                )
            )
    return findings


# -- sessions and places ------------------------------------------------------------------


@rule(
    "SESSIONS_MAX",
    fields=("sessions_planned", "planned_sessions"),
    source="004 §六.6",
    limits=("sessions.max",),
)
def sessions_max(ctx: Context) -> RuleResult:
    """A project has at most `sessions.max` sessions (期次), and no more planned than declared."""
    most = int(ctx.limit("sessions.max"))
    planned = ctx.project.sessions_planned or 0
    listed = len(ctx.sessions)
    findings = []
    if planned > most:
        findings.append(
            flag(
                "sessions_planned",
                "举办期数为{n}期，每个项目最多可申请{most}期（次）。".format(n=planned, most=most),
            )
        )
    if listed > most:
        findings.append(
            flag(
                "planned_sessions",
                "已填写{n}个举办期次，每个项目最多可申请{most}期（次）。".format(
                    n=listed, most=most
                ),
            )
        )
    elif listed > planned:
        findings.append(
            flag(
                "planned_sessions",
                "已填写{n}个举办期次，多于举办期数{planned}期；举办的期（次）数不得超过申报时"
                "所填期（次）。".format(n=listed, planned=planned),
            )
        )
    return findings


OUTSIDE_MAINLAND = ("71", "81", "82")  # GB/T 2260: 台湾, 香港, 澳门


@rule("PLACE_MAINLAND", fields=("planned_sessions",), source="004 §六.6")
def place_mainland(ctx: Context) -> RuleResult:
    """Every session is held in mainland China (中国内地), with its province/city chosen."""
    findings = []
    for index, session in enumerate(ctx.sessions):
        field = "planned_sessions.{i}".format(i=index)
        if session.place_outside.strip():
            place = session.place_outside.strip()
        elif session.region_id is None:
            findings.append(
                flag(
                    field,
                    "第{n}期未选择举办地（省/市），项目举办地点须在中国内地。".format(n=index + 1),
                )
            )
            continue
        elif session.region_id.startswith(OUTSIDE_MAINLAND):
            place = session.region.name
        else:
            continue
        findings.append(
            flag(
                field,
                "第{n}期举办地为“{place}”，项目举办地点须在中国内地。".format(
                    n=index + 1, place=place
                ),
            )
        )
    return findings


@rule("PLACE_BANNED", fields=("planned_sessions",), source="001; 004 §六.6")
def place_banned(ctx: Context) -> RuleResult:
    """No session is held in a scenic area where meetings are banned (the configurable BannedPlace list).

    A session is flagged when its address contains a banned place's name and its region
    lies in that place's region: "陕西省华阴市华山" is, "长沙市华山路" is not. A session
    without a region is left to PLACE_MAINLAND.
    """
    findings = []
    for index, session in enumerate(ctx.sessions):
        if not session.address or session.region_id is None:
            continue
        hit = next(
            (
                place
                for place in ctx.banned_places
                if place.name in session.address
                and (place.region_id is None or region_within(session.region_id, place.region_id))
            ),
            None,
        )
        if hit is None:
            continue
        findings.append(
            flag(
                "planned_sessions.{i}".format(i=index),
                "第{n}期举办地点“{address}”位于{place}，严禁到国家明令禁止举办会议的风景名胜区"
                "举办项目，请更换举办地点。".format(
                    n=index + 1, address=session.address, place=hit.name
                ),
            )
        )
    return findings


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
