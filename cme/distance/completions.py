"""Completion records of distance learning (完成远程学习的人员名单、学习内容、学习时长, 003 §十二).

The provider uploads a name list under the import contract (cme.core.excel, cme.core.imports):
姓名, 证件号码, 课程名称 or 课程编号, 学习时长（学时）, 完成日期. The preview lists every bad
row — a person not in the registry (persons are never created from a provider's list), a
name that does not match the registry, a course that is not this provider's filed course
with this city, a duration above the course's 学时, a date outside the course's year, the
same person and course twice, a person already credited for the course — and nothing is
written. The commit (a background task) writes one pending credit record per row in one
transaction: source distance, organisation = the provider, holder = the city, title = the
course, hours = the duration, credits = duration ÷ the rate, rounded.

The city then reviews the batch: accept → valid; refuse with a reason → rejected. A record
found false is voided by the city one at a time, with the reason.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from cme.core import audit, idnumbers
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.excel import Column, RowError, read_table
from cme.core.exports import xlsx_template
from cme.core.imports import claim_for_commit, commit_import, preview_import
from cme.credits.ledger import forget_results_of
from cme.credits.models import CreditRecord, Source
from cme.distance.filings import credits_for, hours_per_credit
from cme.distance.models import Completion, CompletionImport, Course, ProviderFiling
from cme.distance.permissions import can_decide_filing, can_report, owns_filing
from cme.people.imports import STAFF_COLUMNS, existing_persons
from cme.people.models import Person
from cme.people.validation import TEMPLATE_EXAMPLE_ID, clean_person

Review = CompletionImport.Review
Status = CreditRecord.Status

_STAFF = {c.field: c for c in STAFF_COLUMNS}
COMPLETION_COLUMNS = [
    _STAFF["name"],
    _STAFF["id_type"],
    _STAFF["id_number"],
    Column("course_name", "课程名称", ("课程", "课程名", "学习内容", "项目名称")),
    Column("course_code", "课程编号", ("课程代码", "课程号", "项目编号")),
    Column("hours", "学习时长（学时）", ("学习时长", "学时", "时长", "学习学时"), required=True),
    Column(
        "completed_on",
        "完成日期",
        ("完成时间", "学习完成日期", "结业日期"),
        required=True,
        date=True,
    ),
]
HEADERS = {c.field: c.header for c in COMPLETION_COLUMNS}
TEMPLATE_HEADERS = ["序号", "姓名", "证件类型", "证件号码", "课程名称", "课程编号", "学习时长（学时）", "完成日期"]  # fmt: skip
TEMPLATE_EXAMPLE = ["1", "张三", "居民身份证", TEMPLATE_EXAMPLE_ID, "急诊医学新进展", "", "3", "2024-05-01"]  # fmt: skip
TEMPLATE_NOTES = [
    "远程学习记录填写说明",
    "1. 每行一名学员完成的一门课程；同一学员完成多门课程时填写多行。",
    "2. 学员须已在本平台人员库中登记（由其所在单位登记），姓名与证件号码须与登记一致。",
    "3. 课程名称或课程编号须为本机构已在该市卫生健康委备案通过的课程；两者填写其一即可。",
    "4. 学习时长（学时）不能超过课程备案学时；完成日期须在课程备案年度内，格式如2024-05-01。",
    "5. 证件号码列已设为文本格式，请勿改为数字。示例行导入前请删除。",
]
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_SPACES = re.compile(r"\s+")
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", ".": "·", "‧": "·"})


def name_key(text: str) -> str:
    """A name as compared with the registry: half-width, no spaces, one kind of middle dot."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).translate(_NAME_DOTS)


def parse_date(text: str) -> datetime.date | None:
    match = _DATE.match((text or "").strip())
    if not match:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def completion_template() -> bytes:
    return xlsx_template(
        "远程学习记录",
        TEMPLATE_HEADERS,
        TEMPLATE_EXAMPLE,
        [6, 10, 12, 22, 30, 14, 16, 14],
        notes=TEMPLATE_NOTES,
    )


# --- the plan of a file --------------------------------------------------------------------------


@dataclass
class Line:
    row: int
    person: Person
    course: Course
    hours: Decimal
    completed_on: datetime.date
    amount: Decimal


@dataclass
class CompletionPlan:
    total: int = 0
    ignored_headers: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def counts(self) -> tuple[int, int, int]:
        return len(self.lines), 0, 0

    @property
    def credits(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


@dataclass
class _Row:
    number: int
    name: str
    id_type: str
    id_number: str
    course_name: str
    course_code: str
    hours: Decimal
    completed_on: datetime.date


def _read_row(number: int, values: dict[str, str], header, errors: list[RowError]):
    """The row's own checks (no database): person fields, course given, hours, date."""
    found: list[RowError] = []
    person, person_errors = clean_person(
        {k: values.get(k, "") for k in ("name", "id_type", "id_number")}
    )
    found += [RowError(number, header(e.field or "id_number"), e.message) for e in person_errors]
    course_name = values.get("course_name", "").strip()
    course_code = values.get("course_code", "").strip()
    if not course_name and not course_code:
        found.append(RowError(number, header("course_name"), "请填写课程名称或课程编号。"))
    raw_hours = values.get("hours", "").strip()
    hours = None
    try:
        hours = Decimal(raw_hours) if raw_hours else None
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite() or hours <= 0:
        found.append(
            RowError(number, header("hours"), "学习时长“{h}”应为大于0的数字。".format(h=raw_hours))
        )
    elif hours != hours.quantize(Decimal("0.1")):
        found.append(RowError(number, header("hours"), "学习时长最多保留一位小数。"))
    raw_date = values.get("completed_on", "").strip()
    completed_on = parse_date(raw_date)
    if completed_on is None:
        found.append(
            RowError(
                number,
                header("completed_on"),
                "完成日期“{d}”无法识别，请填写如2024-05-01的日期。".format(d=raw_date[:20]),
            )
        )
    elif completed_on > timezone.localdate():
        found.append(RowError(number, header("completed_on"), "完成日期不能晚于今天。"))
    errors.extend(found)
    if found or person is None:
        return None
    return _Row(
        number,
        person.name,
        person.id_type,
        person.id_number,
        course_name,
        course_code,
        hours.quantize(Decimal("0.1")),
        completed_on,
    )


def _course_of(row: _Row, filing: ProviderFiling, by_code: dict, by_name: dict):
    """(course, None) or (None, why): by code when given, else by name and year."""
    city = filing.city.name
    if row.course_code:
        course = by_code.get(row.course_code)
        label = "课程编号“{c}”".format(c=row.course_code)
    else:
        year_courses = by_name.get(row.course_name, {})
        course = year_courses.get(row.completed_on.year)
        label = "课程“{n}”".format(n=row.course_name)
        if course is None and year_courses:
            years = "、".join(str(y) for y in sorted(year_courses))
            return None, "{l}的备案年度为{y}年，与完成日期不符。".format(l=label, y=years)
    if course is None:
        return None, "{l}不是本机构在{c}备案的课程，学分不予认可。".format(l=label, c=city)
    if not course.is_filed:
        return None, "{l}在{c}的备案状态为“{s}”，未经备案的课程学分不予认可。".format(
            l=label, c=city, s=course.get_state_display()
        )
    if course.year != row.completed_on.year:
        return None, "{l}的备案年度为{y}年，完成日期应在该年度内。".format(l=label, y=course.year)
    return course, None


def plan_completions(filing: ProviderFiling, data: bytes) -> CompletionPlan:
    """Check every row against the registry, the filing's courses and the ledger as they are
    now; a handful of queries whatever the number of rows."""
    table = read_table(data, COMPLETION_COLUMNS)
    plan = CompletionPlan(
        total=len(table.rows),
        ignored_headers=[h for h in table.ignored_headers if h not in {"序号", "备注"}],
    )
    labels = HEADERS | table.headers

    def header(name: str) -> str:
        return labels.get(name, name)

    if "course_name" not in table.headers and "course_code" not in table.headers:
        raise DomainError(
            "FILE_MISSING_COLUMN",
            "第{r}行表头缺少“课程名称”或“课程编号”列。".format(r=table.header_row),
        )
    if not filing.is_filed:
        plan.errors.append(
            RowError(
                0,
                "",
                "本机构在{c}的备案状态为“{s}”，不能报送学习记录。".format(
                    c=filing.city.name, s=filing.get_state_display()
                ),
            )
        )
    plan.errors.extend(table.errors)
    bad = {e.row for e in table.errors}
    rows = [
        r
        for r in (
            _read_row(row.number, row.values, header, plan.errors)
            for row in table.rows
            if row.number not in bad
        )
        if r is not None
    ]
    persons = existing_persons([r.id_number for r in rows])
    courses = list(filing.courses.exclude(state=Course.State.REFUSED))
    by_code = {c.code: c for c in courses if c.code}
    by_name: dict[str, dict[int, Course]] = {}
    for course in courses:
        by_name.setdefault(course.name, {})[course.year] = course
    credited = _credited(
        [c.pk for c in courses],
        [p.pk for p in persons.values()],
    )
    first_row: dict[tuple[int, int], int] = {}
    rates: dict[tuple[str, int], Decimal] = {}
    for row in rows:
        person = persons.get((row.id_type, row.id_number))
        if person is None:
            plan.errors.append(
                RowError(
                    row.number,
                    header("id_number"),
                    "人员库中没有证件号码为{n}的人员，请其所在单位先登记。".format(
                        n=idnumbers.mask(row.id_number)
                    ),
                )
            )
            continue
        if name_key(person.name) != name_key(row.name):
            plan.errors.append(
                RowError(
                    row.number,
                    header("name"),
                    "姓名“{n}”与人员库中该证件号码登记的姓名不一致。".format(n=row.name),
                )
            )
            continue
        course, why = _course_of(row, filing, by_code, by_name)
        if course is None:
            column = "course_code" if row.course_code else "course_name"
            plan.errors.append(RowError(row.number, header(column), why))
            continue
        if row.hours > course.hours:
            plan.errors.append(
                RowError(
                    row.number,
                    header("hours"),
                    "学习时长{h}学时超过课程“{c}”的备案学时{m}学时。".format(
                        h=row.hours, c=course.name, m=course.hours
                    ),
                )
            )
            continue
        key = (person.pk, course.pk)
        if key in first_row:
            plan.errors.append(
                RowError(
                    row.number,
                    header("id_number"),
                    "与第{n}行重复：同一人员、同一课程只能报送一次。".format(n=first_row[key]),
                )
            )
            continue
        first_row[key] = row.number
        if key in credited:
            plan.errors.append(
                RowError(
                    row.number,
                    header("course_name"),
                    "该人员已获得课程“{c}”的学分（{s}），不能重复报送。".format(
                        c=course.name, s=credited[key]
                    ),
                )
            )
            continue
        rate_key = (course.category, course.year)
        if rate_key not in rates:
            rates[rate_key] = hours_per_credit(course.category, course.year)
        amount = credits_for(course, row.hours, rates[rate_key])
        plan.lines.append(Line(row.number, person, course, row.hours, row.completed_on, amount))
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _credited(course_ids: list[int], person_ids: list[int]) -> dict[tuple[int, int], str]:
    """(person, course) → the status label of the live record crediting it."""
    found: dict[tuple[int, int], str] = {}
    labels = dict(Status.choices)
    for start in range(0, len(person_ids), 2000):
        chunk = person_ids[start : start + 2000]
        for person_id, course_id, status in Completion.objects.filter(
            live=True, course_id__in=course_ids, person_id__in=chunk
        ).values_list("person_id", "course_id", "record__status"):
            found[(person_id, course_id)] = str(labels.get(status, status))
    return found


def write_completions(batch: CompletionImport, plan: CompletionPlan, *, actor) -> None:
    """Pending records and their completions, in bulk; the batch now waits for the city."""
    filing = batch.filing
    now = timezone.now()
    records = CreditRecord.objects.bulk_create(
        [
            CreditRecord(
                person=line.person,
                year=line.completed_on.year,
                category=line.course.category,
                source_id=Source.DISTANCE,
                amount=line.amount,
                hours=line.hours,
                title=line.course.name,
                activity_date=line.completed_on,
                organisation_id=filing.provider_id,
                holder_id=filing.city_id,
                holder_since=now,
                submitted_by=actor,
                status=Status.PENDING,
            )
            for line in plan.lines
        ],
        batch_size=1000,
    )
    Completion.objects.bulk_create(
        [
            Completion(
                batch=batch, course=line.course, person=line.person, record=record, row=line.row
            )
            for line, record in zip(plan.lines, records, strict=True)
        ],
        batch_size=1000,
    )
    batch.review = Review.PENDING


# --- upload, commit ------------------------------------------------------------------------------


def _check_reporter(filing: ProviderFiling, actor) -> None:
    if not owns_filing(actor, filing):
        raise PermissionDenied("只有该远程教育机构可以报送学习记录。")
    if not can_report(actor, filing):
        raise DomainError(
            "FILING_NOT_FILED",
            "本机构在{c}的备案状态为“{s}”，不能报送学习记录。".format(
                c=filing.city.name, s=filing.get_state_display()
            ),
        )


@transaction.atomic
def preview_completion_import(filing: ProviderFiling, upload, *, actor) -> CompletionImport:
    """Read and check the file; store it with its report. No credit is written."""
    _check_reporter(filing, actor)
    return preview_import(
        CompletionImport(filing=filing, uploaded_by=actor),
        upload,
        lambda data: plan_completions(filing, data),
    )


@transaction.atomic
def queue_completion_commit(batch: CompletionImport, *, actor) -> CompletionImport:
    """确认报送: the commit runs as a background task; the page polls its state."""
    from cme.distance.tasks import commit_completion_import_task

    _check_reporter(batch.filing, actor)
    claim_for_commit(batch)
    commit_completion_import_task.enqueue(import_id=batch.pk, actor_id=actor.pk)
    batch.refresh_from_db()
    return batch


def commit_completion_import(batch: CompletionImport, *, actor) -> CompletionImport:
    """All rows or none, checked again against the registry, the courses and the ledger."""
    if not owns_filing(actor, batch.filing):
        raise PermissionDenied("只有该远程教育机构可以报送学习记录。")
    return commit_import(
        batch,
        actor=actor,
        plan_file=lambda rec, data: plan_completions(rec.filing, data),
        write=lambda rec, plan: write_completions(rec, plan, actor=actor),
        audit_action="distance.completion_import",
        scope_path=batch.filing.city.tree_path,
        audit_changes=lambda rec, plan: {"学分合计": str(plan.credits)},
    )


# --- the city's review ---------------------------------------------------------------------------


@transaction.atomic
def review_batch(
    batch: CompletionImport, *, actor, accept: bool, reason: str = ""
) -> CompletionImport:
    """审核无误 → every pending record of the batch is valid; refused (with the reason) →
    they are rejected and the people may be reported again for those courses."""
    filing = batch.filing
    if not can_decide_filing(actor, filing):
        raise PermissionDenied("只有受理备案的市卫生健康委可以审核学习记录。")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError("REASON_REQUIRED", "请填写审核不通过的理由。", field="reason")
    now = timezone.now()
    new_review = Review.ACCEPTED if accept else Review.REFUSED
    won = CompletionImport.objects.filter(pk=batch.pk, review=Review.PENDING).update(
        review=new_review, reviewed_by=actor, reviewed_at=now, review_reason=reason
    )
    if not won:
        raise Conflict()
    pending = CreditRecord.objects.filter(
        distance_completion__batch=batch, status=Status.PENDING
    ).values_list("pk", flat=True)
    ids = list(pending)
    common = {
        "reviewed_by": actor,
        "reviewed_at": now,
        "holder": None,
        "holder_since": None,
        "updated_at": now,
    }
    if accept:
        CreditRecord.objects.filter(pk__in=ids).update(status=Status.VALID, **common)
        forget_results_of(ids)
    else:
        CreditRecord.objects.filter(pk__in=ids).update(
            status=Status.REJECTED, status_reason=reason[:255], **common
        )
        Completion.objects.filter(record_id__in=ids).update(live=False)
    batch.refresh_from_db()
    audit.record(
        "distance.batch_review",
        actor=actor,
        obj=batch,
        scope_path=filing.city.tree_path,
        changes={"审核结论": str(new_review.label), "学分记录": len(ids)},
        comment=reason,
    )
    return batch


@transaction.atomic
def void_record(record: CreditRecord, *, actor, reason: str) -> CreditRecord:
    """虚假授分: one record is void with the reason; the totals follow (they read the records)."""
    completion = Completion.objects.select_related("batch__filing__city").get(record=record)
    filing = completion.batch.filing
    if not can_decide_filing(actor, filing):
        raise PermissionDenied("只有受理备案的市卫生健康委可以作废远程教育学分。")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "请填写作废原因。", field="reason")
    before = record.get_status_display()
    now = timezone.now()
    won = CreditRecord.objects.filter(
        pk=record.pk, status__in=[Status.PENDING, Status.VALID]
    ).update(
        status=Status.VOID,
        status_reason=reason[:255],
        reviewed_by=actor,
        reviewed_at=now,
        holder=None,
        holder_since=None,
        updated_at=now,
    )
    if not won:
        raise Conflict("该学分记录已作废或未通过审核，请刷新后查看。")
    Completion.objects.filter(pk=completion.pk).update(live=False)
    forget_results_of([record.pk])
    record.refresh_from_db()
    audit.record(
        "distance.record_void",
        actor=actor,
        obj=record,
        scope_path=filing.city.tree_path,
        changes={
            "姓名": record.person.name,
            "证件号码": idnumbers.mask(record.person.id_number),
            "课程": record.title,
            "学分": str(record.amount),
            "状态": [str(before), str(record.get_status_display())],
        },
        comment=reason,
    )
    return record
