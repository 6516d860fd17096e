"""公布名单导入: an office imports a published list from Excel (e.g. the year's national list,
issue 4 §10) so that filing eligibility and duplicate checks see projects approved
elsewhere.

Follows the import contract of cme.core.excel and the flow of cme.people.imports:
upload → preview (the file is stored with its report, no entry is written) → commit
(the stored file is read again; every row or none). Columns are those of the public
list (shared/reference/README.md): 学科名称, 项目编号, 项目名称, 申办单位, 项目负责人,
负责人电话, 举办期限 (or 起止日期 and 天数), 举办地点, 授予学员学分, 教学对象, 拟招生人数,
备注. The number is the key: a row whose number is already stored updates that entry,
an identical row changes nothing, so importing the same file twice is harmless.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cme.accounts.models import Role
from cme.accounts.scope import role_of
from cme.core import audit
from cme.core.errors import DomainError, PermissionDenied
from cme.core.excel import Column, RowError, read_table
from cme.core.imports import read_upload
from cme.projects.models import Level, Project, PublishedListImport, PublishedProject

PUBLISHED_COLUMNS = [
    Column("discipline_name", "学科名称", ("学科", "所属学科", "学科分类")),
    Column("number", "项目编号", ("编号",), required=True, identifier=True),
    Column("name", "项目名称", ("名称",), required=True),
    Column("sponsor_name", "申办单位", ("主办单位", "第一申办单位", "举办单位")),
    Column("leader_name", "项目负责人", ("负责人",)),
    Column(
        "leader_phone",
        "负责人电话",
        ("联系电话", "电话", "负责人联系电话", "项目负责人电话", "联系方式"),
        identifier=True,
    ),
    Column("period", "举办期限", ("起止日期", "举办时间", "举办日期", "举办起止日期"), date=True),
    Column("days", "天数", ("举办天数",)),
    Column("place", "举办地点", ("举办地", "地点", "教学网站")),
    Column("credits", "授予学员学分", ("学分", "授予学分", "拟授学分")),
    Column("audience", "教学对象", ("培训对象", "招生对象")),
    Column("expected_participants", "拟招生人数", ("招生人数", "人数", "培训人数")),
    Column("note", "备注", ("说明",)),
]
# Columns a real list carries that this import does not need: not worth a warning.
QUIET_HEADERS = {"序号"}
NUMBER = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{3}[（(](国|湘|[\u4e00-\u9fa5]+)[)）]$")
NUMBER_HINT = "格式应为“年度-二级学科-三级学科-序号(国)”，如 2021-04-08-186(国)、2024-04-08-001(湘)"
SAMPLE_ROWS = 10
IMPORTERS = {Role.PROVINCIAL_OFFICE, Role.NATIONAL_OFFICE, Role.SYSTEM_ADMIN}
_LIMITS = {f.name: f.max_length for f in PublishedProject._meta.fields if f.max_length}
# The fields an import writes; an entry whose values all match is left alone.
ENTRY_FIELDS = (
    "year",
    "level",
    "name",
    "name_key",
    "discipline_name",
    "sponsor_name",
    "leader_name",
    "leader_phone",
    "period",
    "place",
    "credits",
    "audience",
    "expected_participants",
    "note",
)


def published_elsewhere(name: str, year: int) -> QuerySet[PublishedProject]:
    """Imported list entries of `year` with this name (spaces, width and case aside) whose
    number no project on this platform carries: projects approved elsewhere, for the
    DUPLICATE_PROJECT rule (same name in the same year) and, with `year - 1`, for filing
    eligibility. Projects declared here are already seen by the rules as peers."""
    key = name_key(name)
    if not key:
        return PublishedProject.objects.none()
    here = Project.objects.filter(number__isnull=False).values("number")
    return PublishedProject.objects.filter(year=year, name_key=key).exclude(number__in=here)


def can_import_published(user) -> bool:
    """Only the provincial office, the national office or the system admin import lists."""
    return role_of(user) in IMPORTERS


def name_key(name: str) -> str:
    """A project name as compared: full-width folded, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).lower()


def normalise_number(text: str) -> str | None:
    """The number in its stored form (half-width brackets), or None when malformed."""
    text = re.sub(r"\s+", "", text or "")
    if not NUMBER.match(text):
        return None
    return text.replace("（", "(").replace("）", ")")


def level_of_number(number: str) -> str:
    """(国) national; a one-character province (湘, 粤…) provincial; a city's name city."""
    suffix = number[number.index("(") + 1 : -1]
    if suffix == "国":
        return Level.NATIONAL
    return Level.PROVINCIAL if len(suffix) == 1 else Level.CITY


@dataclass
class Entry:
    """One clean row, as it would be stored."""

    number: str
    year: int
    level: str
    name: str
    name_key: str
    discipline_name: str
    sponsor_name: str
    leader_name: str
    leader_phone: str
    period: str
    place: str
    credits: Decimal | None
    audience: str
    expected_participants: int | None
    note: str

    def differs_from(self, entry: PublishedProject) -> bool:
        return any(getattr(self, name) != getattr(entry, name) for name in ENTRY_FIELDS)

    def apply_to(self, entry: PublishedProject) -> None:
        for name in ENTRY_FIELDS:
            setattr(entry, name, getattr(self, name))

    def as_sample(self) -> dict:
        return {
            f.name: str(getattr(self, f.name)) if getattr(self, f.name) is not None else ""
            for f in fields(self)
            if f.name != "name_key"
        }


class Plan:
    """What a file would do: entries to create and to update, and every error."""

    def __init__(self) -> None:
        self.creates: list[Entry] = []
        self.updates: list[tuple[PublishedProject, Entry]] = []
        self.unchanged = 0
        self.errors: list[RowError] = []
        self.total = 0
        self.ignored_headers: list[str] = []
        self.sample: list[dict] = []

    def years(self) -> list[dict]:
        """How many rows per (year, level), for the preview."""
        counts: dict[tuple[int, str], int] = {}
        for entry in [*self.creates, *(e for _, e in self.updates)]:
            counts[(entry.year, entry.level)] = counts.get((entry.year, entry.level), 0) + 1
        return [
            {"year": y, "level": str(Level(lv).label), "count": n}
            for (y, lv), n in sorted(counts.items())
        ]


def _decimal(text: str) -> Decimal | None:
    text = re.sub(r"\s+|学分|分$", "", text)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为数字，如 5 或 2.5。") from None
    if not value.is_finite():
        raise ValueError("应为数字，如 5 或 2.5。")
    if value < 0 or value >= 1000 or value != value.quantize(Decimal("0.1")):
        raise ValueError("应为0至999.9之间、最多一位小数的数字。")
    return value.quantize(Decimal("0.1"))


def _count(text: str) -> int | None:
    text = re.sub(r"\s+|人$|名$", "", text)
    if not text:
        return None
    if not text.isdigit():
        raise ValueError("应为整数人数，如 200。")
    return int(text)


def _is_sub_header(values: dict[str, str]) -> bool:
    """A second header line under a merged one (举办期限 over 起止日期 | 天数): skipped."""
    names = {n for column in PUBLISHED_COLUMNS for n in column.names()}
    filled = [v for v in values.values() if v]
    return bool(filled) and all(re.sub(r"[\s:：()（）]", "", v) in names for v in filled)


def _clean(values: dict[str, str], header: dict[str, str], row: int) -> tuple[Entry | None, list]:
    errors = []

    def err(field: str, message: str) -> None:
        errors.append(RowError(row, header[field], message))

    raw_number = values.get("number", "")
    number = normalise_number(raw_number)
    if not raw_number:
        err("number", "缺少项目编号。")
    elif number is None:
        err("number", "“{n}”不是有效的项目编号，{hint}。".format(n=raw_number, hint=NUMBER_HINT))
    name = values.get("name", "")
    if not name:
        err("name", "缺少项目名称。")
    try:
        credits = _decimal(values.get("credits", ""))
    except ValueError as exc:
        credits = None
        err("credits", "“{v}”{m}".format(v=values["credits"], m=exc))
    try:
        expected = _count(values.get("expected_participants", ""))
    except ValueError as exc:
        expected = None
        err("expected_participants", "“{v}”{m}".format(v=values["expected_participants"], m=exc))
    period = values.get("period", "")
    days = re.sub(r"\s+|天$", "", values.get("days", ""))
    if days:
        period = "{p}（{d}天）".format(p=period, d=days) if period else "{d}天".format(d=days)
    texts = {
        "name": name,
        "discipline_name": values.get("discipline_name", ""),
        "sponsor_name": values.get("sponsor_name", ""),
        "leader_name": values.get("leader_name", ""),
        "leader_phone": values.get("leader_phone", ""),
        "period": period,
        "place": values.get("place", ""),
        "audience": values.get("audience", ""),
        "note": values.get("note", ""),
    }
    for field, text in texts.items():
        if len(text) > _LIMITS[field]:
            err(field, "内容过长（{n}字），最多{m}字。".format(n=len(text), m=_LIMITS[field]))
    if errors:
        return None, errors
    entry = Entry(
        number=number,
        year=int(number[:4]),
        level=level_of_number(number),
        name_key=name_key(name),
        credits=credits,
        expected_participants=expected,
        **texts,
    )
    return entry, []


def plan_published_rows(data: bytes) -> Plan:
    table = read_table(data, PUBLISHED_COLUMNS)
    plan = Plan()
    plan.ignored_headers = [h for h in table.ignored_headers if h not in QUIET_HEADERS]
    plan.errors.extend(table.errors)
    bad_rows = {e.row for e in table.errors}
    header = {c.field: c.header for c in PUBLISHED_COLUMNS} | table.headers
    cleaned: list[Entry] = []
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        if _is_sub_header(row.values):
            continue
        plan.total += 1
        if row.number in bad_rows:
            continue
        entry, errors = _clean(row.values, header, row.number)
        plan.errors.extend(errors)
        if entry is None:
            continue
        if entry.number in first_row_of:
            plan.errors.append(
                RowError(
                    row.number,
                    header["number"],
                    "项目编号{n}与第{r}行重复。".format(
                        n=entry.number, r=first_row_of[entry.number]
                    ),
                )
            )
            continue
        first_row_of[entry.number] = row.number
        cleaned.append(entry)

    existing = _existing_entries([(e.level, e.number) for e in cleaned])
    for entry in cleaned:
        stored = existing.get((entry.level, entry.number))
        if stored is None:
            plan.creates.append(entry)
        elif entry.differs_from(stored):
            plan.updates.append((stored, entry))
        else:
            plan.unchanged += 1
    plan.sample = [e.as_sample() for e in cleaned[:SAMPLE_ROWS]]
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _existing_entries(keys: list[tuple[str, str]]) -> dict[tuple[str, str], PublishedProject]:
    found: dict[tuple[str, str], PublishedProject] = {}
    numbers = sorted({number for _, number in keys})
    for start in range(0, len(numbers), 2000):
        for entry in PublishedProject.objects.filter(number__in=numbers[start : start + 2000]):
            found[(entry.level, entry.number)] = entry
    return found


@transaction.atomic
def preview_published_import(upload, *, actor) -> PublishedListImport:
    """Read and check the file; store it with its report. No list entry is written."""
    if not can_import_published(actor):
        raise PermissionDenied("只有省继教办、全国继委会办公室或系统管理员可以导入公布名单。")
    data = read_upload(upload)
    plan = plan_published_rows(data)
    record = PublishedListImport(
        uploaded_by=actor,
        file_name=upload.name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        state=(
            PublishedListImport.State.INVALID
            if plan.errors
            else PublishedListImport.State.PREVIEWED
        ),
        **_counts(plan),
        errors=[e.as_dict() for e in plan.errors],
        ignored_headers=plan.ignored_headers,
        sample=plan.sample,
    )
    record.file.save(upload.name, ContentFile(data), save=False)
    record.save()
    return record


def _counts(plan: Plan) -> dict:
    return {
        "total_rows": plan.total,
        "created_count": len(plan.creates),
        "updated_count": len(plan.updates),
        "unchanged_count": plan.unchanged,
        "years": plan.years(),
    }


def commit_published_import(record: PublishedListImport, *, actor) -> PublishedListImport:
    """Write every row in one transaction, or none. The stored file is read again, so the
    result matches the list as it is now; if it no longer passes, the record shows the new
    errors and nothing is written. A committed record cannot be committed twice."""
    if not can_import_published(actor):
        raise PermissionDenied("只有省继教办、全国继委会办公室或系统管理员可以导入公布名单。")
    with transaction.atomic():
        record = PublishedListImport.objects.select_for_update().get(pk=record.pk)
        if record.state != PublishedListImport.State.PREVIEWED:
            raise DomainError("IMPORT_NOT_READY", "该导入已完成或存在错误，不能再次确认。")
        with record.file.open("rb") as fh:
            plan = plan_published_rows(fh.read())
        if not plan.errors:
            try:
                with transaction.atomic():
                    _write(plan, actor=actor, source_file=record.file_name)
            except IntegrityError:
                raise DomainError(
                    "IMPORT_CONFLICT",
                    "导入时其他人同时写入了相同的项目编号，未导入任何数据，请重新上传。",
                ) from None
            for name, value in _counts(plan).items():
                setattr(record, name, value)
            record.state = PublishedListImport.State.COMMITTED
            record.committed_at = timezone.now()
            record.save()
            audit.record(
                "published.import",
                actor=actor,
                obj=record,
                changes={
                    "新增": record.created_count,
                    "更新": record.updated_count,
                    "未变化": record.unchanged_count,
                },
            )
            return record
        PublishedListImport.objects.filter(pk=record.pk).update(
            state=PublishedListImport.State.INVALID, errors=[e.as_dict() for e in plan.errors]
        )
    raise DomainError(
        "IMPORT_HAS_ERRORS", "名单中有{n}处错误，未导入任何数据。".format(n=len(plan.errors))
    )


def _write(plan: Plan, *, actor, source_file: str) -> None:
    now = timezone.now()
    stamp = {"imported_by": actor, "imported_at": now, "source_file": source_file[:255]}
    new = []
    for entry in plan.creates:
        row = PublishedProject(number=entry.number, **stamp)
        entry.apply_to(row)
        new.append(row)
    PublishedProject.objects.bulk_create(new, batch_size=1000)
    changed = []
    for stored, entry in plan.updates:
        entry.apply_to(stored)
        for name, value in stamp.items():
            setattr(stored, name, value)
        changed.append(stored)
    if changed:
        PublishedProject.objects.bulk_update(
            changed, [*ENTRY_FIELDS, "imported_by", "imported_at", "source_file"], batch_size=500
        )
