"""Issue 7 §1: the desk's pages — only authorities, every figure links to its list, every
list exports to Excel, and nothing of another city shows."""

import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cme.projects.models import State
from cme.projects.tests.factories import bare_project

YEAR = 2024


@pytest.fixture
def projects(cast):
    bare_project(cast, name="长沙完成项目", year=YEAR, state=State.COMPLETED)
    bare_project(cast, name="长沙批准项目", year=YEAR, state=State.APPROVED)
    bare_project(
        cast, name="株洲项目", year=YEAR, state=State.APPROVED, sponsor=cast.zhuzhou_hospital
    )


def _rows(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_the_dashboard_is_for_authorities_only(login, cast):
    assert login("city_admin").get(reverse("stats:dashboard")).status_code == 403
    assert login("learner").get(reverse("stats:dashboard")).status_code == 403


def test_every_chart_point_links_to_the_list_behind_it(login, cast, projects):
    client = login("changsha")
    body = client.get(reverse("stats:dashboard"), {"year": YEAR}).content.decode()
    assert "vendor/echarts/echarts.min.js" in body
    charts = json.loads(re.search(r'id="charts-data"[^>]*>(.*?)</script>', body, re.S).group(1))
    [completed] = [s for s in charts["declarations"]["series"] if s["name"] == "已完成"]
    url = next(p for p in completed["data"] if p["value"])["url"]
    listing = client.get(url).content.decode()
    assert "长沙完成项目" in listing and "长沙批准项目" not in listing
    assert (
        "株洲项目" not in body
        and "株洲项目" not in client.get(reverse("stats:projects"), {"year": YEAR}).content.decode()
    )
    for series in ("approval", "execution"):
        for point in charts["areas"][series]:
            assert client.get(point["url"]).status_code == 200
    assert len(charts["months"]["data"]) == 12


def test_every_list_exports_to_excel(login, cast, projects):
    client = login("changsha")
    for name in (
        "stats:projects",
        "stats:units",
        "stats:overdue",
        "stats:credits",
        "stats:audits",
        "stats:indicators",
    ):
        response = client.get(reverse(name), {"year": YEAR, "export": "xlsx"})
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), name
        rows = _rows(response)
        assert rows[0][0], name
    projects = _rows(client.get(reverse("stats:projects"), {"year": YEAR, "export": "xlsx"}))
    assert sorted(r[1] for r in projects[1:]) == ["长沙完成项目", "长沙批准项目"]
    units = _rows(client.get(reverse("stats:units"), {"year": YEAR, "export": "xlsx"}))
    assert units[1][0] == "长沙市第一医院" and units[1][-1] == 50.0


def test_the_api_gives_the_same_figures_to_authorities_only(client, cast, projects):
    from cme.holding.tests.test_api import api

    assert api(client, cast.users["city_admin"])("get", "/stats/dashboard").status_code == 403
    data = api(client, cast.users["changsha"])("get", "/stats/dashboard", {"year": YEAR}).json()
    assert data["declarations"]["provincial"] == {"completed": 1, "approved": 1}
    assert [a["name"] for a in data["areas"] if a["declared"]] == ["长沙市第一医院"]
    assert len(data["credits_by_month"]) == 12
    units = api(client, cast.users["zhuzhou"])("get", "/stats/units", {"year": YEAR}).json()
    assert [(u["name"], u["execution_rate"]) for u in units] == [("株洲市中心医院", "0.0")]


def test_an_authoritys_home_page_shows_its_year_and_links_to_the_desk(login, cast):
    from django.utils import timezone

    year = timezone.localdate().year
    bare_project(cast, name="审核中项目", year=year, state=State.UNDER_REVIEW)
    body = login("changsha").get(reverse("home")).content.decode()
    assert 'id="desk"' in body and reverse("stats:dashboard") in body
    assert f'{reverse("stats:projects")}?year={year}&state=under_review">1</a>' in body
    assert 'id="desk"' not in login("city_admin").get(reverse("home")).content.decode()


def test_every_list_page_shows_its_rows_and_nothing_of_another_city(login, cast, projects):
    import datetime

    from cme.audits.models import AnnualAudit
    from cme.credits.tests.factories import credit
    from cme.holding.tests.factories import held_session

    credit(cast.persons["nurse"], YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    credit(cast.persons["zhuzhou_nurse"], YEAR, "7.0", activity_date=datetime.date(YEAR, 3, 5))
    AnnualAudit.objects.create(
        unit=cast.city_hospital, year=YEAR, state="in_review", staff_count=2, qualified_count=1
    )
    held_session(cast, day=(YEAR, 5, 10))  # its report was due two weeks after 11 May
    client = login("changsha")
    for name, params, shown in [
        ("stats:projects", {"year": YEAR, "state": "approved"}, "长沙批准项目"),
        ("stats:units", {"year": YEAR}, "长沙市第一医院"),
        ("stats:credits", {"year": YEAR, "month": 3}, "长沙市第一医院"),
        ("stats:audits", {"year": YEAR}, "50.0%"),
        ("stats:overdue", {}, "执行情况逾期未报送"),
        ("stats:indicators", {"year": YEAR}, "长沙批准项目"),
    ]:
        body = client.get(reverse(name), params).content.decode()
        assert shown in body, name
        assert "株洲" not in body, name
    overdue = client.get(reverse("stats:overdue")).content.decode()
    assert "未开始填报" in overdue


def test_the_credits_and_audit_lists_come_a_page_at_a_time(login, cast, monkeypatch):
    import datetime

    from cme.credits.tests.factories import credit

    monkeypatch.setattr("cme.stats.views.PER_PAGE", 1)
    credit(cast.persons["nurse"], YEAR, "2.0", activity_date=datetime.date(YEAR, 3, 5))
    credit(cast.persons["county_doctor"], YEAR, "1.0", activity_date=datetime.date(YEAR, 3, 5))
    client = login("changsha")
    credits = client.get(reverse("stats:credits"), {"year": YEAR}).content.decode()
    assert "长沙市第一医院" in credits and "芙蓉区" not in credits
    assert "第 1 / 2 页" in credits and "学分统计于" in credits
    second = client.get(reverse("stats:credits"), {"year": YEAR, "page": 2}).content.decode()
    assert "芙蓉区" in second
    audits = client.get(reverse("stats:audits"), {"year": YEAR}).content.decode()
    assert "第 1 / " in audits
