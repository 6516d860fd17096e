"""The published-list import against lists as offices really pass them on: a title, a totals
row and the signatures under the list, the list on its second sheet, .xls and GB18030 CSV."""

import datetime

import pytest

from cme.core.errors import DomainError
from cme.core.tests import messy
from cme.projects import published
from cme.projects.models import PublishedListImport, PublishedProject
from cme.projects.tests.test_published_import import GOOD, HEADERS, TITLE


def preview(cast, data, name="公布名单.xlsx"):
    return published.preview_published_import(
        messy.upload(data, name), actor=cast.users["province"]
    )


def test_a_list_with_a_title_a_totals_row_and_signatures(cast):
    headers = [
        h.replace("负责人电话", "负责人\n电话").replace("举办期限", "举办期限（起止日期）")
        for h in HEADERS
    ]
    rows = [list(r) for r in GOOD]
    rows[0][7] = datetime.date(2021, 4, 10)  # one day, as a date cell
    footer = [["合计", "", "", "共3项"], ["制表人：刘敏", "", "审核人：陈刚"]]
    data = messy.xlsx(("公布名单", messy.sheet_rows(headers, rows, title=TITLE, footer=footer)))
    record = preview(cast, data)
    assert record.errors == []
    assert record.total_rows == 3
    published.commit_published_import(record, actor=cast.users["province"])
    entry = PublishedProject.objects.get(number="2021-04-08-186(国)")
    assert (entry.period, entry.leader_phone) == ("2021-04-10", "13800000001")


def test_a_bad_row_is_named_and_nothing_is_written(cast):
    rows = [list(r) for r in GOOD]
    rows[1][2] = "2021-4-1-23(国)"
    data = messy.xlsx(("公布名单", messy.sheet_rows(HEADERS, rows, title=TITLE)))
    record = preview(cast, data)
    assert record.state == PublishedListImport.State.INVALID
    assert [(e["row"], e["column"]) for e in record.errors] == [(5, "项目编号")]
    with pytest.raises(DomainError):
        published.commit_published_import(record, actor=cast.users["province"])
    assert not PublishedProject.objects.exists()


def test_the_list_on_the_second_sheet_of_an_xlsx_and_in_old_formats(cast):
    data = messy.xlsx(("封面", [[TITLE]]), ("名单", messy.sheet_rows(HEADERS, GOOD)))
    record = preview(cast, data)
    assert record.errors == [] and record.total_rows == 3
    record = preview(cast, messy.xls(messy.sheet_rows(HEADERS, GOOD, title=TITLE)), "名单.xls")
    assert record.errors == [] and record.total_rows == 3
    record = preview(cast, messy.gb18030_csv(messy.sheet_rows(HEADERS, GOOD)), "名单.csv")
    assert record.errors == [] and record.total_rows == 3
