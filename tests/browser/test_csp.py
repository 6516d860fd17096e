"""Issue 8 §5 "hostile input": every page is served under a strict Content-Security-Policy
(nothing inline, nothing from elsewhere). The main pages of several roles load without a
single violation, and the behaviours that used to be inline handlers still work."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.projects.models import State
from cme.projects.tests.factories import bare_project
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def watch(page: Page) -> list[str]:
    """Everything the browser reports about the policy, from the console and the DOM event."""
    reported: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and reported.append(f"{page.url}: {m.text}"),
    )
    page.on("pageerror", lambda e: reported.append(f"{page.url}: {e}"))
    return reported


def violations_here(page: Page) -> list[str]:
    return [f"{page.url}: {v}" for v in page.evaluate("window.__cspViolations || []")]


def nav_hrefs(page: Page) -> list[str]:
    return page.locator("#nav a.nav-link").evaluate_all("links => links.map(a => a.href)")


@pytest.mark.parametrize(
    "username", ["province", "changsha", "city_admin", "society_admin", "learner"]
)
def test_every_page_of_the_navigation_loads_without_a_policy_violation(
    page, live_server, live_cast, username
):
    year = timezone.localdate().year
    bare_project(live_cast, name="长沙完成项目", year=year, state=State.COMPLETED)
    reported = watch(page)
    log_in(page, live_server.url, username, live_cast.password)
    expect(page.locator("#nav")).to_be_visible()
    seen = violations_here(page)
    hrefs = nav_hrefs(page)
    assert len(hrefs) >= 4
    for href in hrefs:
        response = page.goto(href)
        assert response.status == 200, href
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("networkidle")
        seen += violations_here(page)
        if "/stats/" in href:  # the charts' tooltips render inside the canvas, not as HTML
            chart = page.locator("#chart-declarations")
            expect(chart.locator("canvas")).to_have_count(1)
            box = chart.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6)
            seen += violations_here(page)
    assert seen == []
    assert reported == []


def test_the_former_inline_handlers_still_work(page, live_server, live_cast):
    """Auto-submitting selects and confirm buttons are data attributes read by cme.js."""
    year = timezone.localdate().year
    bare_project(live_cast, name="待公布项目", year=year, state=State.APPROVED)
    reported = watch(page)
    log_in(page, live_server.url, "province", live_cast.password)

    # the language select submits itself
    page.get_by_label("Language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # the dashboard's year select submits itself
    page.goto(live_server.url + "/stats/")
    page.get_by_label("年度").select_option(str(year - 1))
    expect(page).to_have_url(re.compile(rf"year={year - 1}"))

    # publishing asks first: dismissed, nothing happens; accepted, the year is published
    page.goto(live_server.url + "/projects/")
    messages: list[str] = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.get_by_role("button", name="公布已批准项目").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert messages == ["公布后项目名单对公众可见，确定公布？"]
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="公布已批准项目").click()
    expect(page.get_by_role("alert")).to_be_visible()

    # the notices' state filter submits itself
    page.goto(live_server.url + "/notices/manage/")
    page.get_by_label("状态").select_option(index=1)
    expect(page).to_have_url(re.compile(r"state=\w+"))

    assert violations_here(page) == []
    assert reported == []
    log_out(page)
