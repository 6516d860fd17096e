"""Journey 1: a hospital imports its staff, transfers one out, a county hospital takes them in."""

import random
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from cme.demo.builders import resident_id
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import assert_no_full_id, log_in, log_out, mask, nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

STAFF = [
    ("张伟", "内科", "主治医师", "13900000001"),
    ("陈静", "外科", "主管护师", "13900000002"),
    ("刘洋", "儿科", "医师", "13900000003"),
]


def staff_workbook(path):
    """The hospital's own list: a merged title over row 1, the headers on row 2."""
    rng = random.Random(7)
    numbers = []
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人员名单"
    sheet["A1"] = "长沙市第一医院人员名单"
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "姓名", "性别", "证件号码", "科室", "职称", "手机号码"])
    for i, (name, department, title, phone) in enumerate(STAFF, start=1):
        number = resident_id(rng, "430102")
        numbers.append(number)
        sex = "男" if int(number[16]) % 2 else "女"
        sheet.append([i, name, sex, number, department, title, phone])
    for row in range(3, 3 + len(STAFF)):
        sheet.cell(row=row, column=4).number_format = "@"
    book.save(path)
    return numbers


def test_import_transfer_out_and_in(page, live_server, live_cast, tmp_path):
    base = live_server.url
    workbook = tmp_path / "长沙市第一医院人员名单.xlsx"
    numbers = staff_workbook(workbook)
    assert len(set(numbers)) == 3
    moving, moving_name = numbers[0], STAFF[0][0]

    # --- the city hospital's admin logs in through the form ---
    log_in(page, base, "city_admin", live_cast.password)
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", name="长沙市第一医院")).to_be_visible()
    expect(page.get_by_text("在册人员")).to_be_visible()

    # --- import the staff list: template download, upload, preview, commit ---
    nav(page, "导入人员")
    expect(page).to_have_url(base + "/people/import/")
    expect(page.get_by_role("heading", name="导入人员名单：长沙市第一医院")).to_be_visible()
    template_link = page.get_by_role("link", name="人员名单模板.xlsx")
    expect(template_link).to_have_attribute("href", "/people/import/template.xlsx")
    with page.expect_download() as download_info:
        template_link.click()
    assert download_info.value.suggested_filename == "人员名单模板.xlsx"

    page.get_by_label("人员名单文件").set_input_files(workbook)
    page.get_by_role("button", name="上传并检查").click()
    expect(page).to_have_url(re.compile(r"/people/import/\d+/$"))
    expect(page.get_by_role("heading", name=re.compile("导入检查"))).to_contain_text("待确认")
    summary = page.locator("main p").first
    expect(summary).to_contain_text("共 3 行数据")
    expect(summary).to_contain_text("新增 3 人")
    confirm = page.get_by_role("button", name="确认导入")
    expect(confirm).to_be_visible()
    assert_no_full_id(page, *numbers)
    confirm.click()
    expect(page.get_by_role("alert")).to_contain_text("导入完成：新增3人，更新0人，未变化0人。")
    expect(page.get_by_role("heading", name=re.compile("导入检查"))).to_contain_text("已导入")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)

    nav(page, "人员")
    expect(page.get_by_role("heading", name="人员", exact=True)).to_be_visible()
    for name, *_ in STAFF:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=moving_name)).to_contain_text(mask(moving))
    assert_no_full_id(page, *numbers)
    page.get_by_role("link", name=moving_name, exact=True).click()
    expect(page.get_by_role("heading", name=moving_name)).to_be_visible()
    expect(page.locator("#id-number")).to_have_text(mask(moving))
    expect(page.get_by_role("row", name=re.compile("工作单位"))).to_contain_text("长沙市第一医院")
    assert_no_full_id(page, *numbers)

    # --- transfer one person out, to whichever unit takes them ---
    nav(page, "人员调动")
    expect(page.get_by_role("heading", name="人员调动")).to_be_visible()
    page.get_by_role("link", name="调出人员").click()
    expect(page).to_have_url(base + "/people/transfers/out/")
    expect(page.get_by_role("heading", name="调出人员：长沙市第一医院")).to_be_visible()
    page.get_by_label("证件号码").fill(moving)
    page.get_by_role("button", name="确认调出").click()
    expect(page).to_have_url(re.compile(r"/people/transfers/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"已调出 {moving_name}，等待新单位调入。")
    expect(page.get_by_role("heading", name=re.compile("人员调动"))).to_contain_text("待调入")
    expect(page.get_by_role("row", name=re.compile("调入单位"))).to_contain_text("待定")
    assert_no_full_id(page, *numbers)
    log_out(page)

    # --- the county hospital takes the person in by ID number ---
    log_in(page, base, "county_admin", live_cast.password)
    expect(page.get_by_role("heading", name="长沙市芙蓉区人民医院")).to_be_visible()
    page.goto(base + "/people/transfers/in/")
    expect(page.get_by_role("heading", name="调入人员：长沙市芙蓉区人民医院")).to_be_visible()
    page.get_by_label("证件号码").fill(moving)
    page.get_by_role("button", name="查询").click()
    found = page.locator(".card.border-success")
    expect(found).to_contain_text(moving_name)
    expect(found).to_contain_text(mask(moving))
    expect(found).to_contain_text("长沙市第一医院")
    assert_no_full_id(page, *numbers)  # only the input keeps what the user typed
    found.get_by_role("button", name="确认调入本单位").click()
    expect(page).to_have_url(re.compile(r"/people/transfers/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"已调入 {moving_name}。")
    expect(page.get_by_role("row").filter(has_text=moving_name)).to_contain_text("已调入")
    assert_no_full_id(page, *numbers)

    # --- the person is now on the county hospital's list, ID masked everywhere ---
    nav(page, "人员")
    row = page.get_by_role("row").filter(has_text=moving_name)
    expect(row).to_contain_text("长沙市芙蓉区人民医院")
    expect(row).to_contain_text(mask(moving))
    expect(page.get_by_role("link", name=STAFF[1][0], exact=True)).to_have_count(0)
    assert_no_full_id(page, *numbers)
    row.get_by_role("link", name=moving_name).click()
    expect(page.get_by_role("heading", name=moving_name)).to_be_visible()
    expect(page.locator("#id-number")).to_have_text(mask(moving))
    expect(page.get_by_role("row", name=re.compile("工作单位"))).to_contain_text(
        "长沙市芙蓉区人民医院"
    )
    transfers = page.locator(".card").filter(has_text="调动").get_by_role("listitem")
    expect(transfers).to_contain_text(["长沙市第一医院 → 长沙市芙蓉区人民医院 · 已调入"])
    assert_no_full_id(page, *numbers)
