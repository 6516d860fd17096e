"""The pages: a unit's plans with the HTMX row editor, the import, the city's queue and
decisions, the work report and the city's list with its export — each tried with the
wrong role, another city's object and the right role."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.plans import actions
from cme.plans.models import PlanImport, TrainingPlan
from cme.plans.tests.helpers import ROW, good_row, plan_of, with_rows, xlsx


def test_a_unit_starts_a_plan_and_adds_a_row_with_the_htmx_editor(login, cast):
    row_in = ROW | {"mode": "offline"}  # the select's value
    client = login("city_admin")
    assert client.get(reverse("plans:list")).status_code == 200
    response = client.post(reverse("plans:list"), {"year": 2025, "half": 1})
    plan = TrainingPlan.objects.get(unit=cast.city_hospital)
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    form = client.get(reverse("plans:row_add", args=[plan.pk]), HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and "<html" not in form.content.decode()
    bad = client.post(
        reverse("plans:row_add", args=[plan.pk]),
        row_in | {"credits": "1.25"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 400 and "一位小数" in bad.content.decode()
    ok = client.post(reverse("plans:row_add", args=[plan.pk]), row_in, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and ROW["name"] in ok.content.decode()
    row = plan.rows.get()
    client.post(reverse("plans:row_delete", args=[row.pk]), HTTP_HX_REQUEST="true")
    assert not plan.rows.exists()


def test_the_import_pages_preview_then_commit(login, cast):
    plan = plan_of(cast)
    client = login("city_admin")
    assert client.get(reverse("plans:template")).status_code == 200
    response = client.post(
        reverse("plans:import_upload", args=[plan.pk]),
        {"file": SimpleUploadedFile("计划.xlsx", xlsx([good_row(1), good_row(2)]))},
    )
    record = PlanImport.objects.get()
    assert response["Location"] == reverse("plans:import", args=[record.pk])
    assert "确认导入" in client.get(response["Location"]).content.decode()
    client.post(reverse("plans:import_commit", args=[record.pk]))
    assert plan.rows.count() == 2


def test_the_city_decides_on_the_page_and_another_city_gets_404(login, cast):
    plan = with_rows(cast, plan_of(cast), n=2)
    actions.submit_plan(plan, actor=cast.users["city_admin"])
    zhuzhou = login("zhuzhou")
    for name in ["plans:detail", "plans:import_upload"]:
        assert zhuzhou.get(reverse(name, args=[plan.pk])).status_code == 404, name
    assert zhuzhou.post(reverse("plans:approve_all", args=[plan.pk])).status_code == 404
    assert "长沙市第一医院" not in zhuzhou.get(reverse("plans:review_queue")).content.decode()
    assert login("city_admin").get(reverse("plans:review_queue")).status_code == 403
    client = login("changsha")
    assert "长沙市第一医院" in client.get(reverse("plans:review_queue")).content.decode()
    assert "全部同意" in client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    second = plan.rows.get(number=2)
    client.post(reverse("plans:decide", args=[plan.pk]), {"row": second.pk, "approve": "0"})
    second.refresh_from_db()
    assert second.decision == "pending"  # a refusal without a reason is refused
    client.post(reverse("plans:approve_all", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.state == TrainingPlan.State.DECIDED
    body = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "2025-00-00-001(长沙市)" in body


def _rows(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_work_report_page_and_the_citys_list_with_export(login, cast):
    client = login("furong")
    assert client.get(reverse("plans:work_report")).status_code == 200
    client.post(
        reverse("plans:work_report"),
        {"year": 2025, "text": "", "file": SimpleUploadedFile("总结.pdf", b"%PDF-1.4\n")},
    )
    report = cast.furong.work_reports.get()
    assert client.get(reverse("plans:work_report_file", args=[report.pk])).status_code == 200
    assert (
        login("zhuzhou").get(reverse("plans:work_report_file", args=[report.pk])).status_code == 404
    )
    assert login("city_admin").get(reverse("plans:work_report_status")).status_code == 403
    city = login("changsha")
    body = city.get(reverse("plans:work_report_status") + "?year=2025").content.decode()
    assert "长沙市芙蓉区卫生健康局" in body and "未报送" in body
    rows = _rows(city.get(reverse("plans:work_report_status") + "?year=2025&export=xlsx"))
    assert rows[0] == ["单位", "类别", "状态", "提交时间", "截止日期"]
    status = {r[0]: r[2] for r in rows[1:]}
    assert status["长沙市第一医院"] == "未报送"
    assert status["长沙市芙蓉区卫生健康局"] in {"已报送", "逾期报送"}
    zhuzhou = login("zhuzhou").get(reverse("plans:work_report_status")).content.decode()
    assert "长沙" not in zhuzhou.split("<table")[1]


def test_the_nav_shows_the_entries_by_role(login):
    unit = login("city_admin").get(reverse("home")).content.decode()
    assert reverse("plans:list") in unit and reverse("plans:work_report") in unit
    city = login("changsha").get(reverse("home")).content.decode()
    assert reverse("plans:review_queue") in city and reverse("plans:work_report_status") in city
