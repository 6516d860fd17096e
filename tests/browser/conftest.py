"""Playwright fixtures: Debian's Chromium driven against pytest-django's live server.

No browser is ever downloaded: the tests use /usr/bin/chromium and are skipped without it.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in the test thread; Django
# would otherwise refuse ORM calls made from the test (building the cast, reading rows).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = f"Debian's Chromium ({CHROMIUM}) is not installed; the browser tests use it and never download one"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EXPECT_TIMEOUT_MS = 5_000
ACTION_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so `page` can tell whether the test failed."""
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, request):
    """A fresh context per test (no shared cookies); a screenshot is always saved."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1440, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        report = getattr(request.node, "rep_call", None)
        failed = report is None or report.failed
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        (ARTIFACTS / f"{name}{'' if failed else '-FAILED'}.png").unlink(missing_ok=True)
        tab.screenshot(
            path=str(ARTIFACTS / f"{name}{'-FAILED' if failed else ''}.png"), full_page=True
        )
    finally:
        context.close()


@pytest.fixture
def live_cast(transactional_db):
    """The tests' cast (as /conftest.py's `cast` builds it), committed so the live server's
    thread sees it.

    A transactional test ends by flushing every table, including the regions the data
    migration loaded, so they are loaded again when missing. Serialized rollback cannot
    restore them here: once Playwright has started, the test code runs in another context,
    where Django hands out a fresh connection object without the serialized contents.
    """
    from cme.demo.builders import build_cast
    from conftest import ensure_regions

    ensure_regions()
    return build_cast()
