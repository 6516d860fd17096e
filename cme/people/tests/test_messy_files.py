"""The staff import against the files a CME officer really produces: what the person meant
is imported, every bad row is named by row and column with the reason, and nothing is
written while any row is bad."""

import random
import time

import pytest

from cme.core.errors import DomainError
from cme.core.tests import messy
from cme.demo.builders import resident_id
from cme.people.imports import commit_staff_import, preview_staff_import
from cme.people.models import IdType, Person, StaffImport

HEADERS = ["序号", "姓 名", "性别", "身份证号码\n（18位）", "所在科室", "职称", "手机号码(必填)"]


def numbers(n, *, seed=23, ending=None):
    rng, found = random.Random(seed), []
    while len(found) < n:
        number = resident_id(rng, "430102")
        if number in found or number.endswith("000"):
            continue
        if ending is None and number[-1] == "X":
            continue
        if ending is not None and number[-1] != ending:
            continue
        found.append(number)
    return found


def preview(cast, data, name="名单.xlsx", unit=None):
    return preview_staff_import(
        unit or cast.city_hospital, messy.upload(data, name), actor=cast.users["city_admin"]
    )


def commit(cast, record):
    return commit_staff_import(record, actor=cast.users["city_admin"])


def test_a_messy_file_imports_what_the_officer_meant(cast):
    a, b, c, d, e = numbers(5)
    [x] = numbers(1, ending="X")
    rows = [
        [1, "张　三", "", a.lower(), "内科", "护师", 13800000001.0],  # phone as a float
        [2, "李四", "", "'" + b, "外科", "主治医师", "138-0000-0002"],  # Excel's apostrophe
        [3, "王五", "", "‘" + c, "儿科", "无", "+86 13800000003"],  # a Chinese IME's quote
        [],  # a blank row between people
        [5, "赵六", "", messy.spaced(d), "急诊科", "护士", "138 0000 0004"],
        [6, "钱七", "", messy.full_width(e), "药剂科", "药师", ""],
        [7, "孙八", "", x.lower() + "\u200b", "检验科", "技师", ""],  # pasted from a chat
    ]
    data = messy.xlsx(("名单", messy.sheet_rows(HEADERS, rows, title="2026年在职人员名单")))
    record = preview(cast, data)
    assert record.errors == []
    assert record.total_rows == 6  # the totals row and the 填表人 line are no persons

    commit(cast, record)
    stored = {
        p.id_number: (p.name, p.department, p.phone)
        for p in Person.objects.filter(unit=cast.city_hospital, id_number__in=[a, b, c, d, e, x])
    }
    assert stored == {
        a: ("张三", "内科", "13800000001"),
        b: ("李四", "外科", "13800000002"),
        c: ("王五", "儿科", "13800000003"),
        d: ("赵六", "急诊科", "13800000004"),
        e: ("钱七", "药剂科", ""),
        x: ("孙八", "检验科", ""),
    }


def test_the_list_on_the_second_sheet_after_a_hidden_one(cast):
    [a] = numbers(1)
    listing = messy.sheet_rows(["姓名", "证件号码", "科室"], [["张三", 777, "内科"]])
    data = messy.xlsx(
        ("下拉选项", [["男"], ["女"]]),
        ("填写说明", [["请在“名单”工作表中填写，证件号码列设为文本格式。"]]),
        ("名单", listing),
        hidden=("下拉选项",),
    )
    data = messy.with_exact_numbers(data, "xl/worksheets/sheet3.xml", {777: a})
    record = preview(cast, data)
    assert record.errors == [], record.errors
    commit(cast, record)
    assert Person.objects.get(id_number=a).unit == cast.city_hospital


def test_a_hidden_sheet_with_an_old_copy_is_not_read(cast):
    old, new = numbers(2)
    data = messy.xlsx(
        ("旧名单", [["姓名", "证件号码"], ["旧人员", old]]),
        ("名单", [["姓名", "证件号码"], ["新人员", new]]),
        hidden=("旧名单",),
    )
    commit(cast, preview(cast, data))
    assert Person.objects.filter(id_number=new).exists()
    assert not Person.objects.filter(id_number=old).exists()


def test_two_sheets_each_with_a_list_are_refused_not_half_read(cast):
    a, b = numbers(2)
    data = messy.xlsx(
        ("内科", [["姓名", "证件号码"], ["张三", a]]),
        ("外科", [["姓名", "证件号码"], ["李四", b]]),
    )
    with pytest.raises(DomainError) as refused:
        preview(cast, data)
    assert refused.value.code == "FILE_MANY_SHEETS"
    assert "“内科”、“外科”" in refused.value.message and "合并到一个工作表" in refused.value.message


def test_rows_the_template_numbered_in_advance_are_blank(cast):
    [a] = numbers(1)
    rows = [[1, "张三", "", a, "内科", "护师", ""], *([n] for n in range(2, 50))]
    record = preview(cast, messy.xlsx(("名单", messy.sheet_rows(HEADERS, rows, footer=[]))))
    assert record.errors == []
    assert record.total_rows == 1


def test_id_numbers_that_excel_rounded_are_refused_by_row_and_column(cast):
    a, b = numbers(2)
    rows = [
        [1, "张三", "", a, "内科", "护师", ""],
        [2, "李四", "", float(b), "内科", "护师", ""],  # Excel keeps 15 digits
        [3, "王五", "", "4.30102E+17", "内科", "护师", ""],  # the same, saved as text
        [4, "赵六", "", a[:17], "内科", "护师", "1.38E+10"],
    ]
    record = preview(cast, messy.xlsx(("名单", messy.sheet_rows(HEADERS, rows))))
    assert record.state == StaffImport.State.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in record.errors}
    column = "身份证号码\n（18位）"
    assert set(found) == {(3, column), (4, column), (5, column), (5, "手机号码(必填)")}
    assert "15位有效数字" in found[(3, column)] and "15位有效数字" in found[(4, column)]
    assert "应为18位，当前为17位" in found[(5, column)]
    assert "15位有效数字" in found[(5, "手机号码(必填)")]
    assert not Person.objects.filter(id_number=a).exists()


def test_duplicates_and_a_person_of_another_unit_are_named(cast):
    a, b = numbers(2)
    other = Person.objects.create(
        unit=cast.county_hospital, id_type=IdType.RESIDENT, id_number=b, name="李四"
    )
    rows = [
        [1, "张三", "", a, "内科", "护师", ""],
        [2, "张三", "", messy.spaced(a), "内科", "护师", ""],  # the same person, spaced out
        [3, "李四", "", b, "内科", "护师", ""],
    ]
    record = preview(cast, messy.xlsx(("名单", messy.sheet_rows(HEADERS, rows))))
    assert messy.messages(record) == [
        "第3行 身份证号码\n（18位）：与第2行的证件号码重复。",
        "第4行 身份证号码\n（18位）：该人员属于“{u}”，须由原单位调出后再调入。".format(
            u=other.unit.name
        ),
    ]
    assert not Person.objects.filter(id_number=a).exists()


def test_an_old_xls_file(cast):
    [a] = numbers(1)
    [x] = numbers(1, ending="X")
    cells = messy.sheet_rows(
        ["序号", "姓名", "证件号", "手机"],
        [[1, "张三", a, 13800000001.0], [2, "李四", x.lower(), "13800000002"]],
        title="人员名单",
    )
    record = preview(cast, messy.xls(cells), "名单.xls")
    assert record.errors == []
    commit(cast, record)
    assert Person.objects.get(id_number=x).phone == "13800000002"
    assert Person.objects.get(id_number=a).phone == "13800000001"


def test_an_old_xls_file_with_the_id_as_a_number_is_refused(cast):
    [a] = numbers(1)
    cells = [["姓名", "证件号码"], ["张三", int(a)]]
    record = preview(cast, messy.xls(cells), "名单.xls")
    assert [(e["row"], e["column"]) for e in record.errors] == [(2, "证件号码")]
    assert "15位有效数字" in record.errors[0]["message"]


def test_a_gb18030_csv_with_numbers_kept_as_text(cast):
    a, b = numbers(2)
    cells = messy.sheet_rows(
        ["序号", "姓名", "身份证号", "科室", "联系电话"],
        [
            [1, "张三", '="{n}"'.format(n=a), "内科", "\t13800000001"],  # a HIS export
            [2, "欧阳·娜娜", "'" + b, "外科", "13800000002"],
        ],
        title="人员名单",
    )
    record = preview(cast, messy.gb18030_csv(cells), "名单.csv")
    assert record.errors == []
    commit(cast, record)
    assert Person.objects.get(id_number=a).phone == "13800000001"
    assert Person.objects.get(id_number=b).name == "欧阳·娜娜"


def test_a_formula_in_a_csv_is_still_refused(cast):
    [a] = numbers(1)
    cells = [["姓名", "证件号码", "科室"], ["张三", a, '=HYPERLINK("http://x","y")']]
    record = preview(cast, messy.gb18030_csv(cells), "名单.csv")
    assert [(e["row"], e["column"]) for e in record.errors] == [(2, "科室")]


def test_five_thousand_rows_with_three_bad_ones(cast):
    good = numbers(5000, seed=41)
    rows = [[i + 1, "人员{}".format(i), "", n, "内科", "护师", ""] for i, n in enumerate(good)]
    rows[99][3] = good[99][:-1] + ("0" if good[99][-1] != "0" else "1")  # a wrong check digit
    rows[2499][6] = "1380000"  # a short phone number
    rows[4999][5] = "主任"  # no such title
    started = time.monotonic()
    record = preview(cast, messy.xlsx(("名单", messy.sheet_rows(HEADERS, rows, title="名单"))))
    assert time.monotonic() - started < 60
    assert record.total_rows == 5000
    assert [(e["row"], e["column"]) for e in record.errors] == [
        (103, "身份证号码\n（18位）"),
        (2503, "手机号码(必填)"),
        (5003, "职称"),
    ]
    assert "校验位错误" in record.errors[0]["message"]
    assert "“1380000”格式不正确" in record.errors[1]["message"]
    assert "职称“主任”无法识别" in record.errors[2]["message"]
    with pytest.raises(DomainError):
        commit(cast, record)
    assert not Person.objects.filter(id_number__in=good[:10]).exists()


def test_the_template_example_row_left_in_is_named_not_imported(cast):
    from cme.people.imports import staff_template

    record = preview(cast, staff_template(), name="人员导入模板.xlsx")
    assert [(e["row"], e["column"]) for e in record.errors] == [(2, "证件号码")]
    assert "模板示例行" in record.errors[0]["message"]
    assert not Person.objects.filter(id_number="11010519491231002X").exists()
