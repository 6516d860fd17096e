"""Holding an approved project: sessions and their pre-event reports (SPEC §5; 001; 003 §十;
004 §四.3, §六.6). Lead times and which cities want the 举办报备表 are policy data."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, role_of
from cme.core import audit
from cme.core.errors import DomainError, PermissionDenied
from cme.holding.models import HeldSession, PreReport, SessionLesson
from cme.orgs.models import Organisation, Region
from cme.policy.access import for_year
from cme.projects.models import Level, Project, State

HOLDABLE = (State.APPROVED, State.PUBLISHED, State.HELD)
HOLDING_ROLES = {Role.UNIT_ADMIN, Role.BRANCH_SECRETARY, Role.PROJECT_LEADER}


def can_hold(user, project: Project) -> bool:
    """The declaring unit (its admin, branch secretary or project leader) holds its project."""
    return (
        project.state in HOLDABLE
        and role_of(user) in HOLDING_ROLES
        and acting_org(user) == project.declared_by
    )


@transaction.atomic
def add_session(
    project: Project,
    *,
    actor,
    starts_on: datetime.date,
    ends_on: datetime.date,
    region: Region,
    address: str,
    expected_participants: int,
    credits: Decimal,
    mode: str = HeldSession.Mode.OFFLINE,
    online_application=None,
) -> HeldSession:
    """A session of an approved project; never more than the approved number (004 §六.6)."""
    if not can_hold(actor, project):
        raise PermissionDenied("只有申办单位可以为已批准的项目安排期次。")
    project = Project.objects.select_for_update().get(pk=project.pk)
    held = project.held_sessions.count()
    if held >= project.sessions_planned:
        raise DomainError(
            "SESSIONS_OVER_APPROVED",
            "该项目批准举办{n}期，已安排{n}期，不能再增加。".format(n=project.sessions_planned),
        )
    _check_session(
        project,
        starts_on=starts_on,
        ends_on=ends_on,
        mode=mode,
        online_application=online_application,
        credits=credits,
    )
    number = (project.held_sessions.aggregate(n=Max("number"))["n"] or 0) + 1
    session = HeldSession.objects.create(
        project=project,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        region=region,
        address=address.strip(),
        mode=mode,
        online_application=online_application or "",
        expected_participants=expected_participants,
        credits=credits,
        created_by=actor,
    )
    SessionLesson.objects.bulk_create(
        SessionLesson(
            session=session,
            order=lesson.order,
            planned=lesson,
            topic=lesson.topic,
            teacher_name=lesson.teacher.name,
            teacher_unit=lesson.teacher.unit_name,
            teacher_title=lesson.teacher.title,
            teacher_title_level=lesson.teacher.title_level,
            teacher=lesson.teacher.person,
            hours=lesson.hours,
        )
        for lesson in project.lessons.select_related("teacher")
    )
    if project.state != State.HELD:
        Project.objects.filter(pk=project.pk).update(state=State.HELD)
    audit.record(
        "session.create",
        actor=actor,
        obj=session,
        scope_path=project.declared_by.tree_path,
        changes={"期次": number, "日期": "{a}至{b}".format(a=starts_on, b=ends_on)},
    )
    return session


def _check_session(
    project: Project, *, starts_on, ends_on, mode, online_application, credits
) -> None:
    if ends_on < starts_on:
        raise DomainError("SESSION_DATES", "结束日期不能早于开始日期。", field="ends_on")
    if starts_on.year != project.year or ends_on.year != project.year:
        raise DomainError(
            "SESSION_OUTSIDE_YEAR",
            "期次须在项目年度（{y}年）内举办。".format(y=project.year),
            field="starts_on",
        )
    if mode == HeldSession.Mode.ONLINE and not online_application:
        raise DomainError(
            "ONLINE_NEEDS_APPLICATION",
            "面授项目原则上线下举办；改为线上须上传向省继续医学教育委员会提交的书面申请（004 §四.3）。",
            field="online_application",
        )
    if project.credits is not None and credits > project.credits:
        raise DomainError(
            "SESSION_CREDITS",
            "拟授学分不能超过批准的{c}分。".format(c=project.credits),
            field="credits",
        )


@dataclass(frozen=True)
class Requirement:
    kind: str
    authority: Organisation
    due_on: datetime.date
    days: int


def required_pre_reports(session: HeldSession) -> list[Requirement]:
    """Which authorities this session reports to, and by when:
    - a national project held in a province with an account here reports to that
      province's committee `lead_time.pre_report_national_days` before (001);
    - a sponsor in a city listed in `pre_report.cities` sends the city the 举办报备表
      `lead_time.pre_report_city_days` before (003 §十: 长沙)."""
    project = session.project
    policy = for_year(project.year)
    found = []
    if project.level == Level.NATIONAL:
        province = _authority(session.region_id[:2] + "0000")
        if province is not None:
            days = policy.get("lead_time.pre_report_national_days")
            found.append(
                Requirement(
                    PreReport.Kind.PROVINCE,
                    province,
                    session.starts_on - datetime.timedelta(days=days),
                    days,
                )
            )
    city_code = _city_code(project.sponsor)
    if city_code and city_code in (policy.optional("pre_report.cities") or []):
        city = _authority(city_code)
        if city is not None:
            days = policy.get("lead_time.pre_report_city_days")
            found.append(
                Requirement(
                    PreReport.Kind.CITY,
                    city,
                    session.starts_on - datetime.timedelta(days=days),
                    days,
                )
            )
    return found


def _authority(region_code: str) -> Organisation | None:
    return Organisation.objects.filter(
        kind=Organisation.Kind.AUTHORITY, region_id=region_code, status=Organisation.Status.ACTIVE
    ).first()


def _city_code(org: Organisation) -> str | None:
    region = org.region
    while region is not None and region.level == Region.Level.COUNTY:
        region = region.parent
    return region.code if region is not None and region.level == Region.Level.CITY else None


@transaction.atomic
def submit_pre_report(
    session: HeldSession, *, actor, kind: str, notice, schedule, note: str = "", at=None
) -> PreReport:
    """A late report is accepted and flagged (visible to the reviewer)."""
    if not can_hold(actor, session.project):
        raise PermissionDenied("只有申办单位可以报备。")
    requirement = next((r for r in required_pre_reports(session) if r.kind == kind), None)
    if requirement is None:
        raise DomainError("PRE_REPORT_NOT_REQUIRED", "该期次无需此项报备。", field="kind")
    if not notice or not schedule:
        raise DomainError("PRE_REPORT_FILES", "请上传会议通知和课程安排。", field="notice")
    at = at or timezone.now()
    report, created = PreReport.objects.update_or_create(
        session=session,
        kind=kind,
        defaults={
            "authority": requirement.authority,
            "due_on": requirement.due_on,
            "submitted_at": at,
            "late": timezone.localtime(at).date() > requirement.due_on,
            "notice": notice,
            "schedule": schedule,
            "note": note,
            "submitted_by": actor,
        },
    )
    audit.record(
        "session.pre_report",
        actor=actor,
        obj=report,
        scope_path=session.project.declared_by.tree_path,
        changes={
            "报备机构": requirement.authority.name,
            "逾期": report.late,
            "重新报备": not created,
        },
    )
    return report


def missing_pre_reports(session: HeldSession) -> list[Requirement]:
    done = set(session.pre_reports.values_list("kind", flat=True))
    return [r for r in required_pre_reports(session) if r.kind not in done]


def can_award_credits(session: HeldSession) -> tuple[bool, str]:
    """A session with a pre-event report missing awards no credits (issue 5 §2)."""
    missing = missing_pre_reports(session)
    if missing:
        return False, "未向{a}报备，本期次不能授予学分。".format(
            a="、".join(r.authority.name for r in missing)
        )
    return True, ""
