"""Issue 7 §5: a plan from Excel with the seed's columns — every bad row named by row and
column in Chinese, nothing written if any, and importing again replaces the draft's rows
(the same file twice changes nothing)."""

import pytest

from cme.core.errors import PermissionDenied
from cme.core.models import AuditEvent
from cme.plans import actions
from cme.plans.imports import (
    TEMPLATE_HEADERS,
    commit_plan_import,
    plan_template,
    preview_plan_import,
)
from cme.plans.models import PlanImport
from cme.plans.tests.helpers import good_row, plan_of, upload, with_rows, xlsx


def test_the_template_has_the_seeds_columns():
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(plan_template()))
    header = [c.value for c in next(book.active.iter_rows())]
    assert header == [
        "序号", "培训名称", "培训内容", "培训对象", "培训时间", "培训地点",
        "培训人数", "承办单位", "培训方式", "拟授学分", "备注",
    ]  # fmt: skip
    assert header == TEMPLATE_HEADERS


def test_messy_rows_are_reported_by_row_and_column_and_nothing_is_written(cast):
    plan = with_rows(cast, plan_of(cast), n=1)
    data = xlsx(
        [
            good_row(1),
            good_row(2, 培训时间="2025-13-45"),
            good_row(3, 拟授学分="2.25"),
            good_row(4, 培训对象=""),
            good_row(5, 培训方式=" 线上 ", 培训人数=" 60 "),  # stray spaces are fine
            good_row(1),
        ]
    )
    record = preview_plan_import(plan, upload(data), actor=cast.users["city_admin"])
    assert record.state == PlanImport.State.INVALID
    found = {(e["row"], e["column"]) for e in record.errors}
    assert found == {(4, "培训时间"), (5, "拟授学分"), (6, "培训对象"), (8, "序号")}
    messages = {e["row"]: e["message"] for e in record.errors}
    assert "2025-13-45" in messages[4] and "无法识别为日期" in messages[4]
    assert "一位小数" in messages[5]
    assert "请填写培训对象" in messages[6]
    assert "第3行" in messages[8]
    assert list(plan.rows.values_list("name", flat=True)) == [
        "基层医务人员心肺复苏技能培训（第1项）"
    ]  # the draft keeps its row


def test_a_missing_column_names_it(cast):
    plan = plan_of(cast)
    headers = [h for h in TEMPLATE_HEADERS if h != "拟授学分"]
    data = xlsx([[*good_row(1)[:9], ""]], headers=headers)
    from cme.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        preview_plan_import(plan, upload(data), actor=cast.users["city_admin"])
    assert "拟授学分" in exc.value.message


def test_commit_replaces_the_drafts_rows_and_the_same_file_again_changes_nothing(cast):
    plan = with_rows(cast, plan_of(cast), n=3)
    data = xlsx([good_row(1), good_row(2, 培训时间="2025年5月8日-9日", 拟授学分="3")])
    record = preview_plan_import(plan, upload(data), actor=cast.users["city_admin"])
    assert record.state == PlanImport.State.PREVIEWED
    assert (record.created_count, record.updated_count) == (0, 2)
    assert not plan.rows.filter(name__startswith="急诊").exists()  # preview writes nothing
    commit_plan_import(record, actor=cast.users["city_admin"])
    rows = list(plan.rows.order_by("number"))
    assert [(r.number, r.name) for r in rows] == [
        (1, "急诊急救技能培训1"),
        (2, "急诊急救技能培训2"),
    ]
    assert (rows[1].starts_on.isoformat(), rows[1].ends_on.isoformat()) == (
        "2025-05-08",
        "2025-05-09",
    )
    ids = [r.pk for r in rows]
    again = preview_plan_import(plan, upload(data), actor=cast.users["city_admin"])
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    commit_plan_import(again, actor=cast.users["city_admin"])
    assert [r.pk for r in plan.rows.order_by("number")] == ids
    assert AuditEvent.objects.filter(action="plan.import").count() == 2


def test_a_submitted_plan_takes_no_import(cast):
    plan = with_rows(cast, plan_of(cast), n=1)
    record = preview_plan_import(plan, upload(xlsx([good_row(1)])), actor=cast.users["city_admin"])
    actions.submit_plan(plan, actor=cast.users["city_admin"])
    with pytest.raises(PermissionDenied):
        commit_plan_import(record, actor=cast.users["city_admin"])
    assert plan.rows.get().name.startswith("基层")
