"""Every change to a declaration: drafting, submission, review decisions, numbering."""

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.orgs.models import Organisation
from cme.policy.access import for_year
from cme.projects.chains import review_plan
from cme.projects.models import (
    Kind,
    Level,
    NumberCounter,
    Project,
    ReviewStep,
    State,
)
from cme.projects.permissions import can_decide, can_declare_for, can_edit, can_submit
from cme.projects.rules import check_declaration, has_errors

Decision = ReviewStep.Decision
DRAFT_FIELDS = [
    "name",
    "discipline",
    "sponsor_is_first",
    "co_sponsors",
    "leader",
    "leader_phone",
    "academic_leader",
    "technical_leader",
    "form",
    "website",
    "audience",
    "expected_participants",
    "sessions_planned",
    "credits",
    "needs_sources",
    "needs_analysis",
    "objectives",
    "assessment_method",
    "evaluation_levels",
    "fees",
    "priority_tags",
    "is_annual_meeting",
]


def sponsor_of(declared_by: Organisation) -> Organisation:
    """A branch declares under its society's account; the society is the sponsor of record."""
    return declared_by.parent if declared_by.kind == Organisation.Kind.BRANCH else declared_by


@transaction.atomic
def start_declaration(
    *,
    actor,
    declared_by: Organisation,
    year: int,
    level: str,
    kind: str = Kind.NEW,
    name: str = "",
    previous: Project | None = None,
) -> Project:
    """A new draft; a filing starts as a copy of the approved project of the previous year."""
    if not can_declare_for(actor, declared_by):
        raise PermissionDenied("只有本单位账户管理员、分会秘书或项目负责人可以申报。")
    if level not in Level.values or kind not in Kind.values:
        raise DomainError("DECLARATION_INVALID", "项目级别或申报类型无效。")
    if kind == Kind.FILING:
        if previous is None:
            raise DomainError(
                "FILING_NEEDS_PREVIOUS", "备案项目须选择上一年度已批准的项目。", field="previous"
            )
        return _copy_for_filing(previous, actor=actor, declared_by=declared_by, year=year)
    if not name.strip():
        raise DomainError("NAME_REQUIRED", "请填写项目名称。", field="name")
    project = Project.objects.create(
        year=year,
        level=level,
        kind=kind,
        name=name.strip(),
        sponsor=sponsor_of(declared_by),
        declared_by=declared_by,
        created_by=actor,
    )
    audit.record("project.create", actor=actor, obj=project, scope_path=declared_by.tree_path)
    return project


def _copy_for_filing(previous: Project, *, actor, declared_by: Organisation, year: int) -> Project:
    if previous.declared_by_id != declared_by.pk:
        raise DomainError("FILING_NOT_OWN", "只能备案本单位上一年度的项目。", field="previous")
    project = Project.objects.create(
        year=year,
        level=previous.level,
        kind=Kind.FILING,
        sponsor=previous.sponsor,
        declared_by=declared_by,
        previous=previous,
        created_by=actor,
        name=previous.name,
        **{f: getattr(previous, f) for f in DRAFT_FIELDS if f != "name"},
    )
    teachers = {}
    for teacher in previous.teachers.all():
        old_pk = teacher.pk
        teacher.pk, teacher.project = None, project
        teacher.save()
        teachers[old_pk] = teacher
    for lesson in previous.lessons.all():
        lesson.pk, lesson.project, lesson.teacher = None, project, teachers[lesson.teacher_id]
        lesson.save()
    audit.record(
        "project.create",
        actor=actor,
        obj=project,
        scope_path=declared_by.tree_path,
        changes={"备案自": previous.number or previous.name},
    )
    return project


@transaction.atomic
def save_draft(project: Project, values: dict, *, actor) -> Project:
    """Drafts are saved as the user goes; only in 草稿 or 退回修改."""
    if not can_edit(actor, project):
        raise PermissionDenied("该申报当前不能修改。")
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise DomainError(
            "FIELD_NOT_EDITABLE", "字段不能在此修改：{f}".format(f="、".join(sorted(unknown)))
        )
    for name, value in values.items():
        setattr(project, name, value)
    project.save()
    if "leader" in values:
        _leader_teaches_first(project)
    return project


def _leader_teaches_first(project: Project) -> None:
    """The leader is added as the first teacher (004 §五.2: the leader must teach)."""
    from cme.projects.models import Teacher

    leader = project.leader
    project.teachers.filter(is_leader=True).exclude(person=leader).update(is_leader=False)
    if leader is None or project.teachers.filter(person=leader).update(is_leader=True):
        return
    project.teachers.update(order=models.F("order") + 1)
    Teacher.objects.create(
        project=project,
        order=0,
        person=leader,
        name=leader.name,
        unit=leader.unit,
        unit_name=leader.unit.name if leader.unit else "",
        title=leader.title,
        title_level=leader.title_level,
        specialty=leader.department,
        is_leader=True,
    )


@transaction.atomic
def submit_declaration(project: Project, *, actor, at=None) -> Project:
    """Check every rule; errors block; warnings are recorded. The review chain starts."""
    if not can_submit(actor, project):
        raise PermissionDenied("只有本单位账户管理员可以提交申报。")
    findings = check_declaration(project, at=at)
    if has_errors(findings):
        Project.objects.filter(pk=project.pk).update(findings=[f.as_dict() for f in findings])
        errors = [f for f in findings if f.level == "error"]
        fields = {f.field for f in errors} - {"__all__"}
        raise DomainError(
            "DECLARATION_HAS_ERRORS",
            "申报中有{n}项错误，不能提交；请按检查结果修改：{items}".format(
                n=len(errors), items="".join(_error_line(f) for f in errors)
            ),
            field=fields.pop() if len(fields) == 1 else None,
        )
    plan = review_plan(project)
    if not plan:
        raise DomainError("NO_REVIEWER", "没有找到该单位的审核机构，请联系发证机构。")
    won = Project.objects.filter(pk=project.pk, state__in=[State.DRAFT, State.RETURNED]).update(
        state=State.UNDER_REVIEW,
        submitted_at=at or timezone.now(),
        findings=[f.as_dict() for f in findings],
    )
    if not won:
        raise Conflict()
    round_ = (project.review_steps.aggregate(r=Max("round"))["r"] or 0) + 1
    ReviewStep.objects.bulk_create(
        ReviewStep(project=project, round=round_, order=i, stage=stage, reviewer=reviewer)
        for i, (stage, reviewer) in enumerate(plan)
    )
    project.refresh_from_db()
    audit.record(
        "project.submit",
        actor=actor,
        obj=project,
        scope_path=project.declared_by.tree_path,
        changes={"warnings": [f.rule_id for f in findings]},
    )
    return project


def _error_line(finding) -> str:
    """One error of a refused submission: "【LEADER_TITLE】项目负责人：项目负责人须具有……"."""
    from cme.projects.forms import field_label

    label = field_label(finding.field) if finding.field and finding.field != "__all__" else ""
    return "【{rule}】{label}{message}".format(
        rule=finding.rule_id, label=label + "：" if label else "", message=finding.message
    )


def current_step(project: Project) -> ReviewStep | None:
    """The step waiting for a decision: the first undecided one of the latest round."""
    if project.state != State.UNDER_REVIEW:
        return None
    return (
        project.review_steps.filter(decision=Decision.WAITING).order_by("-round", "order").first()
    )


@transaction.atomic
def decide(
    step: ReviewStep, *, actor, decision: str, comment: str = "", field_comments: dict | None = None
) -> ReviewStep:
    """approve (forward, or approve and number at the last step), return with comments, reject."""
    if not can_decide(actor, step):
        raise PermissionDenied("只有该环节的审核机构可以审核。")
    if decision not in {Decision.APPROVED, Decision.RETURNED, Decision.REJECTED}:
        raise DomainError("DECISION_INVALID", "审核结论无效。", field="decision")
    if decision != Decision.APPROVED and not (comment.strip() or field_comments):
        raise DomainError("REASON_REQUIRED", "退回或不予通过时须填写意见。", field="comment")
    project = Project.objects.select_for_update().get(pk=step.project_id)
    if current_step(project) != step:
        raise Conflict()
    findings = [f.as_dict() for f in check_declaration(project)]
    won = ReviewStep.objects.filter(pk=step.pk, decision=Decision.WAITING).update(
        decision=decision,
        comment=comment,
        field_comments=field_comments or {},
        findings=findings,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    if not won:
        raise Conflict()
    step.refresh_from_db()
    if decision == Decision.RETURNED:
        _close_round(project, State.RETURNED)
    elif decision == Decision.REJECTED:
        _close_round(project, State.REJECTED)
    elif current_step(project) is None:
        _approve(project)
    audit.record(
        "project.review",
        actor=actor,
        obj=project,
        scope_path=project.declared_by.tree_path,
        changes={"环节": step.get_stage_display(), "结论": step.get_decision_display()},
        comment=comment,
    )
    return step


def _close_round(project: Project, state: str) -> None:
    project.review_steps.filter(decision=Decision.WAITING).delete()
    Project.objects.filter(pk=project.pk).update(state=state)


def _approve(project: Project) -> None:
    number = issue_number(project)
    Project.objects.filter(pk=project.pk).update(
        state=State.APPROVED, number=number, approved_at=timezone.now()
    )


def issue_number(project: Project) -> str:
    """YYYY-SS-TT-NNN(国) / (湘) / (city): one number per approval, never reused; the counter
    row is locked, so two approvals at once get two numbers."""
    if project.discipline is None:
        raise DomainError("DISCIPLINE_REQUIRED", "请选择学科后再批准。", field="discipline")
    d = project.discipline
    counter, _ = NumberCounter.objects.get_or_create(
        level=project.level,
        year=project.year,
        secondary_code=d.secondary_code,
        tertiary_code=d.tertiary_code,
    )
    counter = NumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    fmt = for_year(project.year).get("project_number.{l}_format".format(l=project.level))
    city = _city_name(project.sponsor) if project.level == Level.CITY else ""
    return fmt.format(
        year=project.year,
        secondary=d.secondary_code,
        tertiary=d.tertiary_code,
        seq=counter.last,
        city=city,
    )


def _city_name(org: Organisation) -> str:
    region = org.region
    while region is not None and region.level == "county":
        region = region.parent
    return region.name if region else ""


def batch_decide(
    steps: list[ReviewStep], *, actor, decision: str, comment: str = ""
) -> tuple[int, list[str]]:
    """Decide several at once; each is its own transaction, and failures are reported by name."""
    done, failed = 0, []
    for step in steps:
        try:
            decide(step, actor=actor, decision=decision, comment=comment)
            done += 1
        except DomainError as exc:
            failed.append("{p}：{m}".format(p=step.project.name, m=exc.message))
    return done, failed


@transaction.atomic
def replace_content(project: Project, content: dict, *, actor) -> Project:
    """Replace a draft's teachers, lessons and planned sessions (the courses and sessions tabs,
    and the API). `content` = {"teachers": [{name, unit_name, title, specialty, person, unit,
    is_leader, consent}], "lessons": [{topic, teacher: index into teachers, hours, kind}],
    "sessions": [{starts_on, ends_on, region, address, place_outside}]}. A teacher's
    consent_evidence is an uploaded file or the name of the one already stored."""
    from cme.people.titles import level_of
    from cme.projects.models import Lesson, PlannedSession, Teacher

    if not can_edit(actor, project):
        raise PermissionDenied("该申报当前不能修改。")
    project.lessons.all().delete()
    project.teachers.all().delete()
    project.planned_sessions.all().delete()
    teachers = []
    for i, row in enumerate(content.get("teachers", [])):
        title = row.get("title", "")
        level = level_of(title)
        if level is None:
            raise DomainError(
                "TITLE_UNKNOWN",
                "第{n}位教师的职称“{t}”无法识别。".format(n=i + 1, t=title),
                field="teachers.{i}".format(i=i),
            )
        teachers.append(
            Teacher.objects.create(
                project=project,
                order=i,
                name=row["name"],
                unit_name=row.get("unit_name", ""),
                unit=row.get("unit") or (row["person"].unit if row.get("person") else None),
                person=row.get("person"),
                title=title,
                title_level=int(level[1]),
                specialty=row.get("specialty", ""),
                is_leader=bool(row.get("is_leader")),
                consent=bool(row.get("consent")),
                consent_evidence=row.get("consent_evidence") or "",
            )
        )
    lessons = []
    for i, row in enumerate(content.get("lessons", [])):
        index = row["teacher"]
        if not 0 <= index < len(teachers):
            raise DomainError(
                "LESSON_TEACHER",
                "第{n}节课的授课教师不在教师名单中。".format(n=i + 1),
                field="lessons.{i}".format(i=i),
            )
        lessons.append(
            Lesson(
                project=project,
                order=i,
                topic=row["topic"],
                teacher=teachers[index],
                hours=row["hours"],
                kind=row.get("kind", Lesson.Kind.THEORY),
            )
        )
    Lesson.objects.bulk_create(lessons)
    PlannedSession.objects.bulk_create(
        PlannedSession(
            project=project,
            order=i,
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            region=row.get("region"),
            address=row.get("address", ""),
            place_outside=row.get("place_outside", ""),
        )
        for i, row in enumerate(content.get("sessions", []))
    )
    project.save(update_fields=["updated_at"])
    return project


@transaction.atomic
def publish_year(year: int, level: str, *, actor) -> int:
    """公布: a year's approved projects of one level become public (SPEC §9). Provincial and
    city lists are published by their approving authority, national ones by the office."""
    from cme.accounts.models import Role
    from cme.accounts.scope import acting_org, role_of

    allowed = {
        Level.NATIONAL: {Role.NATIONAL_OFFICE, Role.SYSTEM_ADMIN},
        Level.PROVINCIAL: {Role.PROVINCIAL_OFFICE, Role.SYSTEM_ADMIN},
        Level.CITY: {Role.CITY_REVIEWER, Role.SYSTEM_ADMIN},
    }[level]
    if role_of(actor) not in allowed:
        raise PermissionDenied("您无权公布该级别的项目。")
    qs = Project.objects.filter(year=year, level=level, state=State.APPROVED)
    org = acting_org(actor)
    if level == Level.CITY and org is not None:
        qs = qs.filter(declared_by__tree_path__startswith=org.tree_path)
    count = qs.update(state=State.PUBLISHED)
    audit.record(
        "project.publish",
        actor=actor,
        changes={"年度": year, "级别": str(Level(level).label), "项目数": count},
    )
    return count


@transaction.atomic
def attach_file(project: Project, *, kind: str, file, actor) -> None:
    """One of the five required attachments; a new file replaces the kind's previous one."""
    from cme.projects.models import Attachment

    if not can_edit(actor, project):
        raise PermissionDenied("该申报当前不能修改。")
    if kind not in Attachment.Kind.values:
        raise DomainError("ATTACHMENT_KIND", "附件类型无效。", field="kind")
    project.attachments.filter(kind=kind).delete()
    Attachment.objects.create(project=project, kind=kind, file=file)
    project.save(update_fields=["updated_at"])
    audit.record(
        "project.attach",
        actor=actor,
        obj=project,
        scope_path=project.declared_by.tree_path,
        changes={"附件": str(Attachment.Kind(kind).label)},
    )
