"""Society annual academic meetings (学会学术年会, 002 §四.三; CREDIT-RULES §2).

From 2024 a Hunan society's (or its committee's) annual academic meeting may award
provincial I类 credits — the year's `society_annual_meeting.credits` (5) — when it is in the
society's annual academic plan; it is never declared as a project (MEETING_NOT_PROJECT). The
society's unit admin records the meeting with the plan document and its attendance list
(imported under the import contract, or person by person by ID number; every attendee must
be in the registry, once); submits it; the provincial office confirms it — each attendee
then has a valid I类 record, once per meeting — or refuses it with a reason. A year whose
policy sets no value (2021) awards nothing: such meetings are refused with that message.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.core import audit, idnumbers
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.excel import RowError, read_table
from cme.core.exports import xlsx_template
from cme.core.imports import claim_for_commit, commit_import, preview_import
from cme.core.uploads import validate_scan
from cme.credits.ledger import forget_results_of
from cme.credits.models import Category, CreditRecord, Source
from cme.distance.completions import name_key
from cme.distance.models import AnnualMeeting, AttendanceImport, MeetingAttendee
from cme.distance.permissions import can_confirm_meetings, can_edit_meeting, is_society_admin
from cme.orgs.models import Organisation
from cme.people.imports import STAFF_COLUMNS, clean_rows, existing_persons
from cme.people.models import Person
from cme.people.validation import TEMPLATE_EXAMPLE_ID, clean_person
from cme.policy.access import for_year

State = AnnualMeeting.State
POLICY_KEY = "society_annual_meeting.credits"
_STAFF = {c.field: c for c in STAFF_COLUMNS}
ATTENDANCE_COLUMNS = [_STAFF["name"], _STAFF["id_type"], _STAFF["id_number"]]
TEMPLATE_HEADERS = ["序号", "姓名", "证件类型", "证件号码", "工作单位"]
TEMPLATE_EXAMPLE = ["1", "张三", "居民身份证", TEMPLATE_EXAMPLE_ID, "长沙市第一医院"]
TEMPLATE_NOTES = [
    "学术年会参会名单填写说明",
    "1. 姓名、证件号码为必填；证件类型不填时按居民身份证处理；工作单位仅供核对，可不填。",
    "2. 参会人员须已在本平台人员库中登记，姓名须与登记一致。",
    "3. 同一人员只填一行；已在名单中的人员重复导入不会重复登记。",
    "4. 证件号码列已设为文本格式，请勿改为数字。示例行导入前请删除。",
]
LOCKED_MESSAGE = "年会已报送省继教办，参会名单不能再修改。"


def meeting_credits(year: int) -> Decimal:
    """The credits a meeting of `year` awards, or a refusal when the year's policy sets none."""
    value = for_year(year).optional(POLICY_KEY)
    if value is None:
        raise DomainError(
            "MEETING_NO_CREDITS",
            "{y}年度的政策未规定学会学术年会授予学分（{k}），该年度的学术年会不能授予学分；"
            "学会学术年会授予省级I类学分自2024年度起执行。".format(y=year, k=POLICY_KEY),
            field="year",
        )
    return Decimal(str(value))


def attendance_template() -> bytes:
    return xlsx_template(
        "参会名单",
        TEMPLATE_HEADERS,
        TEMPLATE_EXAMPLE,
        [6, 10, 12, 22, 28],
        notes=TEMPLATE_NOTES,
    )


def _scope(meeting: AnnualMeeting) -> str:
    return meeting.society.tree_path


def _check_editable(meeting: AnnualMeeting, actor) -> None:
    if not is_society_admin(actor) or acting_org(actor).pk != meeting.society_id:
        raise PermissionDenied("只有举办年会的学会可以修改参会名单。")
    if not can_edit_meeting(actor, meeting):
        raise DomainError("MEETING_LOCKED", LOCKED_MESSAGE)


# --- the meeting ----------------------------------------------------------------------------------


@transaction.atomic
def record_meeting(
    *,
    actor,
    year: int,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    place: str,
    in_plan: bool,
    plan_document,
    branch: Organisation | None = None,
) -> AnnualMeeting:
    """The society records its (or a committee's) annual meeting of `year`."""
    if not is_society_admin(actor):
        raise PermissionDenied("只有学会、协会的单位账户可以登记学术年会。")
    society = acting_org(actor)
    if branch is not None and branch.parent_id != society.pk:
        raise DomainError("MEETING_BRANCH", "请选择本学会的专业委员会或分会。", field="branch")
    meeting_credits(year)
    name = (name or "").strip()[:200]
    place = (place or "").strip()[:200]
    if not name:
        raise DomainError("REQUIRED", "请填写年会名称。", field="name")
    if not place:
        raise DomainError("REQUIRED", "请填写举办地点。", field="place")
    if ends_on < starts_on:
        raise DomainError("MEETING_DATES", "结束日期不能早于开始日期。", field="ends_on")
    if starts_on.year != year or ends_on.year != year:
        raise DomainError(
            "MEETING_DATES", "年会日期应在{y}年度内。".format(y=year), field="starts_on"
        )
    if not in_plan:
        raise DomainError(
            "MEETING_NOT_IN_PLAN",
            "学术年会须列入学会年度学术计划（在年底报送学术计划时报送年会计划），请确认。",
            field="in_plan",
        )
    if not plan_document:
        raise DomainError(
            "FILE_REQUIRED", "请上传学会年度学术计划（盖章扫描件）。", field="plan_document"
        )
    try:
        validate_scan(plan_document)
    except ValidationError as exc:
        raise DomainError(exc.code or "FILE_TYPE", exc.messages[0], field="plan_document") from None
    same = AnnualMeeting.objects.filter(society=society, branch=branch, year=year).exclude(
        state=State.REFUSED
    )
    if same.exists():
        raise DomainError(
            "MEETING_EXISTS",
            "{o}{y}年度的学术年会已登记。".format(o=(branch or society).name, y=year),
            field="year",
        )
    meeting = AnnualMeeting(
        society=society,
        branch=branch,
        year=year,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        in_plan=True,
        created_by=actor,
    )
    meeting.plan_document = plan_document
    meeting.save()
    audit.record(
        "meeting.create",
        actor=actor,
        obj=meeting,
        scope_path=_scope(meeting),
        changes={
            "年度": year,
            "举办": meeting.organiser.name,
            "日期": "{a}至{b}".format(a=starts_on.isoformat(), b=ends_on.isoformat()),
        },
    )
    return meeting


@transaction.atomic
def submit_meeting(meeting: AnnualMeeting, *, actor) -> AnnualMeeting:
    """报送省继教办确认: the attendance list is then fixed."""
    _check_editable(meeting, actor)
    meeting_credits(meeting.year)
    count = meeting.attendees.count()
    if not count:
        raise DomainError("MEETING_NO_ATTENDEES", "参会名单为空，请先导入或录入参会人员。")
    won = AnnualMeeting.objects.filter(pk=meeting.pk, state=State.DRAFT).update(
        state=State.SUBMITTED, submitted_at=timezone.now()
    )
    if not won:
        raise Conflict()
    meeting.refresh_from_db()
    audit.record(
        "meeting.submit",
        actor=actor,
        obj=meeting,
        scope_path=_scope(meeting),
        changes={"参会人数": count},
    )
    return meeting


@transaction.atomic
def decide_meeting(
    meeting: AnnualMeeting, *, actor, confirm: bool, reason: str = ""
) -> AnnualMeeting:
    """The provincial office confirms the meeting — every attendee gets a valid provincial
    I类 record of the year's credits, once — or refuses it with a reason."""
    if not can_confirm_meetings(actor):
        raise PermissionDenied("学术年会由省继教办确认。")
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise DomainError("REASON_REQUIRED", "请填写不予确认的理由。", field="reason")
    credits = meeting_credits(meeting.year) if confirm else None
    now = timezone.now()
    new_state = State.CONFIRMED if confirm else State.REFUSED
    won = AnnualMeeting.objects.filter(pk=meeting.pk, state=State.SUBMITTED).update(
        state=new_state, decided_by=actor, decided_at=now, decision_reason=reason, credits=credits
    )
    if not won:
        raise Conflict()
    meeting.refresh_from_db()
    awarded = _award(meeting, actor=actor, now=now) if confirm else 0
    audit.record(
        "meeting.decide",
        actor=actor,
        obj=meeting,
        scope_path=_scope(meeting),
        changes={
            "状态": [str(State.SUBMITTED.label), str(new_state.label)],
            "授予学分": str(credits) if credits is not None else "",
            "授分人数": awarded,
        },
        comment=reason,
    )
    return meeting


def _award(meeting: AnnualMeeting, *, actor, now: datetime.datetime) -> int:
    """One valid record per attendee without one (the attendee row holds it: once)."""
    attendees = list(meeting.attendees.filter(record__isnull=True).order_by("pk"))
    records = CreditRecord.objects.bulk_create(
        [
            CreditRecord(
                person_id=a.person_id,
                year=meeting.year,
                category=Category.I,
                source_id=Source.ANNUAL_MEETING,
                amount=meeting.credits,
                hours=Decimal(0),  # the meeting is worth a fixed amount, not 学时
                title=meeting.name,
                activity_date=meeting.ends_on,
                organisation_id=meeting.society_id,
                submitted_by=meeting.created_by,
                status=CreditRecord.Status.VALID,
                reviewed_by=actor,
                reviewed_at=now,
            )
            for a in attendees
        ],
        batch_size=1000,
    )
    for attendee, record in zip(attendees, records, strict=True):
        attendee.record = record
    MeetingAttendee.objects.bulk_update(attendees, ["record"], batch_size=1000)
    forget_results_of([r.pk for r in records])
    return len(attendees)


# --- the attendance list --------------------------------------------------------------------------


def _who(person: Person) -> dict[str, str]:
    return {"姓名": person.name, "证件号码": idnumbers.mask(person.id_number)}


@transaction.atomic
def add_attendee(
    meeting: AnnualMeeting, *, actor, name: str, id_number: str, id_type: str = ""
) -> MeetingAttendee:
    """One attendee picked by ID number; the person must be in the registry, once."""
    _check_editable(meeting, actor)
    data, errors = clean_person({"name": name, "id_type": id_type, "id_number": id_number})
    if errors:
        raise DomainError(
            errors[0].code, "；".join(e.message for e in errors), field=errors[0].field
        )
    person = existing_persons([data.id_number]).get((data.id_type, data.id_number))
    if person is None:
        raise DomainError(
            "PERSON_UNKNOWN",
            "人员库中没有该证件号码的人员，请其所在单位先登记。",
            field="id_number",
        )
    if name_key(person.name) != name_key(data.name):
        raise DomainError(
            "NAME_MISMATCH", "姓名与人员库中该证件号码登记的姓名不一致。", field="name"
        )
    if meeting.attendees.filter(person=person).exists():
        raise DomainError("ATTENDEE_EXISTS", "该人员已在参会名单中。", field="id_number")
    try:
        with transaction.atomic():
            attendee = MeetingAttendee.objects.create(
                meeting=meeting, person=person, source=MeetingAttendee.Source.HAND
            )
    except IntegrityError:
        raise Conflict("该人员刚被他人加入名单，请刷新后查看。") from None
    audit.record(
        "meeting.attendee_add",
        actor=actor,
        obj=meeting,
        scope_path=_scope(meeting),
        changes=_who(person),
    )
    return attendee


@transaction.atomic
def remove_attendee(attendee: MeetingAttendee, *, actor) -> None:
    meeting = attendee.meeting
    _check_editable(meeting, actor)
    audit.record(
        "meeting.attendee_remove",
        actor=actor,
        obj=meeting,
        scope_path=_scope(meeting),
        changes=_who(attendee.person),
    )
    attendee.delete()


@dataclass
class AttendancePlan:
    total: int = 0
    ignored_headers: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new: list[Person] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> tuple[int, int, int]:
        return len(self.new), 0, self.unchanged


def plan_attendance(meeting: AnnualMeeting, data: bytes) -> AttendancePlan:
    """Every row checked as a person entered by hand; a row twice in the file is an error,
    a person already on the list is unchanged (the same file twice adds nothing)."""
    table = read_table(data, ATTENDANCE_COLUMNS)
    plan = AttendancePlan(
        total=len(table.rows),
        ignored_headers=[
            h for h in table.ignored_headers if h not in {"序号", "备注", "工作单位", "单位"}
        ],
    )
    header = {c.field: c.header for c in ATTENDANCE_COLUMNS} | table.headers
    cleaned, plan.errors = clean_rows(table, ATTENDANCE_COLUMNS, clean_person)
    persons = existing_persons([d.id_number for _, d in cleaned])
    listed = set(meeting.attendees.values_list("person_id", flat=True))
    for number, data in cleaned:
        person = persons.get((data.id_type, data.id_number))
        if person is None:
            plan.errors.append(
                RowError(
                    number,
                    header["id_number"],
                    "人员库中没有证件号码为{n}的人员，请其所在单位先登记。".format(
                        n=idnumbers.mask(data.id_number)
                    ),
                )
            )
        elif name_key(person.name) != name_key(data.name):
            plan.errors.append(
                RowError(
                    number,
                    header["name"],
                    "姓名“{n}”与人员库中该证件号码登记的姓名不一致。".format(n=data.name),
                )
            )
        elif person.pk in listed:
            plan.unchanged += 1
        else:
            plan.new.append(person)
    plan.errors.sort(key=lambda e: e.row)
    return plan


@transaction.atomic
def preview_attendance_import(meeting: AnnualMeeting, upload, *, actor) -> AttendanceImport:
    _check_editable(meeting, actor)
    return preview_import(
        AttendanceImport(meeting=meeting, uploaded_by=actor),
        upload,
        lambda data: plan_attendance(meeting, data),
    )


@transaction.atomic
def queue_attendance_commit(record: AttendanceImport, *, actor) -> AttendanceImport:
    from cme.distance.tasks import commit_attendance_import_task

    _check_editable(record.meeting, actor)
    claim_for_commit(record)
    commit_attendance_import_task.enqueue(import_id=record.pk, actor_id=actor.pk)
    record.refresh_from_db()
    return record


def _plan_for_commit(record: AttendanceImport, data: bytes) -> AttendancePlan:
    meeting = AnnualMeeting.objects.get(pk=record.meeting_id)
    plan = plan_attendance(meeting, data)
    if not meeting.editable:
        plan.errors.insert(0, RowError(0, "", LOCKED_MESSAGE))
    return plan


def commit_attendance_import(record: AttendanceImport, *, actor) -> AttendanceImport:
    if not is_society_admin(actor) or acting_org(actor).pk != record.meeting.society_id:
        raise PermissionDenied("只有举办年会的学会可以修改参会名单。")
    return commit_import(
        record,
        actor=actor,
        plan_file=_plan_for_commit,
        write=lambda rec, plan: MeetingAttendee.objects.bulk_create(
            [
                MeetingAttendee(
                    meeting_id=rec.meeting_id, person=p, source=MeetingAttendee.Source.IMPORT
                )
                for p in plan.new
            ],
            batch_size=2000,
        ),
        audit_action="meeting.attendance_import",
        scope_path=_scope(record.meeting),
    )
