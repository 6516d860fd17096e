"""Journey 2: a unit applies for an account, the city approves, the unit sets its password."""

import re

import pytest
from playwright.sync_api import expect
from stdnum.cn import uscc

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import log_in, log_out, nav, pdf_bytes, png_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

UNIT = "长沙市岳麓区康复医院"


def test_apply_approve_first_login(page, live_server, live_cast, tmp_path):
    base = live_server.url
    body = "12430100" + "MA4L7QX8N"
    credit_code = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(credit_code)
    licence = tmp_path / "执业许可证.pdf"
    licence.write_bytes(pdf_bytes())
    legal_rep = tmp_path / "法人身份证.png"
    legal_rep.write_bytes(png_bytes())
    agent = tmp_path / "经办人身份证.png"
    agent.write_bytes(png_bytes())

    # --- the public application form, reached from the login page ---
    page.goto(base + "/login/")
    page.get_by_role("link", name="申请单位账户").click()
    expect(page).to_have_url(base + "/accounts/apply/")
    expect(page.get_by_role("heading", name=re.compile("单位账户申请信息表"))).to_be_visible()
    page.locator("#id_unit_name").fill(UNIT)
    page.locator("#id_kind").select_option(label="医疗机构")
    page.locator("#id_region").select_option(value="430104")  # 岳麓区
    page.locator("#id_licensing_authority").select_option(label="长沙市卫生健康委员会")
    page.locator("#id_supervisor_name").fill("长沙市卫生健康委员会")
    page.locator("#id_uscc").fill(credit_code)
    page.locator("#id_science_head").fill("周科长")
    page.locator("#id_science_head_phone").fill("0731-88880000")
    page.locator("#id_admin_name").fill("吴管理")
    page.locator("#id_admin_phone").fill("13700000007")
    page.locator("#id_admin_email").fill("admin@kangfu.example.cn")
    page.locator("#id_licence_scan").set_input_files(licence)
    page.locator("#id_legal_rep_id_scan").set_input_files(legal_rep)
    page.locator("#id_agent_id_scan").set_input_files(agent)
    page.get_by_role("button", name="提交申请").click()

    expect(page).to_have_url(base + "/accounts/apply/status/")
    expect(page.get_by_role("heading", name="单位账户申请进度")).to_be_visible()
    details = page.locator("dl")
    expect(details).to_contain_text(UNIT)
    expect(details).to_contain_text("长沙市卫生健康委员会")
    expect(details.locator(".badge")).to_have_text("待审核")
    reference = details.locator("dd").first.inner_text().strip()
    assert re.fullmatch(r"SQ\d{10}", reference), reference

    # --- the city reviewer approves it; the initial password is shown once ---
    log_in(page, base, "changsha", live_cast.password)
    expect(page.get_by_role("heading", name="长沙市卫生健康委员会")).to_be_visible()
    expect(page.get_by_text("待审核单位账户申请")).to_be_visible()
    nav(page, "账户事务审核")
    expect(page.get_by_role("heading", name="账户事务审核")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(UNIT)
    expect(row).to_contain_text("吴管理")
    expect(row).to_contain_text("待审核")
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"单位账户申请 {reference}")).to_contain_text("待审核")
    expect(page.get_by_role("row", name=re.compile("统一社会信用代码"))).to_contain_text(
        credit_code
    )
    expect(page.get_by_role("row", name=re.compile("所在地区"))).to_contain_text(
        "湖南省长沙市岳麓区"
    )
    page.get_by_label("审核结论").select_option(label="通过")
    page.get_by_role("button", name="提交审核结论").click()

    expect(page.get_by_role("heading", name=f"单位账户申请 {reference}")).to_contain_text("已通过")
    expect(page.get_by_role("alert")).to_contain_text("已审核：已通过")
    once = page.locator(".alert-success").filter(has_text="初始密码（只显示这一次")
    expect(once).to_be_visible()
    password = once.locator("code").inner_text().strip()
    assert len(password) >= 10
    opened = page.locator(".alert-info").filter(has_text="已开通")
    expect(opened).to_contain_text(UNIT)
    account = re.search(r"单位账号\s*(\d+)", opened.inner_text()).group(1)
    expect(page.get_by_role("button", name="提交审核结论")).to_have_count(0)

    page.goto(page.url)  # shown once: opening the application again does not show it
    expect(page.get_by_role("heading", name=f"单位账户申请 {reference}")).to_contain_text("已通过")
    expect(page.get_by_text("初始密码")).to_have_count(0)
    assert password not in page.content()
    log_out(page)

    # --- the new unit's first login must change the initial password ---
    log_in(page, base, account, password)
    expect(page).to_have_url(re.compile(r"/password/$"))
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    expect(
        page.get_by_text("这是他人为您设置的初始密码，请先设置您自己的新密码后再继续使用。")
    ).to_be_visible()
    page.goto(base + "/people/")  # nothing else opens before the password is changed
    expect(page).to_have_url(re.compile(r"/password/$"))
    new_password = "Kangfu-Mima-2026!"
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill(new_password)
    page.locator("#id_new_password2").fill(new_password)
    page.get_by_role("button", name="保存新密码").click()

    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("alert")).to_contain_text("密码已修改。")
    expect(page.get_by_role("heading", name=UNIT)).to_be_visible()
    expect(page.get_by_text("在册人员")).to_be_visible()
    log_out(page)

    # --- and the application's public status now says the account is open ---
    page.goto(base + "/accounts/apply/status/?reference=" + reference + "&phone=13700000007")
    expect(page.locator("dl .badge")).to_have_text("已通过")
    expect(page.get_by_text(f"账户已开通，单位账号为 {account}")).to_be_visible()
