"""The shared reader on the shapes real files take (cme.core.excel)."""

import datetime

from cme.core.excel import Column, read_table
from cme.core.tests import messy

COLUMNS = [
    Column("name", "姓名", required=True),
    Column("id_number", "证件号码", ("身份证号",), required=True, identifier=True),
    Column("on", "完成日期", date=True),
]


def rows_of(data):
    return [(r.number, r.values) for r in read_table(data, COLUMNS).rows]


def test_a_footer_is_skipped_only_below_the_last_person():
    cells = [
        ["姓名", "证件号码"],
        ["合计", ""],  # not at the end: a row to report, never dropped
        ["张三", "1"],
        ["合 计", "2人"],
        ["（以下空白）"],
        ["注：本表一式两份"],
    ]
    assert [n for n, _ in rows_of(messy.xlsx(("名单", cells)))] == [2, 3]


def test_dates_in_a_date_column_from_serials_and_eight_digits():
    cells = [
        ["姓名", "证件号码", "完成日期"],
        ["甲", "1", 45418],
        ["乙", "1", 45418.0],
        ["丙", "1", 20240506],
        ["丁", "1", "20240506"],
        ["戊", "1", 45418.5],  # not a whole day: left for the importer to refuse
        ["己", "1", 20241399],  # no such date
    ]
    values = [v["on"] for _, v in rows_of(messy.xlsx(("名单", cells)))]
    assert values == ["2024-05-06"] * 4 + ["45418.5", "20241399"]


def test_header_notes_in_brackets_and_identifier_quotes():
    cells = [
        ["姓名（必填）", "身份证号\n【18位】"],
        ["张三", "’43010219900101123x"],
        ["李四", '="430102199001011234"'],
    ]
    assert [v["id_number"] for _, v in rows_of(messy.gb18030_csv(cells))] == [
        "43010219900101123x",
        "430102199001011234",
    ]


def test_a_date_cell_is_a_date_whatever_its_format():
    cells = [["姓名", "证件号码", "完成日期"], ["甲", "1", datetime.date(2024, 5, 6)]]
    assert rows_of(messy.xls(cells, date_columns=(2,)))[0][1]["on"] == "2024-05-06"
