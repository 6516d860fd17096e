"""A national new declaration through the city, the province and the national office, with
expert review, numbering (国) and publication from the list page (issue 4 §6, §7, §9, §10)."""

import re

import pytest
from playwright.sync_api import expect

from cme.accounts.models import Role
from cme.demo.builders import user
from cme.projects import actions
from cme.projects.expert_models import Expert
from cme.projects.models import Level, State
from cme.projects.tests.factories import IN_WINDOW, bare_project, valid_declaration
from tests.browser.helpers import log_in, log_out, nav

pytestmark = pytest.mark.browser
NAME = "急性胸痛规范化诊治新进展学习班"


def decide(page, base, key, password, *, open_experts=False):
    log_in(page, base, key, password)
    nav(page, "项目审核")
    page.get_by_role("row").filter(has_text=NAME).get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    if open_experts:
        return
    page.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.get_by_role("alert")).to_contain_text("已审核：{} · 通过".format(NAME))
    log_out(page)


def test_national_declaration_with_expert_review_to_publication(page, live_server, live_cast):
    base, password = live_server.url, live_cast.password
    # a national leader must have led a project before (LEADER_EXPERIENCE)
    bare_project(
        live_cast,
        name="胸痛中心质控培训班",
        year=2023,
        leader=live_cast.persons["doctor"],
        state=State.COMPLETED,
    )
    project = valid_declaration(live_cast, level=Level.NATIONAL)
    actions.submit_declaration(project, actor=live_cast.users["city_admin"], at=IN_WINDOW)
    expert_user = user(
        "chest_expert", "胸痛专家", live_cast.zhuzhou_hospital, Role.EXPERT, password
    )
    Expert.objects.create(
        user=expert_user,
        name="胸痛专家",
        organisation=live_cast.zhuzhou_hospital,
        discipline_codes=["04"],
    )

    decide(page, base, "changsha", password)
    decide(page, base, "province", password)

    # the national office assigns the expert of the discipline group
    decide(page, base, "national", password, open_experts=True)
    page.get_by_role("link", name="指派评审专家").click()
    page.get_by_label(re.compile("胸痛专家")).check()
    page.get_by_role("button", name="指派").click()
    expect(page.get_by_role("alert")).to_contain_text("已指派1位专家")
    log_out(page)

    log_in(page, base, "chest_expert", password)
    nav(page, "我的评审任务")
    page.get_by_role("link", name=NAME).click()
    page.get_by_label("评分（0-100）").fill("88")
    page.get_by_label("评审建议").select_option(label="建议批准")
    page.get_by_label("评审意见").fill("内容前沿，师资合理。")
    page.get_by_role("button", name="提交评审意见").click()
    expect(page.get_by_role("alert")).to_contain_text("评审意见已提交")
    log_out(page)

    decide(page, base, "national", password, open_experts=True)
    expect(page.get_by_text("平均分 88")).to_be_visible()
    page.get_by_label("通过", exact=True).check()
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.get_by_role("alert")).to_contain_text("通过")

    nav(page, "项目审核")
    page.goto(base + "/projects/?year=2024")
    expect(page.get_by_role("row").filter(has_text=NAME)).to_contain_text("2024-04-08-001(国)")
    page.locator("input[name=year]").first.fill("2024")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="公布已批准项目").click()
    expect(page.get_by_role("alert")).to_contain_text("已公布2024年度国家级项目1项")
    log_out(page)

    page.goto(base + "/public/projects/?year=2024&q=急性胸痛")
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("2024-04-08-001(国)")
    expect(row).to_contain_text("长沙市第一医院")
