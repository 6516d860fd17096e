"""SPEC §9: a year's approved list is public and searchable, with the public columns, and
downloads as Excel."""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from cme.core.errors import PermissionDenied
from cme.orgs.models import Region
from cme.policy.models import Discipline
from cme.projects import actions
from cme.projects.models import Level, PlannedSession, Project, State


def make(cast, name, state=State.APPROVED, level=Level.PROVINCIAL, number=None, year=2024):
    project = Project.objects.create(
        year=year,
        level=level,
        name=name,
        sponsor=cast.city_hospital,
        declared_by=cast.city_hospital,
        created_by=cast.users["city_admin"],
        state=state,
        number=number,
        leader=cast.persons["doctor"],
        leader_phone="13800000000",
        audience="基层医师",
        expected_participants=200,
        credits=5,
        discipline=Discipline.objects.get(year=2022, secondary_code="04", tertiary_code="08"),
    )
    PlannedSession.objects.create(
        project=project,
        starts_on=datetime.date(2024, 5, 10),
        ends_on=datetime.date(2024, 5, 12),
        region=Region.objects.get(code="430102"),
        address="长沙市第一医院学术报告厅",
    )
    return project


def test_publishing_makes_the_approved_list_public_without_login(cast, client):
    make(cast, "急危重症救治新进展", number="2024-04-08-001(湘)")
    make(cast, "草稿项目", state=State.UNDER_REVIEW)
    assert client.get(reverse("public_projects")).content.decode().count("急危重症救治新进展") == 0
    assert actions.publish_year(2024, Level.PROVINCIAL, actor=cast.users["province"]) == 1
    body = client.get(reverse("public_projects") + "?year=2024&sponsor=第一医院").content.decode()
    assert "急危重症救治新进展" in body and "2024-04-08-001(湘)" in body and "草稿项目" not in body
    assert "湖南省长沙市芙蓉区 长沙市第一医院学术报告厅" in body


def test_only_the_approving_office_publishes(cast):
    with pytest.raises(PermissionDenied):
        actions.publish_year(2024, Level.PROVINCIAL, actor=cast.users["changsha"])
    with pytest.raises(PermissionDenied):
        actions.publish_year(2024, Level.NATIONAL, actor=cast.users["province"])


def test_search_by_words_number_and_leader_and_download(cast, client):
    make(cast, "心力衰竭诊治规范", state=State.PUBLISHED, number="2024-04-08-002(湘)")
    make(cast, "护理质量管理", state=State.PUBLISHED, number="2024-04-08-003(湘)")
    url = reverse("public_projects")
    assert "护理质量管理" not in client.get(url + "?q=心力衰竭").content.decode()
    assert "心力衰竭诊治规范" in client.get(url + "?number=002").content.decode()
    assert "护理质量管理" in client.get(url + "?leader=王建国").content.decode()
    response = client.get(url + "?year=2024&export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[0][:4] == ["学科名称", "项目编号", "项目名称", "申办单位"]
    assert {r[2] for r in rows[1:]} == {"心力衰竭诊治规范", "护理质量管理"}
    assert rows[1][7] == "3"  # days of the session


def test_the_office_publishes_from_the_list_page(cast, login):
    make(cast, "待公布项目", number="2024-04-08-009(湘)")
    assert (
        login("changsha")
        .post(reverse("projects:publish"), {"year": 2024, "level": "provincial"})
        .status_code
        == 403
    )
    response = login("province").post(
        reverse("projects:publish"), {"year": 2024, "level": "provincial"}, follow=True
    )
    assert "已公布2024年度省级项目1项" in response.content.decode()
    assert Project.objects.get(name="待公布项目").state == State.PUBLISHED


def test_the_public_list_is_in_the_api_without_a_token(cast, client):
    make(cast, "心力衰竭诊治规范", state=State.PUBLISHED, number="2024-04-08-002(湘)")
    body = client.get("/api/v1/public/projects?year=2024&q=心力衰竭").json()
    assert body["count"] == 1 and body["items"][0]["项目编号"] == "2024-04-08-002(湘)"


def test_the_public_list_heads_its_columns_in_the_chosen_language(cast, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("public_projects")).content.decode()
    for text in ["Discipline name", "Project number", "Days", "Credits awarded to learners"]:
        assert f">{text}</th>" in body, text
    assert ">学科名称</th>" not in body and ">项目编号</th>" not in body
    # the Excel list keeps the columns of the published form whatever the page's language
    download = client.get(reverse("public_projects"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert next(sheet.iter_rows(values_only=True))[:2] == ("学科名称", "项目编号")
