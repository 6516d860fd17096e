"""The plan import against the files units really send: dates as Excel serials or written
"2025.4.10", "2025/04/10", "2025年4月10日"; a template numbered in advance; a totals row."""

import datetime

from cme.core.tests import messy
from cme.plans.imports import TEMPLATE_HEADERS, commit_plan_import, preview_plan_import
from cme.plans.models import PlanImport
from cme.plans.tests.helpers import good_row, plan_of

SERIAL_2025_04_10 = 45757


def preview(cast, plan, data, name="计划.xlsx"):
    return preview_plan_import(plan, messy.upload(data, name), actor=cast.users["city_admin"])


def test_dates_as_people_write_them(cast):
    plan = plan_of(cast)
    periods = [
        datetime.date(2025, 4, 10),  # a date cell
        SERIAL_2025_04_10,  # a date cell whose format was changed to 常规
        "2025.4.10",
        "2025/04/10",
        "2025年4月10日",
        20250410,
        "2025.4.10-2025.4.12",
    ]
    rows = [good_row(n, 培训时间=p) for n, p in enumerate(periods, start=1)]
    rows += [[n] for n in range(len(rows) + 1, 40)]  # numbered in advance, left empty
    headers = [h.replace("培训时间", "培训时间\n（起止日期）") for h in TEMPLATE_HEADERS]
    data = messy.xlsx(("计划", messy.sheet_rows(headers, rows, title="市级继续医学教育计划申报表")))
    record = preview(cast, plan, data)
    assert record.errors == []
    assert record.total_rows == len(periods)
    commit_plan_import(record, actor=cast.users["city_admin"])
    stored = list(plan.rows.order_by("number").values_list("starts_on", "ends_on"))
    day = datetime.date(2025, 4, 10)
    assert stored == [(day, day)] * 6 + [(day, datetime.date(2025, 4, 12))]


def test_bad_rows_are_named_by_row_and_column(cast):
    plan = plan_of(cast)
    rows = [
        good_row(1),
        good_row(2, 培训时间="2025.13.5"),
        good_row(3, 培训人数="若干"),
        good_row(4, 培训方式="讲座"),
    ]
    data = messy.xlsx(("计划", messy.sheet_rows(TEMPLATE_HEADERS, rows, title="计划表")))
    record = preview(cast, plan, data)
    assert record.state == PlanImport.State.INVALID
    assert [(e["row"], e["column"]) for e in record.errors] == [
        (5, "培训时间"),
        (6, "培训人数"),
        (7, "培训方式"),
    ]
    assert "2025.13.5" in record.errors[0]["message"]
    assert not plan.rows.exists()


def test_an_xls_plan_and_a_gb18030_csv(cast):
    plan = plan_of(cast)
    cells = messy.sheet_rows(TEMPLATE_HEADERS, [good_row(1, 培训时间=datetime.date(2025, 4, 10))])
    record = preview(cast, plan, messy.xls(cells, date_columns=(4,)), "计划.xls")
    assert record.errors == []
    csv = messy.gb18030_csv(messy.sheet_rows(TEMPLATE_HEADERS, [good_row(1), good_row(2)]))
    record = preview(cast, plan, csv, "计划.csv")
    assert record.errors == [] and record.total_rows == 2
