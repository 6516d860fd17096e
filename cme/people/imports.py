"""Staff import (人员名单导入): template, preview, all-or-nothing commit, idempotent.

Follows the import contract of cme.core.excel; the roster import of held sessions
reuses the same reader, row validation and report.
"""

import hashlib
import io

import xlsxwriter
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from cme.core import audit
from cme.core.errors import DomainError, PermissionDenied
from cme.core.excel import Column, RowError, read_table
from cme.orgs.models import Organisation
from cme.people.models import Person, StaffImport, UnitHistory
from cme.people.permissions import can_manage_staff_of
from cme.people.validation import PersonData, clean_person

STAFF_COLUMNS = [
    Column("name", "姓名", ("学员姓名", "人员姓名"), required=True),
    Column("sex", "性别"),
    Column("id_type", "证件类型"),
    Column(
        "id_number",
        "证件号码",
        ("身份证号", "身份证号码", "身份证", "证件号", "公民身份号码"),
        required=True,
        identifier=True,
    ),
    Column("department", "科室", ("所在科室", "部门")),
    Column("title", "职称", ("专业技术职称", "职称名称", "技术职称")),
    Column(
        "phone", "手机号码", ("手机", "手机号", "联系电话", "电话", "联系方式"), identifier=True
    ),
]
TEMPLATE_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "科室",
    "职称",
    "手机号码",
    "备注",
]
TEMPLATE_EXAMPLE = [
    "1",
    "张三",
    "女",
    "居民身份证",
    "11010519491231002X",
    "心内科",
    "主管护师",
    "13800000000",
    "示例行，导入前请删除",
]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def staff_template() -> bytes:
    """The downloadable template: ID and phone columns formatted as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("人员名单")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet.write_row(0, 0, TEMPLATE_HEADERS, head)
    sheet.write_row(1, 0, TEMPLATE_EXAMPLE, text)
    for col, width in enumerate([6, 10, 6, 14, 22, 14, 14, 14, 24]):
        sheet.set_column(col, col, width, text)
    sheet.data_validation(1, 2, 5000, 2, {"validate": "list", "source": ["男", "女"]})
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


class Plan:
    """What a file would do: the rows to create and to update, and every error."""

    def __init__(self) -> None:
        self.creates: list[tuple[int, PersonData]] = []
        self.updates: list[tuple[int, Person, PersonData, dict]] = []
        self.unchanged = 0
        self.errors: list[RowError] = []
        self.total = 0
        self.ignored_headers: list[str] = []


def plan_staff_rows(unit: Organisation, data: bytes) -> Plan:
    table = read_table(data, STAFF_COLUMNS)
    plan = Plan()
    plan.total = len(table.rows)
    plan.ignored_headers = [h for h in table.ignored_headers if h not in {"序号", "备注"}]
    plan.errors.extend(table.errors)
    bad_rows = {e.row for e in table.errors}
    header = {c.field: c.header for c in STAFF_COLUMNS} | table.headers
    cleaned: list[tuple[int, PersonData]] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for row in table.rows:
        if row.number in bad_rows:
            continue
        data_row, errors = clean_person(row.values)
        for err in errors:
            plan.errors.append(
                RowError(row.number, header.get(err.field, err.field or ""), err.message)
            )
        if data_row is None:
            continue
        key = (data_row.id_type, data_row.id_number)
        if key in first_row_of:
            plan.errors.append(
                RowError(
                    row.number,
                    header["id_number"],
                    "与第{n}行的证件号码重复。".format(n=first_row_of[key]),
                )
            )
            continue
        first_row_of[key] = row.number
        cleaned.append((row.number, data_row))

    existing = _existing_persons([d.id_number for _, d in cleaned])
    for number, data_row in cleaned:
        person = existing.get((data_row.id_type, data_row.id_number))
        if person is None:
            plan.creates.append((number, data_row))
        elif person.unit_id != unit.pk:
            where = (
                "已由“{u}”调出，请在“人员调动”中调入".format(u=_from_unit_name(person))
                if person.unit_id is None
                else "属于“{u}”，须由原单位调出后再调入".format(u=person.unit.name)
            )
            plan.errors.append(RowError(number, header["id_number"], "该人员{w}。".format(w=where)))
        else:
            changes = data_row.differs_from(person)
            if changes:
                plan.updates.append((number, person, data_row, changes))
            else:
                plan.unchanged += 1
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _existing_persons(numbers: list[str]) -> dict[tuple[str, str], Person]:
    found: dict[tuple[str, str], Person] = {}
    for start in range(0, len(numbers), 2000):
        chunk = numbers[start : start + 2000]
        for person in Person.objects.filter(id_number__in=chunk).select_related("unit"):
            found[(person.id_type, person.id_number)] = person
    return found


def _from_unit_name(person: Person) -> str:
    transfer = person.transfers.filter(state="pending").select_related("from_unit").first()
    return transfer.from_unit.name if transfer else "原单位"


def _read_upload(upload) -> bytes:
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            "FILE_TOO_LARGE",
            "文件超过{n}MB，请分批导入。".format(n=MAX_UPLOAD_BYTES // 1024 // 1024),
        )
    return upload.read()


@transaction.atomic
def preview_staff_import(unit: Organisation, upload, *, actor) -> StaffImport:
    """Read and check the file; store it with its report. Nothing about persons is written."""
    if not can_manage_staff_of(actor, unit):
        raise PermissionDenied()
    data = _read_upload(upload)
    plan = plan_staff_rows(unit, data)
    sha = hashlib.sha256(data).hexdigest()
    record = StaffImport(
        unit=unit,
        uploaded_by=actor,
        file_name=upload.name[:255],
        sha256=sha,
        state=StaffImport.State.INVALID if plan.errors else StaffImport.State.PREVIEWED,
        total_rows=plan.total,
        created_count=len(plan.creates),
        updated_count=len(plan.updates),
        unchanged_count=plan.unchanged,
        errors=[e.as_dict() for e in plan.errors],
        ignored_headers=plan.ignored_headers,
    )
    record.file.save(upload.name, ContentFile(data), save=False)
    record.save()
    return record


@transaction.atomic
def queue_staff_import_commit(record: StaffImport, *, actor) -> StaffImport:
    """确认导入: the commit runs as a background task (a big file takes seconds); the page
    shows its progress. The task row is written in this transaction, so a worker never
    sees it before the state change."""
    from cme.people.tasks import commit_staff_import_task

    if not can_manage_staff_of(actor, record.unit):
        raise PermissionDenied()
    won = StaffImport.objects.filter(pk=record.pk, state=StaffImport.State.PREVIEWED).update(
        state=StaffImport.State.COMMITTING, commit_started_at=timezone.now()
    )
    if not won:
        raise DomainError("IMPORT_NOT_READY", "该导入已确认或存在错误，不能再次确认。")
    commit_staff_import_task.enqueue(import_id=record.pk, actor_id=actor.pk)
    record.refresh_from_db()
    return record


def commit_staff_import(record: StaffImport, *, actor) -> StaffImport:
    """Write every good row in one transaction, or nothing. The file is read again so the
    result matches the registry as it is now, not as it was at preview time; if it no
    longer passes, the record shows the new errors and nothing is written. Safe to run
    twice (a retried task): only a previewed or committing record is written."""
    if not can_manage_staff_of(actor, record.unit):
        raise PermissionDenied()
    with transaction.atomic():
        record = StaffImport.objects.select_for_update().get(pk=record.pk)
        if record.state not in {StaffImport.State.PREVIEWED, StaffImport.State.COMMITTING}:
            raise DomainError("IMPORT_NOT_READY", "该导入已完成或存在错误，不能再次确认。")
        with record.file.open("rb") as fh:
            plan = plan_staff_rows(record.unit, fh.read())
        if not plan.errors:
            return _commit(record, plan, actor=actor)
        StaffImport.objects.filter(pk=record.pk).update(
            state=StaffImport.State.INVALID, errors=[e.as_dict() for e in plan.errors]
        )
    raise DomainError(
        "IMPORT_HAS_ERRORS", "名单中有{n}处错误，未导入任何数据。".format(n=len(plan.errors))
    )


def fail_staff_import(record: StaffImport) -> None:
    """A crash inside the commit: nothing was written; say so on the record."""
    StaffImport.objects.filter(pk=record.pk, state=StaffImport.State.COMMITTING).update(
        state=StaffImport.State.INVALID,
        errors=[
            {
                "row": 0,
                "column": "",
                "message": "导入时发生系统错误，未导入任何数据，请重新上传或联系管理员。",
            }
        ],
    )


def _commit(record: StaffImport, plan: Plan, *, actor) -> StaffImport:
    write_plan(record.unit, plan)
    record.state = StaffImport.State.COMMITTED
    record.created_count = len(plan.creates)
    record.updated_count = len(plan.updates)
    record.unchanged_count = plan.unchanged
    record.committed_at = timezone.now()
    record.save()
    audit.record(
        "import.commit",
        actor=actor,
        obj=record,
        scope_path=record.unit.tree_path,
        changes={
            "新增": record.created_count,
            "更新": record.updated_count,
            "未变化": record.unchanged_count,
        },
    )
    return record


def _start_unit_history(unit: Organisation, since) -> None:
    """One UnitHistory row for each person this import created (new in this unit since
    `since`, with no history yet), written by one INSERT ... SELECT rather than 20,000
    model instances."""
    created = (
        Person.objects.filter(unit=unit, created_at__gte=since, unit_history__isnull=True)
        .order_by()
        .values("id", "unit_id", "created_at")
    )
    select, params = created.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {UnitHistory._meta.db_table} (person_id, unit_id, started_at, via) "  # noqa: S608
            f"SELECT sub.id, sub.unit_id, sub.created_at, %s FROM ({select}) sub",
            [UnitHistory.Via.IMPORT.value, *params],
        )


def write_plan(unit: Organisation, plan: Plan) -> None:
    now = timezone.now()
    new_people = []
    for _, data_row in plan.creates:
        person = Person(unit=unit, id_type=data_row.id_type, id_number=data_row.id_number)
        data_row.apply_to(person)
        new_people.append(person)
    Person.objects.bulk_create(new_people, batch_size=2000)
    if new_people:
        _start_unit_history(unit, since=now)
    changed = []
    for _, person, data_row, _ in plan.updates:
        data_row.apply_to(person)
        person.updated_at = now
        changed.append(person)
    if changed:
        Person.objects.bulk_update(
            changed,
            [
                "name",
                "sex",
                "title",
                "title_series",
                "title_level",
                "department",
                "phone",
                "updated_at",
            ],
            batch_size=1000,
        )
