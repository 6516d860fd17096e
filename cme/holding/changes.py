"""Changes to a session's teaching plan (变更, SPEC §5; 002 附件1.3-4; 004 §六.4).

A session starts with the approved lessons copied; the sponsor edits them to what is
actually given. Teachers, content and total hours may each change by at most the year's
`change.max_ratio.<level>` of the approved hours (national 30%, provincial 50%; a year
without the key sets no ratio). A replacement teacher's title may not be lower than the
original's (rule REPLACEMENT_TEACHER_TITLE, severity from policy). Beyond the limit the
session awards no credits; the sponsor is told before saving and must confirm.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from cme.core import audit
from cme.core.errors import DomainError, PermissionDenied
from cme.holding.models import (
    HeldSession,
    LeaderChange,
    SessionLesson,
)
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.people.titles import TitleLevel
from cme.policy.access import for_year
from cme.projects.models import Lesson, Level, Project


@dataclass(frozen=True)
class LessonRow:
    """One lesson as the sponsor enters it (from the page, the API or the database)."""

    topic: str
    teacher_name: str
    hours: Decimal
    teacher_title: str = ""
    teacher_title_level: int = TitleLevel.NONE
    teacher_unit: str = ""
    planned_id: int | None = None


@dataclass
class ChangeSummary:
    planned_hours: Decimal
    actual_hours: Decimal
    teacher_hours: Decimal = Decimal(0)  # approved hours whose teacher was replaced
    content_hours: Decimal = Decimal(0)  # approved hours dropped or retitled, plus new ones
    limit: Decimal | None = None
    lower_titles: list[str] = field(default_factory=list)  # messages, one per lesson
    title_severity: str = "error"

    @property
    def hours_delta(self) -> Decimal:
        return abs(self.actual_hours - self.planned_hours)

    def ratio(self, hours: Decimal) -> Decimal:
        if not self.planned_hours:
            return Decimal(0)
        return (hours / self.planned_hours * 100).quantize(Decimal("0.1"))

    @property
    def ratios(self) -> dict[str, Decimal]:
        """Percent of the approved hours, per dimension (授课教师, 授课内容, 总学时)."""
        return {
            "teachers": self.ratio(self.teacher_hours),
            "content": self.ratio(self.content_hours),
            "hours": self.ratio(self.hours_delta),
        }

    @property
    def within_limit(self) -> bool:
        if self.limit is None:
            return True
        bound = self.limit * self.planned_hours  # compare exactly, no rounding
        return all(h <= bound for h in (self.teacher_hours, self.content_hours, self.hours_delta))

    @property
    def changed(self) -> bool:
        return bool(self.teacher_hours or self.content_hours or self.hours_delta)

    @property
    def limit_percent(self) -> Decimal | None:
        return None if self.limit is None else (self.limit * 100).quantize(Decimal("1"))

    def beyond_message(self) -> str:
        return (
            "变更超过批准计划的{p}%（授课教师{t}%、授课内容{c}%、总学时{h}%），"
            "按规定本期次将不授予学分。"
        ).format(
            p=self.limit_percent,
            t=self.ratios["teachers"],
            c=self.ratios["content"],
            h=self.ratios["hours"],
        )


def change_limit(project: Project) -> Decimal | None:
    level = "national" if project.level == Level.NATIONAL else "provincial"
    value = for_year(project.year).optional("change.max_ratio.{lv}".format(lv=level))
    return None if value is None else Decimal(str(value))


def measure(project: Project, rows: list[LessonRow], planned: list[Lesson] | None = None):
    """How far `rows` are from the approved lessons of `project`."""
    if planned is None:
        planned = list(project.lessons.select_related("teacher"))
    by_id = {lesson.pk: lesson for lesson in planned}
    summary = ChangeSummary(
        planned_hours=sum((lesson.hours for lesson in planned), Decimal(0)),
        actual_hours=sum((row.hours for row in rows), Decimal(0)),
        limit=change_limit(project),
        title_severity=for_year(project.year).severity("REPLACEMENT_TEACHER_TITLE"),
    )
    kept = set()
    for row in rows:
        original = by_id.get(row.planned_id)
        if original is None or row.planned_id in kept:
            summary.content_hours += row.hours
            continue
        kept.add(original.pk)
        if row.topic.strip() != original.topic.strip():
            summary.content_hours += original.hours
        if row.teacher_name.strip() != original.teacher.name.strip():
            summary.teacher_hours += original.hours
            if row.teacher_title_level < original.teacher.title_level:
                summary.lower_titles.append(
                    "“{t}”的新授课教师{n}（{nt}）职称低于原授课教师{o}（{ot}）。".format(
                        t=row.topic,
                        n=row.teacher_name,
                        nt=TitleLevel(row.teacher_title_level).label,
                        o=original.teacher.name,
                        ot=TitleLevel(original.teacher.title_level).label,
                    )
                )
    summary.content_hours += sum(
        (lesson.hours for lesson in planned if lesson.pk not in kept), Decimal(0)
    )
    return summary


def session_summary(session: HeldSession) -> ChangeSummary:
    return measure(session.project, [row_of(lesson) for lesson in session.lessons.all()])


def row_of(lesson: SessionLesson) -> LessonRow:
    return LessonRow(
        topic=lesson.topic,
        teacher_name=lesson.teacher_name,
        hours=lesson.hours,
        teacher_title=lesson.teacher_title,
        teacher_title_level=lesson.teacher_title_level,
        teacher_unit=lesson.teacher_unit,
        planned_id=lesson.planned_id,
    )


@transaction.atomic
def save_lessons(
    session: HeldSession, rows: list[LessonRow], *, actor, confirm_beyond: bool = False
) -> ChangeSummary:
    """Replace the session's lessons with `rows`. Refused: an empty plan, a lower title
    (when the rule is an error), a plan beyond the limit that was not confirmed."""
    from cme.holding.actions import can_hold

    if not can_hold(actor, session.project):
        raise PermissionDenied("只有申办单位可以变更期次的课程安排。")
    session = HeldSession.objects.select_for_update().get(pk=session.pk)
    if session.is_reported():
        raise DomainError("CHANGE_LOCKED", "执行情况已报送，课程安排不能再变更。")
    for number, row in enumerate(rows, start=1):
        if not row.topic.strip() or not row.teacher_name.strip():
            raise DomainError(
                "CHANGE_ROW", "第{n}行：授课题目和授课教师不能为空。".format(n=number)
            )
        if row.hours <= 0:
            raise DomainError("CHANGE_ROW", "第{n}行：学时须大于0。".format(n=number))
    if not rows:
        raise DomainError("CHANGE_ROW", "课程安排不能为空。")
    summary = measure(session.project, rows)
    if summary.lower_titles and summary.title_severity == "error":
        raise DomainError("REPLACEMENT_TEACHER_TITLE", " ".join(summary.lower_titles))
    if not summary.within_limit and not confirm_beyond:
        raise DomainError(
            "CHANGE_BEYOND_LIMIT",
            summary.beyond_message() + "如确认仍按此安排举办，请勾选确认后保存。",
        )
    persons = _teachers_by_name(session.project)
    session.lessons.all().delete()
    SessionLesson.objects.bulk_create(
        SessionLesson(
            session=session,
            order=order,
            planned_id=row.planned_id,
            topic=row.topic.strip(),
            teacher_name=row.teacher_name.strip(),
            teacher_unit=row.teacher_unit.strip(),
            teacher_title=row.teacher_title.strip(),
            teacher_title_level=row.teacher_title_level,
            teacher=persons.get(row.teacher_name.strip()),
            hours=row.hours,
        )
        for order, row in enumerate(rows)
    )
    audit.record(
        "session.change",
        actor=actor,
        obj=session,
        scope_path=session.project.declared_by.tree_path,
        changes={
            "授课教师变更": "{v}%".format(v=summary.ratios["teachers"]),
            "授课内容变更": "{v}%".format(v=summary.ratios["content"]),
            "总学时": "{a}→{b}".format(a=summary.planned_hours, b=summary.actual_hours),
            "超出变更范围": not summary.within_limit,
        },
    )
    return summary


def _teachers_by_name(project: Project) -> dict[str, Person]:
    """Approved teachers with a registry record, by name: a kept or swapped-back teacher
    keeps the link that lecturer credits need."""
    return {
        t.name.strip(): t.person
        for t in project.teachers.select_related("person").filter(person__isnull=False)
    }


def provincial_office(project: Project) -> Organisation:
    office = Organisation.objects.filter(
        kind=Organisation.Kind.AUTHORITY,
        region_id=project.sponsor.region_id[:2] + "0000",
        status=Organisation.Status.ACTIVE,
    ).first()
    if office is None:
        raise DomainError("NO_PROVINCIAL_OFFICE", "未找到举办地省级继续医学教育委员会办公室。")
    return office


@transaction.atomic
def replace_leader(
    project: Project, *, actor, new_leader: Person, reason: str, evidence
) -> LeaderChange:
    """A leader replaced through force majeure: equal or higher title, filed with the
    provincial office (002 附件1.4)."""
    from cme.holding.actions import can_hold

    if not can_hold(actor, project):
        raise PermissionDenied("只有申办单位可以变更项目负责人。")
    project = Project.objects.select_for_update().get(pk=project.pk)
    previous = project.leader
    if previous is None:
        raise DomainError("LEADER_MISSING", "该项目未登记项目负责人。")
    if new_leader.pk == previous.pk:
        raise DomainError("LEADER_SAME", "新负责人与原负责人相同。", field="new_leader")
    if new_leader.title_level < previous.title_level:
        raise DomainError(
            "LEADER_REPLACEMENT_TITLE",
            "新负责人{n}（{nt}）的职称低于原负责人{o}（{ot}）；因不可抗力更换的负责人须具备同等及以上资质。".format(
                n=new_leader.name,
                nt=TitleLevel(new_leader.title_level).label,
                o=previous.name,
                ot=TitleLevel(previous.title_level).label,
            ),
            field="new_leader",
        )
    if not reason.strip():
        raise DomainError("LEADER_REASON", "请说明不可抗力原因。", field="reason")
    if not evidence:
        raise DomainError("LEADER_EVIDENCE", "请上传证明材料。", field="evidence")
    change = LeaderChange.objects.create(
        project=project,
        previous=previous,
        new=new_leader,
        reason=reason.strip(),
        evidence=evidence,
        filed_with=provincial_office(project),
        filed_by=actor,
    )
    project.leader = new_leader
    project.save(update_fields=["leader", "updated_at"])
    audit.record(
        "project.leader_change",
        actor=actor,
        obj=project,
        scope_path=project.declared_by.tree_path,
        changes={"项目负责人": "{a}→{b}".format(a=previous.name, b=new_leader.name)},
        comment=reason.strip(),
    )
    return change
