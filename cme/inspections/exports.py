"""The results of a draw in Excel: one row per drawn project, a column per indicator."""

from django.db.models import QuerySet

from cme.core.exports import xlsx_response
from cme.inspections import indicators
from cme.inspections.models import SpotCheck, SpotCheckItem

HEADERS = [
    "项目级别",
    "市州",
    "项目编号",
    "项目名称",
    "申办单位",
    "检查期次",
    "检查人员",
    "检查日期",
    *("{n}（{m}分）".format(n=i.name, m=i.max_score) for i in indicators.INDICATORS),
    "总分",
    "检查结论",
    "检查意见",
    "状态",
]


def _score(item: SpotCheckItem, indicator_id: str):
    value = item.findings.get(indicator_id, {}).get("score")
    return float(value) if value not in (None, "") else ""


def spot_check_xlsx(spot_check: SpotCheck, items: QuerySet[SpotCheckItem]):
    rows = (
        [
            item.get_level_display(),
            item.city_name,
            item.project.number or "",
            item.project.name,
            item.project.sponsor.name,
            "第{n}期".format(n=item.session.number) if item.session_id else "",
            "、".join(u.get_full_name() or u.username for u in item.inspectors.all()),
            item.visit_date.isoformat() if item.visit_date else "",
            *(_score(item, i.id) for i in indicators.INDICATORS),
            float(item.score) if item.score is not None else "",
            item.get_result_display() if item.result else "",
            item.summary,
            item.get_state_display(),
        ]
        for item in items
    )
    name = "抽查评估{y}-第{n}号.xlsx".format(y=spot_check.year, n=spot_check.pk)
    return xlsx_response(name, HEADERS, rows)
