"""A training plan from a spreadsheet with the columns of 003 附件2, under the import
contract (cme.core.excel, cme.core.imports): every bad row reported by row and column,
nothing written unless the whole file is good, and committing replaces the draft's rows
with the file's — matched by 序号, so importing the same file again changes nothing."""

from dataclasses import dataclass, field

from django.db import transaction

from cme.core.errors import PermissionDenied
from cme.core.excel import Column, RowError, read_table
from cme.core.exports import xlsx_template
from cme.core.imports import claim_for_commit, commit_import, preview_import
from cme.plans.models import PlanImport, PlanRow, TrainingPlan
from cme.plans.permissions import can_edit_plan
from cme.plans.rows import COLUMN_LABELS, RowData, clean_row, credit_cap

PLAN_COLUMNS = [
    Column("number", "序号", ("编号",), serial=True),
    Column("name", "培训名称", ("项目名称", "培训项目名称", "名称"), required=True),
    Column("content", "培训内容", ("主要内容", "内容"), required=True),
    Column("audience", "培训对象", ("对象", "教学对象"), required=True),
    Column("period", "培训时间", ("举办时间", "时间", "培训日期"), required=True, date=True),
    Column("place", "培训地点", ("举办地点", "地点"), required=True),
    Column("participants", "培训人数", ("人数", "拟培训人数", "计划人数"), required=True),
    Column("organiser", "承办单位", ("举办单位",), required=True),
    Column("mode", "培训方式", ("方式", "举办方式"), required=True),
    Column("credits", "拟授学分", ("学分", "授予学分"), required=True),
    Column("note", "备注", ("说明",)),
]
TEMPLATE_HEADERS = [c.header for c in PLAN_COLUMNS]
TEMPLATE_EXAMPLE = [
    "1",
    "基层医务人员心肺复苏技能培训",
    "成人及儿童心肺复苏、AED使用、气道异物梗阻处理",
    "基层医疗卫生机构医护人员",
    "2025-03-10至2025-03-11",
    "长沙市第一医院学术报告厅",
    "120",
    "长沙市第一医院急诊科",
    "线下",
    "2",
    "",
]
TEMPLATE_NOTES = [
    "市级继续医学教育计划申报表 填写说明",
    "1. 上半年计划于3月31日前、下半年计划于7月31日前报送市卫生健康委科教处。",
    "2. 序号、备注可不填；其余各列均为必填。",
    "3. 培训时间填写日期，如2025-03-10，或起止日期，如2025-03-10至2025-03-12；须在计划所属半年之内。",
    "4. 培训人数填写正整数；拟授学分最多保留一位小数。",
    "5. 培训方式填写线下、线上或线上线下结合。",
    "6. 重新导入时，按序号以文件内容替换草稿中的条目；示例行导入前请删除。",
]


@dataclass
class PlanFilePlan:
    total: int = 0
    ignored_headers: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    creates: list[tuple[int, RowData]] = field(default_factory=list)
    updates: list[tuple[PlanRow, RowData]] = field(default_factory=list)
    deletes: list[PlanRow] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> tuple[int, int, int]:
        return len(self.creates), len(self.updates), self.unchanged


def plan_rows_from_file(plan: TrainingPlan, data: bytes) -> PlanFilePlan:
    table = read_table(data, PLAN_COLUMNS)
    result = PlanFilePlan(total=len(table.rows), ignored_headers=table.ignored_headers)
    header = {**COLUMN_LABELS, **table.headers}
    result.errors.extend(table.errors)
    cap = credit_cap(plan.year)
    cleaned: list[tuple[int, RowData]] = []
    first_row_of: dict[int, int] = {}
    for position, row in enumerate(table.rows, start=1):
        data_row, errors = clean_row(row.values, plan, cap=cap)
        for err in errors:
            result.errors.append(RowError(row.number, header.get(err.field, ""), err.message))
        if data_row is None:
            continue
        if data_row.number is None:
            data_row.number = position
        if data_row.number in first_row_of:
            result.errors.append(
                RowError(
                    row.number,
                    header["number"],
                    "与第{n}行的序号重复。".format(n=first_row_of[data_row.number]),
                )
            )
            continue
        first_row_of[data_row.number] = row.number
        cleaned.append((row.number, data_row))
    existing = {r.number: r for r in plan.rows.all()}
    for number, data_row in cleaned:
        current = existing.pop(data_row.number, None)
        if current is None:
            result.creates.append((number, data_row))
        elif data_row.differs_from(current):
            result.updates.append((current, data_row))
        else:
            result.unchanged += 1
    result.deletes = list(existing.values())
    result.errors.sort(key=lambda e: e.row)
    return result


def write_plan_rows(plan: TrainingPlan, result: PlanFilePlan) -> None:
    PlanRow.objects.filter(pk__in=[r.pk for r in result.deletes]).delete()
    for row, data_row in result.updates:
        for f, value in data_row.values().items():
            setattr(row, f, value)
    if result.updates:
        PlanRow.objects.bulk_update([r for r, _ in result.updates], list(RowData.FIELDS))
    PlanRow.objects.bulk_create(
        PlanRow(plan=plan, number=d.number, **d.values()) for _, d in result.creates
    )
    if result.creates or result.updates or result.deletes:
        plan.save(update_fields=["updated_at"])


def plan_template() -> bytes:
    return xlsx_template(
        "市级继续医学教育计划申报表",
        TEMPLATE_HEADERS,
        TEMPLATE_EXAMPLE,
        [6, 28, 36, 20, 24, 24, 10, 22, 14, 10, 16],
        choices={"培训方式": ["线下", "线上", "线上线下结合"]},
        notes=TEMPLATE_NOTES,
        rows=500,
    )


def _check_editable(plan: TrainingPlan, actor) -> None:
    if not can_edit_plan(actor, plan):
        raise PermissionDenied("该培训计划当前不能修改。")


@transaction.atomic
def preview_plan_import(plan: TrainingPlan, upload, *, actor) -> PlanImport:
    """Read and check the file; store it with its report. Nothing else is written."""
    _check_editable(plan, actor)
    return preview_import(
        PlanImport(plan=plan, uploaded_by=actor),
        upload,
        lambda data: plan_rows_from_file(plan, data),
    )


def _plan_for_commit(record: PlanImport, data: bytes) -> PlanFilePlan:
    result = plan_rows_from_file(record.plan, data)
    if not record.plan.editable:
        result.errors.insert(0, RowError(0, "", "该培训计划已报送，不能再导入。"))
    return result


def commit_plan_import(record: PlanImport, *, actor) -> PlanImport:
    """确认导入: a plan has tens of rows, so the commit runs at once (no background task);
    the file is checked again against the draft as it is now; all rows or none."""
    _check_editable(record.plan, actor)
    claim_for_commit(record)
    record.refresh_from_db()
    return commit_import(
        record,
        actor=actor,
        plan_file=_plan_for_commit,
        write=lambda rec, result: write_plan_rows(rec.plan, result),
        audit_action="plan.import",
        scope_path=record.plan.unit.tree_path,
        audit_changes=lambda rec, result: {"删除": len(result.deletes)},
    )
