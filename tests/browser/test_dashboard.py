"""Issue 7 "How it is checked": the city's dashboard — a chart renders (a canvas, no console
errors), a click on it leads to the list behind the figure, and the list exports to Excel."""

import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from cme.projects.models import State
from cme.projects.tests.factories import bare_project
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import log_in, nav

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_the_city_dashboard_chart_leads_to_its_list_and_the_list_exports(
    page, live_server, live_cast
):
    year = timezone.localdate().year
    for n in range(3):
        bare_project(live_cast, name=f"长沙完成项目{n}", year=year, state=State.COMPLETED)
    bare_project(
        live_cast,
        name="株洲项目",
        year=year,
        state=State.APPROVED,
        sponsor=live_cast.zhuzhou_hospital,
    )
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))

    log_in(page, live_server.url, "changsha", live_cast.password)
    nav(page, "统计分析")
    expect(
        page.get_by_role("heading", name="长沙市卫生健康委员会 继续医学教育统计")
    ).to_be_visible()
    expect(page.locator(".total-completed")).to_have_text("3")
    chart = page.locator("#chart-declarations")
    expect(chart.locator("canvas")).to_have_count(1)
    assert errors == []

    # the bar of 省级 · 已完成 fills the middle of the chart: click it
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6)
    expect(page.get_by_role("heading", name=f"{year}年度项目")).to_be_visible()
    rows = page.locator("#projects tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#projects")).to_contain_text("长沙完成项目0")
    expect(page.locator("#projects")).not_to_contain_text("株洲项目")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    names = sorted(r[1].value for r in book.active.iter_rows(min_row=2))
    assert names == ["长沙完成项目0", "长沙完成项目1", "长沙完成项目2"]
    assert errors == []
