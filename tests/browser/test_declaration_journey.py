"""Journey 4: a county hospital declares a provincial project on the five tabs; 芙蓉区
approves, 长沙市 returns it with a comment on 需求分析, the hospital fixes it and submits
again, the three reviewers approve, the province publishes and anyone finds it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.policy.models import DeclarationWindow
from cme.projects.actions import publish_year
from cme.projects.models import Attachment, Level
from cme.projects.tests.factories import staff
from tests.browser.conftest import ARTIFACTS, CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import log_in, log_out, nav, pdf_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

NAME = "基层医院急危重症救治新进展学习班"
SEARCH = "急危重症救治"
UNIT = "长沙市芙蓉区人民医院"
LEADER = "周敏"
SECOND = "孙立"
NEEDS = "问卷调查显示基层医院急危重症识别与转运存在差距。"
NEEDS_FIXED = "对全市212名基层医师的问卷调查显示，急危重症早期识别正确率仅为58%。"
COMMENT = "请完善需求分析。"
FIELD_COMMENT = "未说明问卷调查的样本量和结论"
SHOTS = ARTIFACTS / "declaration_journey"


def snap(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def header(page: Page):
    """The row of the title: project name, state badge, year/level/kind, number, actions."""
    return page.locator("main div.d-flex", has=page.locator("h1"))


def state_badge(page: Page):
    return header(page).locator(".badge").first


def findings(page: Page):
    return page.locator("#findings")


def rule_ids(page: Page):
    return findings(page).locator(".finding .badge")


def declared(page: Page, label: str):
    """A row of the declaration's 基本信息 table, by its heading."""
    return page.locator("table.declaration tr").filter(
        has=page.get_by_role("rowheader", name=label, exact=True)
    )


def rule(page: Page, rule_id: str):
    """The findings panel's entries of one rule."""
    return (
        findings(page)
        .locator(".finding")
        .filter(has=page.locator(".badge", has_text=re.compile(f"^{rule_id}$")))
    )


def settle_autosave(page: Page) -> None:
    """The autosave (HTMX, 600 ms after a change) has answered and nothing is on its way, so
    a click on 保存 never runs beside it."""
    expect(findings(page)).to_contain_text("已自动保存")
    expect(page.locator("#tab-form")).not_to_have_class(re.compile(r"\bhtmx-request\b"))


def loaded(page: Page) -> None:
    """The page has finished loading: HTMX (a deferred script) has wired up the autosave
    and the 检查 button only then, so a change made earlier would never be sent."""
    page.wait_for_load_state("load")


def open_tab(page: Page, label: str) -> None:
    page.locator("ul.nav-tabs").get_by_role("link", name=label).click()
    expect(page.locator("ul.nav-tabs .nav-link.active")).to_contain_text(label)
    loaded(page)


def approve(page: Page, base: str, key: str, password: str, stage: str) -> None:
    """`key` logs in, opens the project from 项目审核 and approves it."""
    log_in(page, base, key, password)
    nav(page, "项目审核")
    expect(page.get_by_role("heading", name="项目审核")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(stage)
    expect(row).to_contain_text(UNIT)
    expect(row).to_contain_text(LEADER)
    row.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(state_badge(page)).to_have_text("审核中")
    expect(page.locator(".card.border-primary")).to_contain_text(stage)
    page.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已审核：{NAME} · 通过")
    expect(page.get_by_text("暂无待审核的申报")).to_be_visible()


def test_declare_return_resubmit_approve_publish(page, live_server, live_cast, tmp_path):
    base, password = live_server.url, live_cast.password
    # The live server runs in another thread, so "now" is real: a window open around it.
    year = timezone.localdate().year + 1
    now = timezone.now()
    DeclarationWindow.objects.update_or_create(
        year=year,
        level=Level.PROVINCIAL,
        kind="new",
        owner=live_cast.province,
        defaults={
            "opens_at": now - datetime.timedelta(days=1),
            "closes_at": now + datetime.timedelta(days=30),
        },
    )
    leader = staff(live_cast.county_hospital, LEADER, "副主任医师")
    number = f"{year}-04-08-001(湘)"
    scans = {}
    for name in ("zhou", "sun", *Attachment.Kind.values):
        scans[name] = tmp_path / f"{name}.pdf"
        scans[name].write_bytes(pdf_bytes())

    # --- the county hospital starts a provincial declaration ---
    log_in(page, base, "county_admin", password)
    expect(page.get_by_role("heading", name=UNIT)).to_be_visible()
    nav(page, "项目申报")
    expect(page.get_by_role("heading", name="项目申报")).to_be_visible()
    expect(page.get_by_text("没有符合条件的项目")).to_be_visible()
    page.get_by_role("link", name="新建申报").click()
    expect(page.get_by_role("heading", name=f"新建申报：{UNIT}")).to_be_visible()
    expect(page.get_by_label("项目年度")).to_have_value(str(year))
    page.get_by_label("项目级别").select_option(label="省级")
    page.get_by_label("新申报").check()
    page.get_by_label("项目名称").fill(NAME)
    page.get_by_role("button", name="创建草稿").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+/edit/basic/$"))
    pk = re.search(r"/projects/(\d+)/", page.url).group(1)
    expect(page.get_by_role("alert")).to_contain_text("已创建申报草稿，请逐页填写。")
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(state_badge(page)).to_have_text("草稿")
    expect(header(page)).to_contain_text(f"{year} · 省级 · 新申报")
    for rule_id in ("LEADER_NOT_STAFF", "CONTENT_REQUIRED", "ATTACHMENTS_REQUIRED"):
        expect(rule(page, rule_id).first).to_be_visible()
    snap(page, "01-draft-basic")
    loaded(page)

    # --- 基本信息: saved as the user goes, then with 保存 ---
    page.get_by_label("学科", exact=True).select_option(label="04-08 临床外科学/肿瘤外科学")
    page.get_by_label("本单位为唯一或第一申办单位").check()
    page.get_by_label("教学对象").fill("县级医院急诊科、重症医学科医师")
    page.get_by_label("拟招生人数").fill("100")
    page.get_by_label("举办期数").fill("2")
    page.get_by_label("授予学员学分").fill("0.5")
    page.get_by_label("问卷调查", exact=True).check()
    page.get_by_label("临床实践问题与差距").check()
    page.get_by_label("需求分析", exact=True).fill(NEEDS)
    page.get_by_label("教学目标").fill("学员掌握急危重症的早期识别、初步处置与安全转运。")
    page.get_by_label("考核方式").fill("课后闭卷测试，60分合格。")
    page.get_by_label("收费标准").fill("不收取培训费")
    page.get_by_label("1 参与度").check()
    page.get_by_label("2 满意度").check()
    page.get_by_label("3 知识的学习").check()  # the last change: its autosave has everything
    expect(findings(page)).not_to_contain_text("效果评估须包含")
    expect(findings(page)).not_to_contain_text("请填写需求分析")
    settle_autosave(page)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("已保存。")
    expect(page.get_by_label("需求分析", exact=True)).to_have_value(NEEDS)
    expect(page.get_by_label("3 知识的学习")).to_be_checked()
    expect(rule(page, "CONTENT_REQUIRED")).to_have_count(1)  # no lessons yet
    snap(page, "02-basic-saved")

    # --- 项目负责人: a 副高级 person of the unit; becomes the first teacher ---
    open_tab(page, "项目负责人")
    expect(page.get_by_text("项目负责人须为本单位在职人员、副高级及以上职称")).to_be_visible()
    page.get_by_label("负责人电话").fill("13900000000")
    page.get_by_label("负责人电话").blur()
    page.get_by_label("项目负责人", exact=True).select_option(
        label=f"{LEADER} · 副主任医师 · {leader.department}"
    )
    expect(rule(page, "LEADER_NOT_STAFF")).to_have_count(0)
    settle_autosave(page)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("已保存。")
    expect(page.get_by_label("项目负责人", exact=True).locator("option:checked")).to_have_text(
        f"{LEADER} · 副主任医师 · {leader.department}"
    )

    # --- 课程与教师: the leader and a 主任医师 of the unit, consent and evidence ---
    open_tab(page, "课程与教师")
    expect(page.get_by_text("授课教师", exact=True).first).to_be_visible()
    expect(page.locator("#id_t-0-name")).to_have_value(LEADER)
    expect(page.locator("#id_t-0-unit_name")).to_have_value(UNIT)
    expect(page.locator("#id_t-0-title")).to_have_value("副主任医师")
    expect(page.locator("#id_t-0-is_leader")).to_be_checked()
    page.locator("#id_t-0-specialty").fill("急诊医学")
    page.locator("#id_t-0-consent").check()
    page.locator("#id_t-0-consent_evidence").set_input_files(scans["zhou"])
    page.locator("#id_t-1-name").fill(SECOND)
    page.locator("#id_t-1-unit_name").fill(UNIT)
    page.locator("#id_t-1-title").fill("主任医师")
    page.locator("#id_t-1-specialty").fill("重症医学")
    page.locator("#id_t-1-consent").check()
    page.locator("#id_t-1-consent_evidence").set_input_files(scans["sun"])
    page.locator("#id_l-0-topic").fill("急危重症的早期识别与院前转运")
    page.locator("#id_l-0-teacher").select_option(label=LEADER)
    page.locator("#id_l-0-hours").fill("2")
    page.locator("#id_l-0-kind").select_option(label="理论授课")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("已保存。")
    expect(page.get_by_text("合计 2.0 学时")).to_be_visible()
    # the new teacher can now be chosen for a lesson
    expect(page.locator("#id_t-1-name")).to_have_value(SECOND)
    expect(page.locator("#t-rows").get_by_role("link", name="已上传")).to_have_count(2)
    page.locator("#id_l-1-topic").fill("脓毒症集束化治疗指南解读")
    page.locator("#id_l-1-teacher").select_option(label=SECOND)
    page.locator("#id_l-1-hours").fill("1")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("合计 3.0 学时")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("已保存。")
    expect(page.locator("#id_l-1-teacher option:checked")).to_have_text(SECOND)
    snap(page, "03-courses")

    # --- 期次与地点: two sessions in the project year, in 芙蓉区 ---
    open_tab(page, "期次与地点")
    expect(page.get_by_text("每个项目最多6期，举办地点须在中国内地")).to_be_visible()
    page.get_by_role("button", name="添加期次").click()
    for i, (starts, ends) in enumerate([("04-12", "04-13"), ("09-20", "09-21")]):
        page.locator(f"#id_s-{i}-starts_on").fill(f"{year}-{starts}")
        page.locator(f"#id_s-{i}-ends_on").fill(f"{year}-{ends}")
        page.locator(f"#id_s-{i}-region").select_option(label="长沙市 芙蓉区")
        page.locator(f"#id_s-{i}-address").fill("长沙市芙蓉区人民医院学术报告厅")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("已保存。")
    expect(page.locator("#id_s-1-starts_on")).to_have_value(f"{year}-09-20")
    expect(page.locator("#id_s-1-region option:checked")).to_have_text("长沙市 芙蓉区")

    # --- 附件: 检查 names the missing attachments, nothing else ---
    open_tab(page, "附件")
    expect(page.get_by_text("上传或替换（PDF、JPG、PNG，10MB以内）")).to_be_visible()
    page.get_by_role("button", name="检查").click()
    expect(findings(page)).to_contain_text("未保存")
    expect(rule_ids(page)).to_have_text(["ATTACHMENTS_REQUIRED"])
    expect(findings(page)).to_contain_text("请上传申报附件")
    snap(page, "04-attachments-missing")
    for kind, label in Attachment.Kind.choices:
        row = page.get_by_role("row").filter(has_text=str(label))
        expect(row).to_contain_text("未上传")
        row.locator("input[type=file]").set_input_files(scans[kind])
        row.get_by_role("button", name="上传").click()
        expect(row.get_by_role("button", name="替换")).to_be_visible()
        expect(row).not_to_contain_text("未上传")
    loaded(page)
    page.get_by_role("button", name="检查").click()
    expect(findings(page)).to_contain_text("已检查")
    expect(findings(page)).to_contain_text("未发现问题。")
    expect(rule_ids(page)).to_have_count(0)
    snap(page, "05-attachments-checked")

    # --- detail page: everything shown; 提交 ---
    page.get_by_role("link", name="查看与提交").click()
    expect(page).to_have_url(f"{base}/projects/{pk}/")
    expect(state_badge(page)).to_have_text("草稿")
    expect(declared(page, "学科")).to_contain_text("04-08 临床外科学/肿瘤外科学")
    expect(declared(page, "项目负责人")).to_contain_text(f"{LEADER} · 副主任医师 · {UNIT}")
    expect(declared(page, "教学对象 / 拟招生人数")).to_contain_text(
        "县级医院急诊科、重症医学科医师 / 100"
    )
    expect(declared(page, "举办期数 / 授予学员学分")).to_contain_text("2 / 0.5")
    expect(declared(page, "效果评估层次")).to_contain_text("参与度、满意度、知识的学习")
    expect(page.locator(".total-hours")).to_have_text("3.0")
    expect(page.get_by_text("湖南省长沙市芙蓉区").first).to_be_visible()
    expect(page.locator(".no-findings")).to_have_text("未发现问题。")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("已提交，等待长沙市芙蓉区卫生健康局审核。")
    expect(state_badge(page)).to_have_text("审核中")
    expect(page.get_by_text("当前环节：区县审核（长沙市芙蓉区卫生健康局）")).to_be_visible()
    expect(page.get_by_role("button", name="提交", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    snap(page, "06-submitted")
    log_out(page)

    # --- 芙蓉区 approves; 长沙市 returns it with a comment on 需求分析 ---
    approve(page, base, "furong", password, "区县审核")
    log_out(page)

    log_in(page, base, "changsha", password)
    nav(page, "项目审核")
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("市州形式审查与初步审核")
    row.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page.locator("table.steps")).to_contain_text("长沙市芙蓉区卫生健康局")
    page.get_by_label("退回修改", exact=True).check()
    page.get_by_label("审核意见").fill(COMMENT)
    page.get_by_text("逐项意见（退回时显示在申报表对应栏目旁）").click()
    page.get_by_label("需求分析", exact=True).fill(FIELD_COMMENT)
    snap(page, "07-return")
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已审核：{NAME} · 退回修改")
    expect(page.get_by_text("暂无待审核的申报")).to_be_visible()
    log_out(page)

    # --- the hospital sees the comment beside 需求分析, fixes it, submits again ---
    log_in(page, base, "county_admin", password)
    nav(page, "项目申报")
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row.locator(".badge")).to_have_text("退回修改")
    row.get_by_role("link", name=NAME).click()
    expect(state_badge(page)).to_have_text("退回修改")
    expect(page.locator("table.steps")).to_contain_text(f"需求分析：{FIELD_COMMENT}")
    page.get_by_role("link", name="编辑").click()
    expect(page).to_have_url(f"{base}/projects/{pk}/edit/basic/")
    returned = page.locator(".alert-warning").filter(has_text="退回修改")
    expect(returned).to_contain_text("长沙市卫生健康委员会 于")
    expect(returned).to_contain_text(COMMENT)
    expect(returned.get_by_role("listitem")).to_have_text([f"需求分析：{FIELD_COMMENT}"])
    expect(page.locator("ul.nav-tabs .nav-link.active .badge")).to_have_text("1")
    expect(page.locator("#field-needs_analysis .review-comment")).to_have_text(
        f"审核意见：{FIELD_COMMENT}"
    )
    expect(page.locator("#field-objectives .review-comment")).to_have_count(0)
    snap(page, "08-returned-edit")
    loaded(page)
    needs = page.get_by_label("需求分析", exact=True)
    needs.fill(NEEDS_FIXED)
    needs.blur()
    settle_autosave(page)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("已保存。")
    expect(page.get_by_label("需求分析", exact=True)).to_have_value(NEEDS_FIXED)
    page.get_by_role("link", name="查看与提交").click()
    expect(declared(page, "需求分析")).to_contain_text(NEEDS_FIXED)
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("已提交，等待长沙市芙蓉区卫生健康局审核。")
    expect(state_badge(page)).to_have_text("审核中")
    log_out(page)

    # --- second round: 芙蓉区, 长沙市 and the province approve in turn ---
    approve(page, base, "furong", password, "区县审核")
    log_out(page)
    approve(page, base, "changsha", password, "市州形式审查与初步审核")
    log_out(page)
    approve(page, base, "province", password, "省继教办审核")
    page.get_by_role("link", name="辖区全部申报项目").click()
    expect(page.get_by_role("heading", name="项目申报")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(number)
    expect(row.locator(".badge")).to_have_text("已批准")
    row.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(state_badge(page)).to_have_text("已批准")
    expect(page.locator(".project-number")).to_have_text(number)
    expect(declared(page, "项目编号")).to_contain_text(number)
    steps = page.locator("table.steps")
    expect(steps).to_contain_text(FIELD_COMMENT)  # the record keeps every comment
    expect(steps.locator(".badge")).to_have_text(["通过", "退回修改", "通过", "通过", "通过"])
    snap(page, "09-approved")
    log_out(page)

    # --- publication (no page yet: the action is called directly) ---
    page.goto(f"{base}/public/projects/?year={year}")
    expect(page.get_by_role("heading", name="继续医学教育项目公布名单")).to_be_visible()
    expect(page.get_by_text("没有符合条件的项目")).to_be_visible()  # approved, not published
    loaded(page)  # the live server is idle while the test thread writes
    assert publish_year(year, Level.PROVINCIAL, actor=live_cast.users["province"]) == 1

    page.goto(f"{base}/public/projects/?year={year}")
    expect(page.get_by_role("heading", name="继续医学教育项目公布名单")).to_be_visible()
    page.get_by_label("关键词").fill(SEARCH)
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"[?&]q=%E6%80%A5"))  # q=急…
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(number)
    expect(rows).to_contain_text(NAME)
    expect(rows).to_contain_text(UNIT)
    expect(rows).to_contain_text(LEADER)
    expect(rows).to_contain_text(f"{year}-04-12至{year}-04-13")
    snap(page, "10-public")
