"""Journey 3: a reviewer of another city sees nothing of Changsha, not even by URL."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.helpers import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]


def test_other_city_gets_not_found(page, live_server, live_cast):
    base = live_server.url
    log_in(page, base, "zhuzhou", live_cast.password)
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", name="株洲市卫生健康委员会")).to_be_visible()

    # its own city's records open
    own = live_cast.persons["zhuzhou_nurse"]
    response = page.goto(f"{base}/people/{own.pk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", name=own.name)).to_be_visible()

    for path in (
        f"/people/{live_cast.persons['nurse'].pk}/",
        f"/people/{live_cast.persons['county_doctor'].pk}/",
        f"/orgs/{live_cast.city_hospital.pk}/",
        f"/orgs/{live_cast.changsha.pk}/",
    ):
        response = page.goto(base + path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="未找到该页面或记录")).to_be_visible()
        expect(page.get_by_text("该记录不存在，或不在您的管理范围内。")).to_be_visible()
        content = page.content()
        assert "长沙市第一医院" not in content, path
        assert "李小红" not in content, path
