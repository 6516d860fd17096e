"""Staff import (人员名单导入): template, preview, all-or-nothing commit, idempotent.

Follows the import contract of cme.core.excel; the roster import of held sessions
reuses the same reader, row validation and report.
"""

from collections.abc import Callable
from typing import Protocol, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from cme.core.errors import DomainError, PermissionDenied
from cme.core.excel import Column, RowError, Table, read_table
from cme.core.exports import xlsx_template
from cme.core.imports import (
    claim_for_commit,
    commit_import,
    preview_import,
)
from cme.orgs.models import Organisation
from cme.people.models import Person, StaffImport, UnitHistory
from cme.people.permissions import can_manage_staff_of
from cme.people.validation import TEMPLATE_EXAMPLE_ID, PersonData, clean_person

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
    TEMPLATE_EXAMPLE_ID,
    "心内科",
    "主管护师",
    "13800000000",
    "示例行，导入前请删除",
]


def staff_template() -> bytes:
    """The downloadable template: ID and phone columns formatted as text."""
    return xlsx_template(
        "人员名单",
        TEMPLATE_HEADERS,
        TEMPLATE_EXAMPLE,
        [6, 10, 6, 14, 22, 14, 14, 14, 24],
        choices={"性别": ["男", "女"]},
    )


class Plan:
    """What a file would do: the rows to create and to update, and every error."""

    def __init__(self) -> None:
        self.creates: list[tuple[int, PersonData]] = []
        self.updates: list[tuple[int, Person, PersonData, dict]] = []
        self.unchanged = 0
        self.errors: list[RowError] = []
        self.total = 0
        self.ignored_headers: list[str] = []

    def counts(self) -> tuple[int, int, int]:
        return len(self.creates), len(self.updates), self.unchanged


class PersonRow(Protocol):
    id_type: str
    id_number: str


D = TypeVar("D", bound=PersonRow)


def clean_rows(
    table: Table,
    columns: list[Column],
    clean: Callable[[dict[str, str]], tuple[D | None, list[DomainError]]] = clean_person,
) -> tuple[list[tuple[int, D]], list[RowError]]:
    """Every row of a person list through `clean` (the same check as entry by hand):
    the good rows with their Excel row numbers, and every error named by the file's own
    header; a second row with the same ID names the first. Cell errors found while
    reading (lost digits) come first and skip their row."""
    errors: list[RowError] = list(table.errors)
    bad_rows = {e.row for e in table.errors}
    header = {c.field: c.header for c in columns} | table.headers
    cleaned: list[tuple[int, D]] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for row in table.rows:
        if row.number in bad_rows:
            continue
        data_row, row_errors = clean(row.values)
        for err in row_errors:
            errors.append(RowError(row.number, header.get(err.field, err.field or ""), err.message))
        if data_row is None:
            continue
        key = (data_row.id_type, data_row.id_number)
        if key in first_row_of:
            errors.append(
                RowError(
                    row.number,
                    header["id_number"],
                    "与第{n}行的证件号码重复。".format(n=first_row_of[key]),
                )
            )
            continue
        first_row_of[key] = row.number
        cleaned.append((row.number, data_row))
    return cleaned, errors


def plan_staff_rows(unit: Organisation, data: bytes) -> Plan:
    table = read_table(data, STAFF_COLUMNS)
    plan = Plan()
    plan.total = len(table.rows)
    plan.ignored_headers = [h for h in table.ignored_headers if h not in {"序号", "备注"}]
    header = {c.field: c.header for c in STAFF_COLUMNS} | table.headers
    cleaned, plan.errors = clean_rows(table, STAFF_COLUMNS)

    existing = existing_persons([d.id_number for _, d in cleaned])
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


def existing_persons(numbers: list[str]) -> dict[tuple[str, str], Person]:
    """The registry's persons with these ID numbers, by (type, number): a query per 2,000."""
    found: dict[tuple[str, str], Person] = {}
    for start in range(0, len(numbers), 2000):
        chunk = numbers[start : start + 2000]
        for person in Person.objects.filter(id_number__in=chunk).select_related("unit"):
            found[(person.id_type, person.id_number)] = person
    return found


def _from_unit_name(person: Person) -> str:
    transfer = person.transfers.filter(state="pending").select_related("from_unit").first()
    return transfer.from_unit.name if transfer else "原单位"


@transaction.atomic
def preview_staff_import(unit: Organisation, upload, *, actor) -> StaffImport:
    """Read and check the file; store it with its report. Nothing about persons is written."""
    if not can_manage_staff_of(actor, unit):
        raise PermissionDenied()
    return preview_import(
        StaffImport(unit=unit, uploaded_by=actor), upload, lambda data: plan_staff_rows(unit, data)
    )


@transaction.atomic
def queue_staff_import_commit(record: StaffImport, *, actor) -> StaffImport:
    """确认导入: the commit runs as a background task (a big file takes seconds); the page
    shows its progress. The task row is written in this transaction, so a worker never
    sees it before the state change."""
    from cme.people.tasks import commit_staff_import_task

    if not can_manage_staff_of(actor, record.unit):
        raise PermissionDenied()
    claim_for_commit(record, commit_started_at=timezone.now())
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
    return commit_import(
        record,
        actor=actor,
        plan_file=lambda rec, data: plan_staff_rows(rec.unit, data),
        write=lambda rec, plan: write_plan(rec.unit, plan),
        audit_action="import.commit",
        scope_path=record.unit.tree_path,
    )


def _start_unit_history(unit_ids: set[int], since) -> None:
    """One UnitHistory row for each person just created in these units (new since `since`,
    with no history yet), written by one INSERT ... SELECT rather than 20,000 model
    instances."""
    created = (
        Person.objects.filter(
            unit_id__in=unit_ids, created_at__gte=since, unit_history__isnull=True
        )
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


def create_persons(entries: list[tuple[PersonData, Organisation | None]]) -> list[Person]:
    """New persons of an import, each in its unit (or none), with their unit history
    begun: a few bulk statements whatever the number."""
    now = timezone.now()
    new_people = []
    for data_row, unit in entries:
        person = Person(unit=unit, id_type=data_row.id_type, id_number=data_row.id_number)
        data_row.apply_to(person)
        new_people.append(person)
    Person.objects.bulk_create(new_people, batch_size=2000)
    unit_ids = {p.unit_id for p in new_people if p.unit_id}
    if unit_ids:
        _start_unit_history(unit_ids, since=now)
    return new_people


def write_plan(unit: Organisation, plan: Plan) -> None:
    now = timezone.now()
    create_persons([(data_row, unit) for _, data_row in plan.creates])
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
