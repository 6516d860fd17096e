"""The demo's holding story (issue 5), on 长沙市第一医院's published provincial project:
session 1 held, reported and approved (credits valid, certificates issued, 李小红 among
the learners); session 2 ended and its report waiting for the province's review; session 3
coming up with its 举办报备表 not yet sent — so each login's home page has reminders."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from cme.accounts.models import User
from cme.holding import actions, reports
from cme.holding.models import Attendee
from cme.people.models import Person
from cme.projects.models import Lesson, Project, Teacher

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LESSONS = [  # (topic, hours, teacher index)
    ("急性胸痛的早期识别与分诊流程", "3.0", 0),
    ("胸痛中心质控指标解读", "3.0", 0),
    ("急性冠脉综合征再灌注治疗指南解读", "3.0", 1),
    ("病例讨论：基层医院胸痛患者的转诊", "3.0", 1),
]


def _file(name: str) -> ContentFile:
    return ContentFile(PDF, name=name)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def load_holding(project: Project, accounts: dict[str, User]) -> None:
    unit_admin, province = accounts["cs_hospital1"], accounts["hn_province"]
    sponsor = project.sponsor
    seniors = list(
        Person.objects.filter(unit=sponsor, title_level__gte=4).order_by("-title_level", "pk")[:2]
    )
    teachers = [
        Teacher.objects.create(
            project=project,
            order=i,
            person=p,
            name=p.name,
            unit=sponsor,
            unit_name=sponsor.name,
            title=p.title,
            title_level=p.title_level,
            is_leader=p == project.leader,
            consent=True,
        )
        for i, p in enumerate(seniors)
    ]
    for order, (topic, hours, t) in enumerate(LESSONS):
        Lesson.objects.create(
            project=project, order=order, topic=topic, hours=Decimal(hours), teacher=teachers[t]
        )
    project.sessions_planned = 3
    project.credits = Decimal("2.0")
    project.save(update_fields=["sessions_planned", "credits"])

    today = timezone.localdate()
    first_day, last_day = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 30)

    def day(offset: int) -> datetime.date:
        return min(max(today + datetime.timedelta(days=offset), first_day), last_day)

    learners = list(
        Person.objects.filter(unit=sponsor)
        .exclude(pk__in=[p.pk for p in seniors])
        .order_by("pk")[:60]
    )
    learner = accounts["learner"].person
    if learner not in learners:
        learners.append(learner)
    for number, (start, late) in enumerate(
        [(day(-40), False), (day(-12), False), (day(10), None)], 1
    ):
        session = actions.add_session(
            project,
            actor=unit_admin,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=1) if start < last_day else start,
            region=sponsor.region,
            address=sponsor.name + "学术报告厅",
            expected_participants=80,
            credits=Decimal("2.0"),
        )
        if late is None:
            continue  # the coming session: its 举办报备表 is still due
        for req in actions.required_pre_reports(session):
            actions.submit_pre_report(
                session,
                actor=unit_admin,
                kind=req.kind,
                notice=_file("会议通知.pdf"),
                schedule=_file("课程安排.pdf"),
                at=_at(req.due_on - datetime.timedelta(days=2)),
            )
        Attendee.objects.bulk_create(
            Attendee(
                session=session,
                person=p,
                unit_name=sponsor.name,
                department=p.department,
                title=p.title,
                phone=p.phone,
                source=Attendee.Source.IMPORT,
                checked_in_at=_at(start, 8),
                passed=i % 20 != 7,
            )
            for i, p in enumerate(learners)
        )
        ended = session.ends_on + datetime.timedelta(days=3)
        report = reports.open_report(session, actor=unit_admin, today=ended)
        n = len(learners)
        reports.save_report(
            report,
            actor=unit_admin,
            effect_analysis="学员系统学习了急性胸痛的分诊与再灌注治疗，课后测试合格率95%。",
            problems="实践操作时间偏少，建议下期增加模拟演练。",
            respondents=n,
            evaluation_counts=_counts(n),
            effect_levels={"1": "到课率100%", "2": "满意度96%", "3": "课后测试平均86分"},
            schedule=_file("日程表.pdf"),
            exam=_file("考试试题.pdf"),
        )
        reports.submit_report(report, actor=unit_admin, at=_at(ended))
        if number == 1:
            reports.decide_report(report, actor=province, approve=True)


def _counts(n: int) -> dict:
    """70% the best answer, 20% the next, the rest the third; two gains each in question 7."""
    a, b = n * 7 // 10, n * 2 // 10
    counts = {
        q.key: dict(zip(q.choices, (a, b, n - a - b), strict=True)) for q in reports.QUESTIONS[:6]
    }
    counts["q7"] = dict(zip(reports.QUESTIONS[6].choices, (a, n - a, b, 0, b), strict=True))
    return counts
