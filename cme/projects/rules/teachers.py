"""Teachers: titles, theory hours, own-unit share, informed consent."""

from decimal import Decimal

from cme.orgs.models import Organisation
from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.models import Attachment, Lesson, Project
from cme.projects.rules._text import _hours, _level_name, _title

OrgKind = Organisation.Kind
BASE = Project.Form.BASE

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
