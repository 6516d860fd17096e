"""Declarations for the tests: `valid_declaration(cast)` is complete and breaks no rule, so a
test changes one thing and expects exactly one rule id.

The valid 2024 provincial declaration of 长沙市第一医院 (cast.city_hospital):
- leader 王建国 (副主任医师, cast.persons["doctor"]) teaches two theory lessons of 1 学时
  each (2 学时, under the 3-hour limit); a second internal teacher, 陈志明 (主任医师),
  teaches one theory lesson of 2 学时; both consented, with evidence;
- two planned sessions in 2024 in 芙蓉区 (430102), Changsha;
- all five attachments, needs analysis, objectives, evaluation levels 1-3, discipline
  04-08 of the 2022 list;
- a declaration window owned by the province (2023-09-01 to 2023-11-30, the 2024
  provincial deadline of seed 002); tests freeze "now" at `in_window(2024)`.
"""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db.models import prefetch_related_objects

from cme.demo.builders import Cast, person, resident_id
from cme.orgs.models import Organisation, Region
from cme.people.models import Person
from cme.policy.models import DeclarationWindow, Discipline
from cme.projects.checks import DECLARATION_PREFETCH
from cme.projects.models import (
    Attachment,
    Kind,
    Lesson,
    Level,
    PlannedSession,
    Project,
    State,
    Teacher,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANGSHA_FURONG = "430102"
ADDRESS = "长沙市芙蓉区解放西路61号长沙市第一医院学术报告厅"
NAME = "急性胸痛规范化诊治新进展学习班"


def in_window(year: int = 2024) -> datetime.datetime:
    """A moment inside the default windows of `year`'s declarations (mid-November before)."""
    return datetime.datetime(year - 1, 11, 15, 10, 0, tzinfo=SHANGHAI)


IN_WINDOW = in_window(2024)


def open_window(
    owner: Organisation,
    *,
    year: int,
    level: str,
    kind: str,
    closes: datetime.datetime | None = None,
) -> DeclarationWindow:
    """The window for (year, level, kind) set by `owner`: from 1 September of the year before
    to 30 November (new) or 26 January of the year itself (filing), as in seeds 000/002."""
    if closes is None:
        closes = (
            datetime.datetime(year - 1, 11, 30, 23, 59, tzinfo=SHANGHAI)
            if kind == Kind.NEW
            else datetime.datetime(year, 1, 26, 23, 59, tzinfo=SHANGHAI)
        )
    window, _ = DeclarationWindow.objects.get_or_create(
        year=year,
        level=level,
        kind=kind,
        owner=owner,
        defaults={
            "opens_at": datetime.datetime(year - 1, 9, 1, tzinfo=SHANGHAI),
            "closes_at": closes,
        },
    )
    return window


def staff(unit: Organisation, name: str, title: str) -> Person:
    """A person of `unit` with a title; the same name at the same unit is the same person."""
    existing = Person.objects.filter(unit=unit, name=name).first()
    if existing is not None:
        return existing
    rng = random.Random("{u}-{n}".format(u=unit.pk, n=name))
    return person(unit, name, resident_id(rng, unit.region_id or "430102"), title, "内科")


def small_file(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% test\n", name=name)


def teacher(
    project: Project,
    name: str,
    *,
    unit: Organisation | None,
    title: str = "主任医师",
    title_level: int = 5,
    order: int = 0,
    person_row: Person | None = None,
    is_leader: bool = False,
    consent: bool = True,
    evidence: bool = True,
) -> Teacher:
    return Teacher.objects.create(
        project=project,
        order=order,
        person=person_row,
        name=name,
        unit=unit,
        unit_name=unit.name if unit else "外院",
        title=title,
        title_level=title_level,
        specialty="心血管内科",
        is_leader=is_leader,
        consent=consent,
        consent_evidence=small_file("consent-{n}.pdf".format(n=order)) if evidence else "",
    )


def lesson(
    project: Project,
    by: Teacher,
    topic: str,
    hours: str | Decimal = "1.0",
    *,
    kind: str = Lesson.Kind.THEORY,
    order: int = 0,
) -> Lesson:
    return Lesson.objects.create(
        project=project, teacher=by, topic=topic, hours=Decimal(hours), kind=kind, order=order
    )


def session(
    project: Project,
    starts: datetime.date,
    days: int = 2,
    *,
    order: int = 0,
    region: str | None = CHANGSHA_FURONG,
    address: str = ADDRESS,
    place_outside: str = "",
) -> PlannedSession:
    return PlannedSession.objects.create(
        project=project,
        order=order,
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=days - 1),
        region=Region.objects.get(code=region) if region else None,
        address=address,
        place_outside=place_outside,
    )


def bare_project(
    cast: Cast,
    *,
    name: str = NAME,
    year: int = 2024,
    level: str = Level.PROVINCIAL,
    kind: str = Kind.NEW,
    state: str = State.UNDER_REVIEW,
    sponsor: Organisation | None = None,
    leader: Person | None = None,
    **fields,
) -> Project:
    """Another declaration (no teachers or lessons): a peer, a previous year's project…"""
    sponsor = sponsor or cast.city_hospital
    return Project.objects.create(
        year=year,
        level=level,
        kind=kind,
        name=name,
        sponsor=sponsor,
        declared_by=fields.pop("declared_by", sponsor),
        leader=leader,
        state=state,
        created_by=cast.users["city_admin"],
        **fields,
    )


def valid_declaration(
    cast: Cast,
    *,
    year: int = 2024,
    level: str = Level.PROVINCIAL,
    kind: str = Kind.NEW,
    name: str = NAME,
    sponsor: Organisation | None = None,
    declared_by: Organisation | None = None,
    leader: Person | None = None,
    **fields,
) -> Project:
    """A complete declaration on which `check_declaration` finds nothing (at `in_window(year)`)."""
    sponsor = sponsor or cast.city_hospital
    leader = leader or cast.persons["doctor"]
    open_window(cast.province, year=year, level=level, kind=kind)
    project = Project.objects.create(
        year=year,
        level=level,
        kind=kind,
        name=name,
        discipline=Discipline.objects.get(year=2022, secondary_code="04", tertiary_code="08"),
        sponsor=sponsor,
        declared_by=declared_by or sponsor,
        leader=leader,
        leader_phone="13800000000",
        audience="二级及以上医院急诊科、心血管内科医师",
        expected_participants=120,
        sessions_planned=2,
        credits=Decimal("0.7"),  # 4 学时 ÷ 6 (CREDITS_HOURS)
        needs_sources=["practice_gap", "survey"],
        needs_analysis="基层医院急性胸痛误诊率高，问卷调查显示规范化分诊与再灌注时间管理存在差距。",
        objectives="学员掌握急性胸痛的分诊流程、心电图判读与再灌注治疗时间窗管理。",
        assessment_method="课后闭卷测试，满分100分，60分合格。",
        evaluation_levels=[1, 2, 3],
        fees="不收取培训费",
        created_by=cast.users["city_admin"],
        **fields,
    )
    chief = staff(cast.city_hospital, "陈志明", "主任医师")
    lead = teacher(
        project,
        leader.name,
        unit=leader.unit,
        title=leader.title,
        title_level=leader.title_level,
        person_row=leader,
        is_leader=True,
        order=0,
    )
    second = teacher(project, chief.name, unit=chief.unit, person_row=chief, order=1)
    lesson(project, lead, "急性胸痛的早期识别与分诊流程", "1.0", order=0)
    lesson(project, lead, "胸痛中心质控指标解读", "1.0", order=1)
    lesson(project, second, "急性冠脉综合征再灌注治疗指南解读", "2.0", order=2)
    session(project, datetime.date(year, 4, 12), order=0)
    session(project, datetime.date(year, 9, 20), order=1)
    for kind_ in Attachment.Kind.values:
        Attachment.objects.create(
            project=project, kind=kind_, file=small_file("{k}.pdf".format(k=kind_))
        )
    return project


def fresh(project: Project) -> Project:
    """The declaration as `check_declaration` would load it, re-read from the database."""
    return Project.objects.get(pk=project.pk)


def loaded(project: Project) -> Project:
    """Re-read with teachers, lessons, sessions and attachments prefetched, so a test can
    change them in memory the way a form checks unsaved edits."""
    project = fresh(project)
    prefetch_related_objects([project], *DECLARATION_PREFETCH)
    return project


def rule_ids(findings) -> set[str]:
    return {f.rule_id for f in findings}


def national_declaration(cast: Cast, *, year: int = 2024, **fields) -> Project:
    """`valid_declaration` at national level, its leader having led a project before
    (LEADER_EXPERIENCE)."""
    leader = fields.get("leader") or cast.persons["doctor"]
    if not Project.objects.filter(leader=leader, year__lt=year, state=State.COMPLETED).exists():
        bare_project(
            cast, name="胸痛中心质控培训班", year=year - 1, leader=leader, state=State.COMPLETED
        )
    return valid_declaration(cast, year=year, level=Level.NATIONAL, **fields)
