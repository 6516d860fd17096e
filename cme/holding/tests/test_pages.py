"""Issue 5: the holding pages — sessions up to the approved number, pre-event reports with
their lead times (003 §十: the city 7 days before; 001: the province 14 days before for a
national project), late reports flagged to the unit and the authority, the 举办报备表 of
003 附件1 as Excel and PDF, and scope (another city sees nothing)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.core.pdf import font_path
from cme.holding import actions
from cme.orgs.models import Region
from cme.projects.models import State
from cme.projects.tests.factories import national_declaration, valid_declaration

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
ADDRESS = "长沙市第一医院学术报告厅"
FILING_COLUMNS = [
    "举办单位",
    "项目编号",
    "项目名称",
    "举办时间",
    "举办地点",
    "培训人数",
    "拟授学分",
    "备注",
]


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% test\n", content_type="application/pdf")


def approved(project, number="2024-04-08-001(湘)"):
    project.state, project.number = State.APPROVED, number
    project.save(update_fields=["state", "number"])
    return project


def add(cast, project, start=datetime.date(2024, 5, 10)):
    return actions.add_session(
        project,
        actor=cast.users["city_admin"],
        starts_on=start,
        ends_on=start + datetime.timedelta(days=1),
        region=Region.objects.get(code="430102"),
        address=ADDRESS,
        expected_participants=120,
        credits=Decimal("0.7"),
    )


def session_post(start: str, end: str) -> dict:
    return {
        "starts_on": start,
        "ends_on": end,
        "region": "430102",
        "address": ADDRESS,
        "mode": "offline",
        "expected_participants": "120",
        "credits": "0.7",
    }


@pytest.fixture
def project(cast):
    return approved(valid_declaration(cast))


def sessions_url(project) -> str:
    return reverse("holding:project_sessions", args=[project.pk])


def test_a_unit_adds_sessions_up_to_the_approved_number(login, project):
    client = login("city_admin")
    page = client.get(sessions_url(project)).content.decode()
    assert "批准举办 2 期，已安排 0 期" in page
    for start, end in [("2024-05-10", "2024-05-11"), ("2024-09-20", "2024-09-21")]:
        response = client.post(sessions_url(project), session_post(start, end))
        assert response.status_code == 302
    page = client.get(sessions_url(project)).content.decode()
    assert "批准举办 2 期，已安排 2 期" in page
    assert "已安排批准的 2 期，不能再增加" in page
    response = client.post(sessions_url(project), session_post("2024-11-01", "2024-11-02"))
    assert response.status_code == 200
    assert "该项目批准举办2期，已安排2期，不能再增加。" in response.content.decode()
    assert project.held_sessions.count() == 2


def test_online_needs_the_written_application(login, project):
    data = session_post("2024-05-10", "2024-05-11") | {"mode": "online"}
    response = login("city_admin").post(sessions_url(project), data)
    assert response.status_code == 200
    assert "改为线上须上传" in response.content.decode()
    assert project.held_sessions.count() == 0


@time_machine.travel(datetime.datetime(2024, 4, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_a_changsha_session_owes_the_city_its_filing_form_a_week_before(cast, login, project):
    add(cast, project)
    page = login("city_admin").get(sessions_url(project)).content.decode()
    assert "向市卫健委报送举办报备表" in page
    assert "长沙市卫生健康委员会" in page
    assert "2024-05-03" in page and "（提前7天）" in page
    assert "向举办地省级继教委报备" not in page
    assert "未报备" in page and "不能授予学分" in page
    assert "table-danger" not in page  # not overdue yet


@time_machine.travel(datetime.datetime(2024, 4, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_a_national_session_also_reports_to_the_province_two_weeks_before(cast, login):
    project = approved(national_declaration(cast), number="2024-04-08-001(国)")
    add(cast, project)
    page = login("city_admin").get(sessions_url(project)).content.decode()
    assert "向举办地省级继教委报备" in page and "湖南省卫生健康委员会" in page
    assert "2024-04-26" in page and "（提前14天）" in page
    assert "2024-05-03" in page


def test_a_late_report_is_flagged_to_the_unit_and_the_authority(cast, login, client, project):
    session = add(cast, project)
    with time_machine.travel(datetime.datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(cast.users["city_admin"])
        page = client.get(sessions_url(project)).content.decode()
        assert "table-danger" in page  # due 05-03, nothing filed
        url = reverse("holding:pre_report_submit", args=[session.pk, "city"])
        prefix = "{s}-city-".format(s=session.pk)
        response = client.post(
            url,
            {prefix + "notice": pdf("通知.pdf"), prefix + "schedule": pdf("日程.pdf")},
            follow=True,
        )
    page = response.content.decode()
    assert "已标记为逾期报备" in page
    assert "逾期报备" in page and "可授予学分" in page
    report = session.pre_reports.get()
    assert report.late and report.authority == cast.changsha

    listing = login("changsha").get(reverse("holding:pre_reports")).content.decode()
    assert project.name in listing and "2024-04-08-001(湘)" in listing and "逾期" in listing
    assert project.name in login("province").get(reverse("holding:pre_reports")).content.decode()
    late_only = login("changsha").get(reverse("holding:pre_reports"), {"late": "1"})
    assert project.name in late_only.content.decode()
    other_month = login("changsha").get(reverse("holding:pre_reports"), {"month": "2024-06"})
    assert project.name not in other_month.content.decode()
    export = login("changsha").get(reverse("holding:pre_reports"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [c.value for c in sheet[2]][-1] == "逾期"


def test_a_report_filed_in_time_is_not_late(cast, client, project):
    session = add(cast, project)
    client.force_login(cast.users["city_admin"])
    prefix = "{s}-city-".format(s=session.pk)
    with time_machine.travel(datetime.datetime(2024, 4, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        client.post(
            reverse("holding:pre_report_submit", args=[session.pk, "city"]),
            {prefix + "notice": pdf("通知.pdf"), prefix + "schedule": pdf("日程.pdf")},
        )
    assert not session.pre_reports.get().late


def test_another_city_sees_nothing(cast, login, project):
    session = add(cast, project)
    actions.submit_pre_report(
        session,
        actor=cast.users["city_admin"],
        kind="city",
        notice=pdf("通知.pdf"),
        schedule=pdf("日程.pdf"),
    )
    client = login("zhuzhou")
    assert client.get(sessions_url(project)).status_code == 404
    listing = client.get(reverse("holding:pre_reports")).content.decode()
    assert project.name not in listing and "没有收到举办前报备" in listing
    zhuzhou_admin = login("zhuzhou_admin")
    assert zhuzhou_admin.get(sessions_url(project)).status_code == 404
    url = reverse("holding:pre_report_submit", args=[session.pk, "city"])
    assert zhuzhou_admin.post(url, {}).status_code == 404


def test_roles_that_may_not_act_get_403(cast, login, project):
    changsha = login("changsha")
    assert changsha.get(sessions_url(project)).status_code == 200  # in scope: may look
    response = changsha.post(sessions_url(project), session_post("2024-05-10", "2024-05-11"))
    assert response.status_code == 403
    assert changsha.get(reverse("holding:filing_form")).status_code == 403
    assert login("city_admin").get(reverse("holding:pre_reports")).status_code == 403


def test_the_detail_page_links_to_the_sessions_only_once_approved(cast, login, project):
    client = login("city_admin")
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert sessions_url(project) in detail
    draft = valid_declaration(cast, name="尚在申报的项目")
    detail = client.get(reverse("projects:detail", args=[draft.pk])).content.decode()
    assert sessions_url(draft) not in detail
    index = client.get(reverse("holding:index")).content.decode()
    assert project.name in index and "尚在申报的项目" not in index


def test_the_filing_form_is_003_annex_1(cast, login, project):
    add(cast, project)
    response = login("city_admin").get(reverse("holding:filing_form"), {"year": "2024"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "国家级、省级继续医学教育项目举办报备表"
    assert rows[1][0] == "报备单位：长沙市第一医院"
    assert rows[2] == FILING_COLUMNS
    assert rows[3] == [
        "长沙市第一医院",
        "2024-04-08-001(湘)",
        project.name,
        "2024-05-10至2024-05-11",
        "湖南省长沙市芙蓉区" + ADDRESS,
        "120",
        "0.7",
        "省级",
    ]
    assert len(rows) == 4


def test_the_filing_form_pdf_embeds_the_font(cast, login, project):
    add(cast, project)
    response = login("city_admin").get(
        reverse("holding:filing_form"), {"year": "2024", "format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if font_path() == "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc":
        assert b"/FontFile2" in response.content
