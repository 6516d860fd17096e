"""Every change to training plans and work reports (003 §七, §十一): drafting, rows by hand
or from a spreadsheet, submission (late ones flagged), the city's row decisions — each
approved row becomes an approved, numbered city-level project in the same transaction —
and the annual work report."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.uploads import SCAN_MAX_BYTES, WORD, is_ooxml
from cme.orgs.models import Organisation
from cme.plans.models import AnnualWorkReport, Half, PlanRow, TrainingPlan
from cme.plans.permissions import (
    can_decide_plan,
    can_edit_plan,
    city_of,
    is_plan_unit,
    is_work_reporter,
    report_city_of,
)
from cme.plans.rows import clean_row
from cme.policy.access import for_year
from cme.projects.models import Kind, Lesson, Level, NumberCounter, PlannedSession, Project, State
from cme.projects.models import Teacher as ProjectTeacher

Decision = PlanRow.Decision
# City plans name no discipline: their projects are numbered in a counter of their own.
NO_DISCIPLINE = "00"


# --- deadlines (policy data) -------------------------------------------------------------------


def _month_day(year: int, value: str) -> datetime.date:
    month, day = (int(part) for part in str(value).split("-"))
    return datetime.date(year, month, day)


def plan_due_on(year: int, half: int) -> datetime.date:
    """003 §十一: the first half's plan by 31 March, the second half's by 31 July
    (`city_plan.deadlines`, month-day per half)."""
    return _month_day(year, for_year(year).get("city_plan.deadlines")[str(int(half))])


def work_report_due_on(year: int) -> datetime.date:
    """003 §七: the year's work report by 31 December (`work_report.deadline`)."""
    return _month_day(year, for_year(year).get("work_report.deadline"))


def is_late(at: datetime.datetime, due_on: datetime.date) -> bool:
    """Late from the day after the deadline, local time: on 31 March is on time."""
    return timezone.localtime(at).date() > due_on


def _scope(plan: TrainingPlan) -> str:
    return plan.unit.tree_path


# --- the unit's draft --------------------------------------------------------------------------


@transaction.atomic
def start_plan(*, actor, year: int, half: int) -> TrainingPlan:
    """A new draft for the actor's unit, addressed to the city above it."""
    if not is_plan_unit(actor):
        raise PermissionDenied("只有单位账户管理员可以填报培训计划。")
    if half not in Half.values:
        raise DomainError("HALF_INVALID", "请选择上半年或下半年。", field="half")
    unit = acting_org(actor)
    city = city_of(unit)
    if city is None:
        raise DomainError("NO_CITY", "本单位不隶属于市州卫生健康委，不能填报市级继续医学教育计划。")
    try:
        with transaction.atomic():
            plan = TrainingPlan.objects.create(
                unit=unit,
                city=city,
                year=year,
                half=half,
                due_on=plan_due_on(year, half),
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError(
            "PLAN_EXISTS",
            "本单位{y}年{h}的培训计划已存在。".format(y=year, h=Half(half).label),
            field="half",
        ) from None
    audit.record(
        "plan.create",
        actor=actor,
        obj=plan,
        scope_path=unit.tree_path,
        changes={"报送机构": city.name, "截止日期": plan.due_on.isoformat()},
    )
    return plan


def _check_editable(plan: TrainingPlan, actor) -> None:
    if not can_edit_plan(actor, plan):
        raise PermissionDenied("该培训计划当前不能修改。")


def _first_error(errors: list[DomainError]) -> DomainError:
    return DomainError(errors[0].code, "；".join(e.message for e in errors), field=errors[0].field)


@transaction.atomic
def save_row(
    plan: TrainingPlan, values: dict[str, str], *, actor, row: PlanRow | None = None
) -> PlanRow:
    """Add a row (序号 defaults to the next one) or change one, checked as an imported row."""
    _check_editable(plan, actor)
    if row is not None and row.plan_id != plan.pk:
        raise DomainError("ROW_NOT_IN_PLAN", "该条目不属于本计划。")
    data, errors = clean_row(values, plan)
    if errors:
        raise _first_error(errors)
    number = data.number
    if number is None:
        number = (
            row.number if row is not None else (plan.rows.aggregate(n=Max("number"))["n"] or 0) + 1
        )
    if plan.rows.filter(number=number).exclude(pk=row.pk if row else None).exists():
        raise DomainError(
            "NUMBER_TAKEN", "序号{n}已被本计划的其他条目使用。".format(n=number), field="number"
        )
    created = row is None
    row = row or PlanRow(plan=plan)
    row.number = number
    for f, value in data.values().items():
        setattr(row, f, value)
    row.save()
    plan.save(update_fields=["updated_at"])
    audit.record(
        "plan.row_add" if created else "plan.row_edit",
        actor=actor,
        obj=plan,
        scope_path=_scope(plan),
        changes={"序号": number, "培训名称": row.name},
    )
    return row


@transaction.atomic
def delete_row(row: PlanRow, *, actor) -> None:
    plan = row.plan
    _check_editable(plan, actor)
    audit.record(
        "plan.row_delete",
        actor=actor,
        obj=plan,
        scope_path=_scope(plan),
        changes={"序号": row.number, "培训名称": row.name},
    )
    row.delete()


@transaction.atomic
def submit_plan(plan: TrainingPlan, *, actor, at: datetime.datetime | None = None):
    """报送: a late plan is accepted and flagged; the city then decides each row."""
    _check_editable(plan, actor)
    if not plan.rows.exists():
        raise DomainError("PLAN_EMPTY", "培训计划中还没有条目，不能报送。")
    at = at or timezone.now()
    late = is_late(at, plan.due_on)
    won = TrainingPlan.objects.filter(pk=plan.pk, state=TrainingPlan.State.DRAFT).update(
        state=TrainingPlan.State.SUBMITTED, submitted_at=at, submitted_by=actor, late=late
    )
    if not won:
        raise Conflict()
    plan.refresh_from_db()
    audit.record(
        "plan.submit",
        actor=actor,
        obj=plan,
        scope_path=_scope(plan),
        changes={"报送机构": plan.city.name, "条目数": plan.rows.count(), "逾期": late},
    )
    return plan


# --- the city's decisions ----------------------------------------------------------------------


@transaction.atomic
def decide_rows(
    plan: TrainingPlan, decisions: list[tuple[int, bool, str]], *, actor
) -> list[PlanRow]:
    """(row id, approve?, reason) for some or all pending rows; a refusal needs a reason.
    Each approved row becomes an approved city-level project in this transaction; when no
    row is left pending the plan is decided."""
    if not can_decide_plan(actor, plan):
        raise PermissionDenied("只有计划报送的市卫生健康委可以审核。")
    plan = TrainingPlan.objects.select_for_update().select_related("unit", "city").get(pk=plan.pk)
    if plan.state != TrainingPlan.State.SUBMITTED:
        raise Conflict()
    if not decisions:
        raise DomainError("NO_DECISION", "请至少对一个条目作出审核结论。")
    rows = {r.pk: r for r in plan.rows.all()}
    now = timezone.now()
    decided = []
    for row_id, approve, reason in decisions:
        row = rows.get(row_id)
        if row is None:
            raise DomainError("ROW_NOT_IN_PLAN", "该条目不属于本计划。")
        reason = (reason or "").strip()
        if not approve and not reason:
            raise DomainError(
                "REASON_REQUIRED",
                "第{n}条“{t}”不同意时须填写理由。".format(n=row.number, t=row.name),
                field="reason",
            )
        project = _city_project(row, plan, actor=actor, at=now) if approve else None
        won = PlanRow.objects.filter(pk=row.pk, decision=Decision.PENDING).update(
            decision=Decision.APPROVED if approve else Decision.REFUSED,
            reason=reason,
            decided_by=actor,
            decided_at=now,
            project=project,
        )
        if not won:
            raise Conflict()
        row.refresh_from_db()
        decided.append(row)
    if not plan.rows.filter(decision=Decision.PENDING).exists():
        TrainingPlan.objects.filter(pk=plan.pk).update(
            state=TrainingPlan.State.DECIDED, decided_at=now
        )
    audit.record(
        "plan.decide",
        actor=actor,
        obj=plan,
        scope_path=_scope(plan),
        changes={
            "同意": [r.number for r in decided if r.decision == Decision.APPROVED],
            "不同意": [r.number for r in decided if r.decision == Decision.REFUSED],
            "立项": [r.project.number for r in decided if r.project_id],
        },
    )
    return decided


def approve_all(plan: TrainingPlan, *, actor) -> list[PlanRow]:
    """全部同意: every row still pending."""
    pending = plan.rows.filter(decision=Decision.PENDING).values_list("pk", flat=True)
    return decide_rows(plan, [(pk, True, "") for pk in pending], actor=actor)


def _city_project(row: PlanRow, plan: TrainingPlan, *, actor, at) -> Project:
    """The approved city-level project a row becomes, shaped the way `cme.holding` needs it:
    one planned session with the row's dates and place, and one lesson — the row's content,
    given by its 承办单位 — whose hours earn exactly the row's credits at the year's city
    rate, so a session awards the planned credits to those who pass."""
    rate = Decimal(str(for_year(plan.year).get("rate.city.participant_hours_per_credit")))
    project = Project.objects.create(
        year=plan.year,
        level=Level.CITY,
        kind=Kind.NEW,
        name=row.name,
        sponsor=plan.unit,
        declared_by=plan.unit,
        form=Project.Form.DISTANCE
        if row.mode == PlanRow.Mode.ONLINE
        else Project.Form.FACE_TO_FACE,
        audience=row.audience,
        expected_participants=row.participants,
        sessions_planned=1,
        credits=row.credits,
        objectives=row.content,
        state=State.APPROVED,
        number=_issue_number(plan),
        created_by=actor,
        submitted_at=plan.submitted_at,
        approved_at=at,
    )
    PlannedSession.objects.create(
        project=project,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        region=plan.unit.region,
        address=row.place,
    )
    teacher = ProjectTeacher.objects.create(
        project=project,
        name=row.organiser[:64],
        unit_name=row.organiser,
        unit=plan.unit if row.organiser == plan.unit.name else None,
    )
    Lesson.objects.create(
        project=project,
        topic=(row.content or row.name)[:200],
        teacher=teacher,
        hours=row.credits * rate,
    )
    return project


def _issue_number(plan: TrainingPlan) -> str:
    """The year's next city-level number in the format of `project_number.city_format`,
    from a locked counter (distinct, gap-free, never reused)."""
    counter, _ = NumberCounter.objects.get_or_create(
        level=Level.CITY, year=plan.year, secondary_code=NO_DISCIPLINE, tertiary_code=NO_DISCIPLINE
    )
    counter = NumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    fmt = for_year(plan.year).get("project_number.city_format")
    region = plan.city.region
    return fmt.format(
        year=plan.year,
        secondary=NO_DISCIPLINE,
        tertiary=NO_DISCIPLINE,
        seq=counter.last,
        city=region.name if region else "",
    )


# --- annual work reports -----------------------------------------------------------------------

_PDF = b"%PDF-"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc
_ZIP = b"PK\x03\x04"  # .docx


def check_report_file(upload) -> None:
    """A PDF or Word file of at most 10 MB, by its content (a .docx must hold word/)."""
    if upload.size > SCAN_MAX_BYTES:
        raise DomainError("FILE_TOO_LARGE", "文件超过10MB，请压缩后重新上传。", field="file")
    head = upload.read(8)
    upload.seek(0)
    ok = head.startswith((_PDF, _OLE)) or (head.startswith(_ZIP) and is_ooxml(upload, WORD))
    if not ok:
        raise DomainError("FILE_TYPE", "文件内容不是PDF或Word文档。", field="file")


@transaction.atomic
def submit_work_report(
    *, actor, year: int, text: str = "", file=None, at: datetime.datetime | None = None
) -> AnnualWorkReport:
    """The unit's or county's report of `year` to its city; again replaces the content and
    keeps the first submission's time and late flag."""
    if not is_work_reporter(actor):
        raise PermissionDenied("只有单位账户管理员或区县卫生健康局可以报送年度工作总结。")
    org: Organisation = acting_org(actor)
    city = report_city_of(org)
    if city is None:
        raise DomainError(
            "NO_REPORT_CITY",
            "本单位不是市卫生健康委直接管理的单位或区县，年度工作总结请报送上级主管部门。",
        )
    text = (text or "").strip()
    if file:
        check_report_file(file)
    at = at or timezone.now()
    report = AnnualWorkReport.objects.select_for_update().filter(unit=org, year=year).first()
    if not text and not file and not (report and report.file):
        raise DomainError("REPORT_EMPTY", "请填写工作总结或上传工作总结文件。", field="text")
    created = report is None
    if created:
        due_on = work_report_due_on(year)
        report = AnnualWorkReport(
            unit=org,
            city=city,
            year=year,
            due_on=due_on,
            submitted_at=at,
            late=is_late(at, due_on),
        )
    report.text = text
    if file:
        report.file = file
    report.submitted_by = actor
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise Conflict("本单位的工作总结刚刚由他人报送，请刷新后查看。") from None
    audit.record(
        "work_report.submit" if created else "work_report.resubmit",
        actor=actor,
        obj=report,
        scope_path=org.tree_path,
        changes={
            "年度": year,
            "报送机构": city.name,
            "逾期": report.late,
            "附件": bool(report.file),
        },
    )
    return report
