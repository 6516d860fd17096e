"""The roster of a held session (学员通讯录, SPEC §5 "Attendance and credits"): the national
system's Excel template, its import, entry by hand, pass/fail, and check-in by QR code.

The import follows the import contract (cme.core.excel, cme.core.imports) and the staff
import's row check (cme.people.imports.clean_rows with cme.people.validation.clean_person),
so a roster row is checked exactly as a staff row or a person entered by hand, plus what a
roster adds: 工作单位, 电子邮箱, 考核结果, and a name that must match the registry's.

People not yet in the registry are created from the roster; a new person whose 工作单位 is
an organisation's exact name joins it. An existing person is never moved or edited: the
roster keeps its own copy of unit, department, title and contacts on the `Attendee`.

Only the holding unit (`can_hold`) changes a roster, and only until the session's
execution report is submitted (ROSTER_LOCKED).
"""

import datetime
import re
import secrets
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cme.core import audit, idnumbers
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.excel import Column, RowError, read_table
from cme.core.exports import xlsx_template
from cme.core.imports import (
    claim_for_commit,
    commit_import,
    preview_import,
)
from cme.holding.actions import can_hold
from cme.holding.models import (
    Attendee,
    HeldSession,
    RosterImport,
)
from cme.orgs.models import Organisation
from cme.people.imports import STAFF_COLUMNS, clean_rows, create_persons, existing_persons
from cme.people.models import IdType, Person
from cme.people.validation import TEMPLATE_EXAMPLE_ID, PersonData, clean_person

_STAFF = {c.field: c for c in STAFF_COLUMNS}
ROSTER_COLUMNS = [
    _STAFF["name"],
    _STAFF["sex"],
    _STAFF["id_type"],
    _STAFF["id_number"],
    Column(
        "unit_name", "工作单位", ("单位", "单位名称", "工作单位名称", "所在单位", "工作单位全称")
    ),
    _STAFF["department"],
    _STAFF["title"],
    _STAFF["phone"],
    Column("email", "电子邮箱", ("邮箱", "电子邮件", "邮件", "Email", "E-mail", "email", "e-mail")),
    Column("passed", "考核结果", ("考核", "考核情况", "是否合格", "考试结果", "考核是否合格")),
]
FIELD_LABELS = {c.field: c.header for c in ROSTER_COLUMNS}
TEMPLATE_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "工作单位",
    "科室",
    "职称",
    "手机号码",
    "电子邮箱",
    "考核结果",
]
TEMPLATE_EXAMPLE = [
    "1",
    "张三",
    "女",
    "居民身份证",
    TEMPLATE_EXAMPLE_ID,
    "长沙市第一医院",
    "心内科",
    "主管护师",
    "13800000000",
    "zhangsan@example.com",
    "合格",
]
TEMPLATE_NOTES = [
    "学员通讯录填写说明",
    "1. 姓名、证件号码为必填；证件类型不填时按居民身份证处理。",
    "2. 证件号码列已设为文本格式，请勿改为数字，否则Excel只保留15位有效数字，后几位会丢失。",
    "3. 工作单位请填写单位全称；与本系统登记的单位名称一致时，新学员自动归入该单位。",
    "4. 考核结果填“合格”或“不合格”，可暂不填写，导入后在学员通讯录中设置。",
    "5. 同一学员只填一行；示例行导入前请删除。",
]
PASSED_BY_LABEL = {
    "合格": True,
    "通过": True,
    "是": True,
    "不合格": False,
    "未通过": False,
    "不通过": False,
    "否": False,
}
LOCKED_MESSAGE = "本期次的执行情况报告已提交或已审核通过，学员通讯录不能再修改。"
NOT_ON_ROSTER = "您不在本期学员名单中，请联系主办方。"
_SPACES = re.compile(r"\s+")
# The everyday address, checked cheaply (a roster has thousands); anything else goes through
# Django's validator. Everything this accepts, validate_email accepts too.
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", ".": "·", "‧": "·"})


# --- who may change a roster --------------------------------------------------------------------


def can_edit_roster(user, session: HeldSession) -> bool:
    return can_hold(user, session.project) and not session.is_reported()


def _check_editable(session: HeldSession, actor) -> None:
    if not can_hold(actor, session.project):
        raise PermissionDenied("只有举办单位可以修改学员通讯录。")
    if session.is_reported():
        raise DomainError("ROSTER_LOCKED", LOCKED_MESSAGE)


def _scope(session: HeldSession) -> str:
    return session.project.declared_by.tree_path


# --- one roster row -----------------------------------------------------------------------------


@dataclass
class AttendeeData:
    """A checked roster row: the person's fields (as for the registry) and the roster's own."""

    person: PersonData
    unit_name: str
    email: str
    passed: bool | None
    given: frozenset[str]  # attendee fields the input gave; a blank cell keeps the stored value

    FIELDS = ("unit_name", "department", "title", "phone", "email", "passed")

    @property
    def id_type(self) -> str:
        return self.person.id_type

    @property
    def id_number(self) -> str:
        return self.person.id_number

    @property
    def name(self) -> str:
        return self.person.name

    def values(self) -> dict:
        return {
            "unit_name": self.unit_name,
            "department": self.person.department,
            "title": self.person.title,
            "phone": self.person.phone,
            "email": self.email,
            "passed": self.passed,
        }

    def differs_from(self, attendee: Attendee) -> dict:
        values = self.values()
        return {
            f: [getattr(attendee, f), values[f]]
            for f in self.FIELDS
            if f in self.given and getattr(attendee, f) != values[f]
        }

    def apply_to(self, attendee: Attendee) -> None:
        for f, value in self.values().items():
            if f in self.given:
                setattr(attendee, f, value)


def _email_ok(email: str) -> bool:
    if len(email) > 128:
        return False
    if _PLAIN_EMAIL.match(email):
        return True
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def clean_attendee(values: dict[str, str]) -> tuple[AttendeeData | None, list[DomainError]]:
    """A roster row, or every reason it is refused (each naming its field)."""
    person, errors = clean_person(values)
    email = values.get("email", "").strip()
    if email and not _email_ok(email):
        errors.append(
            DomainError(
                "EMAIL_INVALID", "电子邮箱“{e}”格式不正确。".format(e=email[:64]), field="email"
            )
        )
    passed_label = values.get("passed", "").strip()
    passed = PASSED_BY_LABEL.get(passed_label.replace(" ", "")) if passed_label else None
    if passed_label and passed is None:
        errors.append(
            DomainError(
                "PASSED_INVALID",
                "考核结果“{v}”无法识别，请填写“合格”或“不合格”，未考核可不填。".format(
                    v=passed_label[:20]
                ),
                field="passed",
            )
        )
    unit_name = values.get("unit_name", "").strip()[:128]
    if errors or person is None:
        return None, errors
    given = {f for f in ("department", "title", "phone") if f in person.provided}
    given |= {f for f, v in (("unit_name", unit_name), ("email", email)) if v}
    if passed is not None:
        given.add("passed")
    return AttendeeData(person, unit_name, email, passed, frozenset(given)), []


def unit_key(text: str) -> str:
    """A unit's name as compared: half-width, no spaces at all."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def _name_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).translate(_NAME_DOTS)


def match_units(names: list[str]) -> dict[str, Organisation]:
    """Active organisations whose name is exactly one of `names` once spaces and full-width
    characters are set aside, by `unit_key`; a name two organisations share matches none.
    One query."""
    wanted = {unit_key(n) for n in names if n.strip()}
    if not wanted:
        return {}
    candidates = wanted | {n.strip() for n in names if n.strip()}
    found: dict[str, Organisation] = {}
    ambiguous: set[str] = set()
    for org in Organisation.objects.filter(
        name__in=candidates, status=Organisation.Status.ACTIVE
    ).order_by("pk"):
        key = unit_key(org.name)
        if key in found and found[key].pk != org.pk:
            ambiguous.add(key)
        found[key] = org
    return {k: v for k, v in found.items() if k in wanted and k not in ambiguous}


# --- the plan of a file (or of one row entered by hand) ------------------------------------------


@dataclass
class NewAttendee:
    row: int
    data: AttendeeData
    person: Person | None  # None: a new person, created from the row
    unit: Organisation | None = None  # the new person's unit, matched by 工作单位


@dataclass
class RosterPlan:
    total: int = 0
    ignored_headers: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    creates: list[NewAttendee] = field(default_factory=list)
    updates: list[tuple[Attendee, AttendeeData, dict]] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> tuple[int, int, int]:
        return len(self.creates), len(self.updates), self.unchanged

    @property
    def new_persons(self) -> int:
        return sum(1 for c in self.creates if c.person is None)


def _resolve(
    session: HeldSession,
    cleaned: list[tuple[int, AttendeeData]],
    header: dict[str, str],
    plan: RosterPlan,
) -> None:
    """Sort checked rows into new attendees, updates and unchanged ones, against the registry
    and the roster as they are now: three queries whatever the number of rows."""
    existing = existing_persons([d.id_number for _, d in cleaned])
    units = match_units([d.unit_name for _, d in cleaned])
    on_roster = {a.person_id: a for a in session.attendees.all()}
    for number, data in cleaned:
        unit = units.get(unit_key(data.unit_name)) if data.unit_name else None
        if unit is not None:
            data.unit_name = unit.name
        person = existing.get((data.id_type, data.id_number))
        if person is None:
            plan.creates.append(NewAttendee(number, data, None, unit))
            continue
        if _name_key(person.name) != _name_key(data.name):
            plan.errors.append(
                RowError(
                    number,
                    header["name"],
                    "姓名“{n}”与人员库中该证件号码登记的姓名不一致，请核对姓名和证件号码。".format(
                        n=data.name
                    ),
                )
            )
            continue
        attendee = on_roster.get(person.pk)
        if attendee is None:
            plan.creates.append(NewAttendee(number, data, person))
            continue
        changes = data.differs_from(attendee)
        if changes:
            plan.updates.append((attendee, data, changes))
        else:
            plan.unchanged += 1


def plan_roster_rows(session: HeldSession, data: bytes) -> RosterPlan:
    table = read_table(data, ROSTER_COLUMNS)
    plan = RosterPlan(
        total=len(table.rows),
        ignored_headers=[h for h in table.ignored_headers if h not in {"序号", "备注"}],
    )
    cleaned, plan.errors = clean_rows(table, ROSTER_COLUMNS, clean_attendee)
    _resolve(session, cleaned, FIELD_LABELS | table.headers, plan)
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _new_attendee(session: HeldSession, entry: NewAttendee, person: Person, source: str):
    values = entry.data.values()
    if entry.person is not None:  # blanks in the row: the registry's values at the time
        for f, value in (
            ("unit_name", person.unit.name if person.unit_id else ""),
            ("department", person.department),
            ("title", person.title),
            ("phone", person.phone),
        ):
            if f not in entry.data.given:
                values[f] = value
    return Attendee(session=session, person=person, source=source, **values)


def write_roster_plan(session: HeldSession, plan: RosterPlan, *, source: str) -> list[Attendee]:
    """New persons, new attendees and updated ones: a few bulk statements."""
    made = iter(create_persons([(c.data.person, c.unit) for c in plan.creates if c.person is None]))
    attendees = [_new_attendee(session, c, c.person or next(made), source) for c in plan.creates]
    Attendee.objects.bulk_create(attendees, batch_size=2000)
    changed = []
    for attendee, data, _ in plan.updates:
        data.apply_to(attendee)
        changed.append(attendee)
    if changed:
        Attendee.objects.bulk_update(changed, list(AttendeeData.FIELDS), batch_size=1000)
    return attendees


# --- template and import ------------------------------------------------------------------------


def roster_template() -> bytes:
    """The roster template, after the national system's 学员通讯录; every column is text."""
    return xlsx_template(
        "学员通讯录",
        TEMPLATE_HEADERS,
        TEMPLATE_EXAMPLE,
        [6, 10, 6, 14, 22, 26, 14, 14, 14, 24, 10],
        choices={
            "性别": ["男", "女"],
            "证件类型": [label for _, label in IdType.choices],
            "考核结果": ["合格", "不合格"],
        },
        notes=TEMPLATE_NOTES,
    )


@transaction.atomic
def preview_roster_import(session: HeldSession, upload, *, actor) -> RosterImport:
    """Read and check the file; store it with its report. Nothing else is written."""
    _check_editable(session, actor)
    return preview_import(
        RosterImport(session=session, uploaded_by=actor),
        upload,
        lambda data: plan_roster_rows(session, data),
    )


@transaction.atomic
def queue_roster_import_commit(record: RosterImport, *, actor) -> RosterImport:
    """确认导入: the commit runs as a background task; the page polls its state."""
    from cme.holding.tasks import commit_roster_import_task

    _check_editable(record.session, actor)
    claim_for_commit(record)
    commit_roster_import_task.enqueue(import_id=record.pk, actor_id=actor.pk)
    record.refresh_from_db()
    return record


def _plan_for_commit(record: RosterImport, data: bytes) -> RosterPlan:
    plan = plan_roster_rows(record.session, data)
    if record.session.is_reported():
        plan.errors.insert(0, RowError(0, "", LOCKED_MESSAGE))
    return plan


def commit_roster_import(record: RosterImport, *, actor) -> RosterImport:
    """All rows or none, checked again against the registry and the roster as they are now;
    the same file twice adds nothing the second time."""
    if not can_hold(actor, record.session.project):
        raise PermissionDenied("只有举办单位可以修改学员通讯录。")
    return commit_import(
        record,
        actor=actor,
        plan_file=_plan_for_commit,
        write=lambda rec, plan: write_roster_plan(rec.session, plan, source=Attendee.Source.IMPORT),
        audit_action="roster.import",
        scope_path=_scope(record.session),
        audit_changes=lambda rec, plan: {"新建人员": plan.new_persons},
    )


# --- entry by hand, removal, pass/fail -----------------------------------------------------------


def _who(attendee: Attendee) -> dict[str, str]:
    """The person as the audit trail names them: never the whole ID number."""
    return {"姓名": attendee.person.name, "证件号码": idnumbers.mask(attendee.person.id_number)}


@transaction.atomic
def add_attendee(session: HeldSession, values: dict[str, str], *, actor) -> Attendee:
    """One attendee entered by hand, checked as an imported row."""
    _check_editable(session, actor)
    data, errors = clean_attendee(values)
    if errors:
        raise DomainError(
            errors[0].code, "；".join(e.message for e in errors), field=errors[0].field
        )
    plan = RosterPlan(total=1)
    _resolve(session, [(0, data)], FIELD_LABELS, plan)
    if plan.errors:
        raise DomainError("NAME_MISMATCH", plan.errors[0].message, field="name")
    if not plan.creates:
        raise DomainError("ATTENDEE_EXISTS", "该学员已在本期学员名单中。", field="id_number")
    try:
        with transaction.atomic():
            [attendee] = write_roster_plan(session, plan, source=Attendee.Source.HAND)
    except IntegrityError:
        raise Conflict("该学员刚被他人加入名单或登记，请刷新后查看。") from None
    audit.record(
        "roster.add",
        actor=actor,
        obj=attendee,
        scope_path=_scope(session),
        changes=_who(attendee) | {"新建人员": plan.new_persons == 1},
    )
    return attendee


@transaction.atomic
def remove_attendee(attendee: Attendee, *, actor) -> None:
    session = attendee.session
    _check_editable(session, actor)
    audit.record(
        "roster.remove",
        actor=actor,
        obj=attendee,
        scope_path=_scope(session),
        changes=_who(attendee),
    )
    attendee.delete()


def passed_label(passed: bool | None) -> str:
    return {True: "合格", False: "不合格", None: "未考核"}[passed]


@transaction.atomic
def set_passed(attendee: Attendee, passed: bool | None, *, actor) -> Attendee:
    """合格 / 不合格 (or back to 未考核) for one attendee."""
    _check_editable(attendee.session, actor)
    before = attendee.passed
    if before is passed:
        return attendee
    Attendee.objects.filter(pk=attendee.pk).update(passed=passed)
    attendee.passed = passed
    audit.record(
        "roster.passed",
        actor=actor,
        obj=attendee,
        scope_path=_scope(attendee.session),
        changes={"考核结果": [passed_label(before), passed_label(passed)]},
    )
    return attendee


@transaction.atomic
def pass_everyone(session: HeldSession, *, actor) -> int:
    """全部合格: every attendee not yet marked passed; returns how many changed."""
    _check_editable(session, actor)
    count = session.attendees.exclude(passed=True).update(passed=True)
    if count:
        audit.record(
            "roster.pass_all",
            actor=actor,
            obj=session,
            scope_path=_scope(session),
            changes={"设为合格": count},
        )
    return count


# --- check-in ----------------------------------------------------------------------------------


def check_in_url(session: HeldSession) -> str:
    """The public address the QR code points to (absolute: it is read by a phone)."""
    return settings.PUBLIC_BASE_URL + reverse("check_in", args=[session.check_in_token])


@transaction.atomic
def open_check_in(session: HeldSession, *, actor) -> HeldSession:
    """Give the session a check-in code; an open one keeps its code (printed QR codes stay good)."""
    _check_editable(session, actor)
    if not session.check_in_token:
        token = secrets.token_urlsafe(18)
        HeldSession.objects.filter(pk=session.pk, check_in_token="").update(check_in_token=token)
        session.refresh_from_db(fields=["check_in_token"])
        audit.record("roster.check_in_open", actor=actor, obj=session, scope_path=_scope(session))
    return session


@transaction.atomic
def close_check_in(session: HeldSession, *, actor) -> HeldSession:
    """The code stops working at once; opening again gives a new one."""
    if not can_hold(actor, session.project):
        raise PermissionDenied("只有举办单位可以关闭签到。")
    if session.check_in_token:
        HeldSession.objects.filter(pk=session.pk).update(check_in_token="")
        session.check_in_token = ""
        audit.record("roster.check_in_close", actor=actor, obj=session, scope_path=_scope(session))
    return session


def session_for_check_in(token: str) -> HeldSession | None:
    if not token:
        return None
    return (
        HeldSession.objects.select_related("project", "region__parent__parent")
        .filter(check_in_token=token)
        .first()
    )


def check_in_window(session: HeldSession, today: datetime.date) -> DomainError | None:
    """Why check-in is not possible today, or None: from the first day to the last, local time."""
    if session.starts_on <= today <= session.ends_on:
        return None
    return DomainError(
        "CHECK_IN_NOT_TODAY",
        "本期签到时间为{a}至{b}，当前不在签到时间内。".format(
            a=session.starts_on.isoformat(), b=session.ends_on.isoformat()
        ),
    )


@transaction.atomic
def check_in(
    session: HeldSession, *, name: str, id_number: str, at: datetime.datetime | None = None
) -> tuple[Attendee, bool]:
    """签到 on the public page: (attendee, first time?). A person not on the roster — or whose
    name does not match it — hears the same sentence, so the page reveals nobody."""
    at = at or timezone.now()
    refusal = check_in_window(session, timezone.localdate(at))
    if refusal is not None:
        raise refusal
    if session.is_reported():
        raise DomainError("ROSTER_LOCKED", "本期签到已结束。")
    number = idnumbers.normalise(id_number)
    attendee = (
        session.attendees.select_related("person")
        .filter(person__id_number=number)
        .exclude(person__id_type=IdType.RESIDENT)
        .first()
    )
    if attendee is None:  # resident ID cards, checked as everywhere
        number = idnumbers.validate_resident_id(number)
        attendee = (
            session.attendees.select_related("person")
            .filter(person__id_type=IdType.RESIDENT, person__id_number=number)
            .first()
        )
    if attendee is None or _name_key(attendee.person.name) != _name_key(name):
        raise DomainError("NOT_ON_ROSTER", NOT_ON_ROSTER)
    if attendee.checked_in_at is not None:
        return attendee, False
    Attendee.objects.filter(pk=attendee.pk, checked_in_at__isnull=True).update(checked_in_at=at)
    attendee.checked_in_at = at
    return attendee, True
