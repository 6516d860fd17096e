"""The accounts and objects the load scenarios need, on top of `generate_province`.

`generate_province` makes units, persons, projects, sessions and credit records but no
logins. This adds, in bulk:
- unit CME officers (单位账户管理员, `OFFICERS_PER_UNIT` per unit), each with its own
  complete draft declarations for next year (every rule passes, so 提交 succeeds), with a
  dedicated leader per draft so LEADER_QUOTA never trips;
- a city reviewer (市州科教科) per city;
- learners: persons linked to a login;
- credit certificates: session credits for attendees of some generated sessions, issued
  through `certificates.actions.issue_certificates`;
- the provincial new-project declaration window of next year, open now (the deadline).

Logins are not part of the measurement: password hashing (Argon2/PBKDF2) would dominate it.
Every virtual user gets a server-side session instead, written as `django.contrib.auth.login`
would write it (`_auth_user_id`, `_auth_user_backend`, `_auth_user_hash`); the session keys
go to the scenarios through a JSON manifest. The hash and the session signature depend on
SECRET_KEY, so the server must run with the SECRET_KEY used here.

Everything made here is named `load_…` / `负载…`; `reset()` puts the state the scenarios
change back (drafts to 草稿, the year's audits deleted) so every run starts alike.
"""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from cme.accounts.models import Membership, Role, User
from cme.audits.models import AnnualAudit
from cme.certificates.actions import issue_certificates
from cme.certificates.models import Certificate
from cme.credits.models import Category, CreditRecord
from cme.holding.models import Attendee, HeldSession
from cme.orgs.models import Organisation
from cme.people.models import IdType, Person
from cme.policy.models import DeclarationWindow, Discipline
from cme.projects.models import (
    Attachment,
    Kind,
    Lesson,
    Level,
    PlannedSession,
    Project,
    ReviewStep,
    State,
    Teacher,
)
from cme.projects.rules import check_declaration

PREFIX = "load_"
DRAFT_NAME = "负载测试{u}第{n}期急性胸痛规范化诊治学习班"
BACKEND = "django.contrib.auth.backends.ModelBackend"
SAMPLE = "load/sample.pdf"


# What the 基本信息 tab edits (the scenario saves it back with one field changed); reset()
# restores it, so a run never inherits a draft an earlier run (or a hand test) broke.
BASIC = {
    "sponsor_is_first": True,
    "co_sponsors": "",
    "form": Project.Form.FACE_TO_FACE,
    "website": "",
    "leader_phone": "13800000000",
    "audience": "二级及以上医院急诊科、心血管内科医师",
    "expected_participants": 120,
    "sessions_planned": 2,
    "credits": Decimal("2.0"),
    "needs_sources": ["practice_gap", "survey"],
    "needs_analysis": "基层医院急性胸痛误诊率高，规范化分诊与再灌注时间管理存在差距。",
    "objectives": "学员掌握急性胸痛的分诊流程、心电图判读与再灌注治疗时间窗管理。",
    "assessment_method": "课后闭卷测试，满分100分，60分合格。",
    "evaluation_levels": [1, 2, 3],
    "fees": "不收取培训费",
    "priority_tags": [],
    "is_annual_meeting": False,
}


def is_seeded() -> bool:
    return User.objects.filter(username__startswith=PREFIX).exists()


def _units() -> list[Organisation]:
    """The generated units that have staff (generate_province names them 第N医疗机构)."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.MEDICAL, name__contains="医疗机构")
        .exclude(staff=None)
        .order_by("pk")
    )


def _user(username: str, name: str) -> User:
    # An unusable password: nobody logs in, the sessions are made below.
    return User(
        username=username,
        first_name=name,
        password=make_password(None),
        must_change_password=False,
    )


def _id_number(seq: int, region: str) -> str:
    """Born 1950-1959, before anyone generate_province makes, so numbers never collide."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=seq // 1000)
    body = "{r}{d:%Y%m%d}{s:03d}".format(r=region, d=birth, s=seq % 1000)
    return body + ric.calc_check_digit(body + "0")


@transaction.atomic
def seed(
    *,
    year: int,
    officers_per_unit: int = 3,
    drafts_per_officer: int = 8,
    learners: int = 2000,
    certificate_sessions: int = 20,
    say=print,
) -> None:
    rng = random.Random(8)
    now = timezone.now()
    units = _units()
    declaration_year = year + 1
    province = Organisation.objects.get(name="湖南省卫生健康委员会", kind="authority")
    cities = list(
        Organisation.objects.filter(licensing_authority=province, kind="authority").order_by("pk")
    )
    if not default_storage.exists(SAMPLE):
        default_storage.save(SAMPLE, ContentFile(b"%PDF-1.4\n% load test\n"))

    # the deadline: next year's provincial new-project window closes in a week
    DeclarationWindow.objects.update_or_create(
        year=declaration_year,
        level=Level.PROVINCIAL,
        kind=Kind.NEW,
        owner=province,
        defaults={
            "opens_at": now - datetime.timedelta(days=60),
            "closes_at": now + datetime.timedelta(days=7),
            "note": "负载测试",
        },
    )

    officers = [
        _user("{p}officer_{u}_{k}".format(p=PREFIX, u=unit.pk, k=k), "负载专管员")
        for unit in units
        for k in range(officers_per_unit)
    ]
    reviewers = [_user("{p}city_{c}".format(p=PREFIX, c=city.pk), "负载审核") for city in cities]
    staff = list(
        Person.objects.filter(unit__in=units, user=None)
        .order_by("pk")
        .values_list("pk", "unit_id", "name")
    )
    chosen = rng.sample(staff, min(learners, len(staff)))
    learner_users = [
        _user("{p}learner_{pk}".format(p=PREFIX, pk=pk), name) for pk, _u, name in chosen
    ]
    User.objects.bulk_create(officers + reviewers + learner_users, batch_size=2000)
    by_name = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    memberships = [
        Membership(
            user=by_name["{p}officer_{u}_{k}".format(p=PREFIX, u=unit.pk, k=k)],
            organisation=unit,
            role=Role.UNIT_ADMIN,
        )
        for unit in units
        for k in range(officers_per_unit)
    ]
    memberships += [
        Membership(
            user=by_name["{p}city_{c}".format(p=PREFIX, c=city.pk)],
            organisation=city,
            role=Role.CITY_REVIEWER,
        )
        for city in cities
    ]
    learner_persons = []
    for pk, unit_id, _name in chosen:
        account = by_name["{p}learner_{pk}".format(p=PREFIX, pk=pk)]
        memberships.append(Membership(user=account, organisation_id=unit_id, role=Role.LEARNER))
        learner_persons.append(Person(pk=pk, user=account))
    Membership.objects.bulk_create(memberships, batch_size=2000)
    Person.objects.bulk_update(learner_persons, ["user"], batch_size=2000)
    say("{o} officers, {r} city reviewers, {n} learners".format(
        o=len(officers), r=len(reviewers), n=len(learner_users)
    ))  # fmt: skip

    _drafts(units, officers_per_unit, drafts_per_officer, declaration_year, by_name, now)
    say("{n} draft declarations".format(n=Project.objects.filter(name__startswith="负载").count()))
    _certificates(rng, certificate_sessions, learner_persons, year, now)
    say("{n} certificates".format(n=Certificate.objects.count()))


def _discipline() -> Discipline:
    return Discipline.objects.filter(secondary_code="04", tertiary_code="08").latest("year")


def _drafts(units, officers_per_unit, per_officer, year, by_name, now) -> None:
    discipline = _discipline()
    leaders, lecturers, projects = [], [], []
    seq = 0
    for unit in units:
        lecturers.append(
            Person(
                unit=unit, name="负载讲师{u}".format(u=unit.pk), id_type=IdType.RESIDENT,
                id_number=_id_number(seq, unit.region_id), sex="M", title="主任医师",
                title_series="医疗", title_level=5, department="内科",
            )
        )  # fmt: skip
        seq += 1
        for k in range(officers_per_unit):
            officer = by_name["{p}officer_{u}_{k}".format(p=PREFIX, u=unit.pk, k=k)]
            for n in range(per_officer):
                number = seq
                seq += 1
                leaders.append(
                    Person(
                        unit=unit, name="负载负责人{s}".format(s=number),
                        id_type=IdType.RESIDENT, id_number=_id_number(number, unit.region_id),
                        sex="M", title="主任医师", title_series="医疗", title_level=5,
                        department="内科",
                    )
                )  # fmt: skip
                projects.append(
                    Project(
                        year=year, level=Level.PROVINCIAL, kind=Kind.NEW,
                        name=DRAFT_NAME.format(u=unit.pk, n=k * per_officer + n + 1),
                        discipline=discipline, sponsor=unit, declared_by=unit,
                        state=State.DRAFT, created_by=officer, **BASIC,
                    )
                )  # fmt: skip
    Person.objects.bulk_create(lecturers + leaders, batch_size=2000)
    lecturer_of = {p.unit_id: p for p in lecturers}
    for project, leader in zip(projects, leaders, strict=True):
        project.leader = leader
    Project.objects.bulk_create(projects, batch_size=2000)
    teachers, sessions, attachments = [], [], []
    for project, leader in zip(projects, leaders, strict=True):
        for order, who in enumerate([leader, lecturer_of[project.sponsor_id]]):
            teachers.append(
                Teacher(
                    project=project, order=order, person=who, name=who.name,
                    unit=project.sponsor, unit_name=project.sponsor.name, title=who.title,
                    title_level=who.title_level, specialty="心血管内科",
                    is_leader=order == 0, consent=True, consent_evidence=SAMPLE,
                )
            )  # fmt: skip
        for order, (month, day) in enumerate([(4, 12), (9, 20)]):
            starts = datetime.date(year, month, day)
            sessions.append(
                PlannedSession(
                    project=project, order=order, starts_on=starts,
                    ends_on=starts + datetime.timedelta(days=1),
                    region_id=project.sponsor.region_id,
                    # not the unit's name: "…武陵源区局第19医疗机构" would be a banned place
                    address="本院学术报告厅",
                )
            )  # fmt: skip
        attachments += [
            Attachment(project=project, kind=kind, file=SAMPLE) for kind in Attachment.Kind.values
        ]
    Teacher.objects.bulk_create(teachers, batch_size=2000)
    lessons = []
    for i in range(0, len(teachers), 2):
        lead, second = teachers[i], teachers[i + 1]
        for order, (by, topic, hours) in enumerate(
            [
                (lead, "急性胸痛的早期识别与分诊流程", "1.0"),
                (lead, "胸痛中心质控指标解读", "1.0"),
                (second, "急性冠脉综合征再灌注治疗指南解读", "2.0"),
            ]
        ):
            lessons.append(
                Lesson(
                    project=lead.project, teacher=by, topic=topic, hours=Decimal(hours),
                    kind=Lesson.Kind.THEORY, order=order,
                )
            )  # fmt: skip
    Lesson.objects.bulk_create(lessons, batch_size=2000)
    PlannedSession.objects.bulk_create(sessions, batch_size=2000)
    Attachment.objects.bulk_create(attachments, batch_size=2000)
    # every unit's drafts are alike: one each must pass every rule, or 提交 would fail
    for unit in units:
        project = Project.objects.filter(sponsor=unit, name__startswith="负载").first()
        errors = [f for f in check_declaration(project) if f.level == "error"]
        if errors:
            raise RuntimeError("draft {p}: {e}".format(p=project.pk, e=errors[0].message))


def _certificates(rng, n_sessions: int, learner_persons, year: int, now) -> None:
    """Valid session credits (with certificates) for the attendees of a few sessions, the
    learners with a login among them."""
    session_ids = list(
        HeldSession.objects.filter(project__year=year).order_by("pk").values_list("pk", flat=True)
    )
    picked = rng.sample(session_ids, min(n_sessions, len(session_ids)))
    learner_pks = [p.pk for p in learner_persons]
    records = []
    taken = set()
    for session in HeldSession.objects.filter(pk__in=picked).select_related("project"):
        attendees = set(
            Attendee.objects.filter(session=session).values_list("person_id", flat=True)
        )
        # a hundred learners with a login attend too, so 我的证书 lists something
        attendees |= set(rng.sample(learner_pks, min(100, len(learner_pks))))
        for person_id in sorted(attendees):
            if (session.pk, person_id) in taken:
                continue
            taken.add((session.pk, person_id))
            records.append(
                CreditRecord(
                    person_id=person_id, year=year, category=Category.I,
                    source_id="provincial_project", role=CreditRecord.Role.LEARNER,
                    amount=session.credits, hours=session.credits * 6,
                    activity_date=session.starts_on, session=session,
                    title=session.project.name, status=CreditRecord.Status.VALID,
                )
            )  # fmt: skip
    CreditRecord.objects.bulk_create(records, batch_size=2000)
    issue_certificates(records)


def write_sessions(*, year: int, expire_days: int = 7) -> dict:
    """A fresh server-side session for every load user; the manifest the scenarios read."""
    Session.objects.filter(session_key__startswith="load").delete()
    expire = timezone.now() + datetime.timedelta(days=expire_days)
    users = list(User.objects.filter(username__startswith=PREFIX).select_related("membership"))
    rows, key_of = [], {}
    store = SessionStore()
    for i, account in enumerate(users):
        key = "load{i:06d}{r}".format(i=i, r=random.SystemRandom().getrandbits(64))
        data = {
            SESSION_KEY: str(account.pk),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: account.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        key_of[account.pk] = key
    Session.objects.bulk_create(rows, batch_size=2000)

    drafts: dict[int, list[int]] = {}
    for pk, created_by in (
        Project.objects.filter(name__startswith="负载", year=year + 1)
        .order_by("pk")
        .values_list("pk", "created_by_id")
    ):
        drafts.setdefault(created_by, []).append(pk)
    officers, reviewers, learners = [], [], []
    for account in users:
        role = account.membership.role
        entry = {"session": key_of[account.pk], "username": account.username}
        if role == Role.UNIT_ADMIN:
            entry["unit"] = account.membership.organisation_id
            entry["drafts"] = drafts.get(account.pk, [])
            officers.append(entry)
        elif role == Role.CITY_REVIEWER:
            reviewers.append(entry)
        else:
            learners.append(entry)
    # one officer of every unit first, then the second of every unit…
    officers.sort(key=lambda e: tuple(int(x) for x in e["username"].rsplit("_", 2)[1:])[::-1])
    certificates = list(Certificate.objects.order_by("?").values_list("number", flat=True)[:2000])
    return {
        "year": year,
        "cookie": settings.SESSION_COOKIE_NAME,
        "officers": officers,
        "reviewers": reviewers,
        "learners": learners,
        "certificates": certificates,
    }


@transaction.atomic
def reset(*, year: int) -> None:
    """Back to the state before a run: the load drafts in 草稿, the year's audits gone."""
    drafts = Project.objects.filter(name__startswith="负载", year=year + 1)
    ReviewStep.objects.filter(project__in=drafts).delete()
    drafts.update(
        state=State.DRAFT, submitted_at=None, findings=[], discipline=_discipline(), **BASIC
    )
    AnnualAudit.objects.filter(year=year).delete()
