"""Excel exports of the audit: a unit's list, a reviewer's queue, and the province's list of
达标 persons for 人社. ID numbers are masked; cells are written by `core.exports`, which
neutralises formulas."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from cme.audits.models import AnnualAudit, AuditEntry
from cme.audits.queries import Row
from cme.core.idnumbers import mask

UNIT_HEADERS = [
    "姓名",
    "证件号码",
    "科室",
    "职称",
    "总学分",
    "I类学分",
    "II类学分",
    "总学时",
    "达标结果",
    "说明",
    "近5年国家级学分提示",
]
HR_HEADERS = [
    "年度",
    "姓名",
    "证件号码",
    "职称",
    "单位",
    "科室",
    "总学分",
    "I类学分",
    "II类学分",
    "总学时",
    "达标结果",
]
QUEUE_HEADERS = ["年度", "单位", "状态", "当前审核单位", "人数", "达标人数", "提交时间", "原因"]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def unit_rows(rows: Iterable[Row]) -> Iterator[list]:
    for r in rows:
        result = "已作废（{r}）".format(r=r.void_reason) if r.voided else r.result_label
        yield [
            r.name,
            mask(r.id_number),
            r.department,
            r.title,
            float(r.total),
            float(r.class1),
            float(r.class2),
            float(r.hours),
            result,
            "；".join(r.reasons),
            "；".join(r.warnings),
        ]


def hr_rows(year: int, entries: Iterable[AuditEntry]) -> Iterator[list]:
    for e in entries:
        yield [
            year,
            e.name,
            mask(e.person.id_number),
            e.title,
            e.audit.unit.name,
            e.department,
            float(e.total),
            float(e.class1),
            float(e.class2),
            float(e.hours),
            "达标",
        ]


def queue_rows(audits: Iterable[AnnualAudit]) -> Iterator[list]:
    for a in audits:
        yield [
            a.year,
            a.unit.name,
            a.get_state_display(),
            a.holder.name if a.holder else "",
            a.staff_count,
            a.qualified_count,
            _when(a.submitted_at),
            a.reason,
        ]
