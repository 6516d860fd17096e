"""Pages of spot checks: wrong role 403, another city 404, right role in scope; the draw
previewed then kept; findings with a live total; a failing result leads to the sanction
form pre-filled."""

import io
from urllib.parse import parse_qs, urlparse

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cme.inspections import actions
from cme.inspections.models import SpotCheck, SpotCheckItem
from cme.inspections.tests.conftest import PNG, YEAR, make_expert, scores

TODAY = timezone.localdate().isoformat()


def _post_scores(values: dict, **extra) -> dict:
    data = {"visit_date": TODAY, "summary": "", "session": ""} | extra
    for key, entry in values.items():
        data["score_" + key] = entry["score"]
        data["note_" + key] = entry["note"]
    return data


def test_units_get_403_on_the_draw_pages(login, draw):
    client = login("city_admin")
    assert client.get(reverse("inspections:list")).status_code == 403
    assert client.get(reverse("inspections:new")).status_code == 403
    assert client.get(reverse("inspections:detail", args=[draw.pk])).status_code == 403
    item = draw.items.first()
    assert client.get(reverse("inspections:item", args=[item.pk])).status_code == 404


def test_another_city_gets_404_on_a_changsha_draw(login, draw):
    client = login("zhuzhou")
    item = draw.items.first()
    assert client.get(reverse("inspections:detail", args=[draw.pk])).status_code == 404
    assert (
        client.get(reverse("inspections:detail", args=[draw.pk]) + "?export=xlsx").status_code
        == 404
    )
    assert client.post(reverse("inspections:assign", args=[draw.pk])).status_code == 404
    for name in ("item", "item_upload", "item_total"):
        method = client.get if name == "item" else client.post
        assert method(reverse("inspections:" + name, args=[item.pk])).status_code == 404, name
    assert "长沙" not in client.get(reverse("inspections:list")).content.decode()


def test_changsha_and_the_province_see_it_only_changsha_manages(login, draw):
    body = login("changsha").get(reverse("inspections:detail", args=[draw.pk])).content.decode()
    assert "复核一致" in body and 'id="assign-form"' in body
    body = login("province").get(reverse("inspections:detail", args=[draw.pk])).content.decode()
    assert "复核一致" in body and 'id="assign-form"' not in body


def test_a_draw_is_previewed_then_kept_with_the_same_seed(login, changsha_projects):
    client = login("changsha")
    page = client.get(reverse("inspections:new")).content.decode()
    assert 'name="seed"' in page
    data = {"year": YEAR, "levels": ["provincial", "city"], "rate_percent": "50", "seed": "777"}
    preview = client.post(reverse("inspections:new"), data | {"action": "preview"})
    assert "候选项目10个，抽中5个" in preview.content.decode()
    assert not SpotCheck.objects.exists()
    response = client.post(reverse("inspections:new"), data | {"action": "save"})
    spot_check = SpotCheck.objects.get()
    assert response.url == reverse("inspections:detail", args=[spot_check.pk])
    assert spot_check.seed == 777 and spot_check.items.count() == 5
    names = {i.project.name for i in spot_check.items.all()}
    assert all(name in preview.content.decode() for name in names)


def test_the_draw_form_asks_for_one_size(login, changsha_projects):
    response = login("changsha").post(
        reverse("inspections:new"),
        {"year": YEAR, "levels": ["provincial"], "seed": "1", "action": "preview"},
    )
    assert "二者选其一" in response.content.decode()


def test_assign_then_the_inspector_records_and_a_failure_leads_to_a_sanction(
    login, cast, draw, client
):
    item = draw.items.select_related("project__sponsor").first()
    expert = make_expert(cast, "e1", cast.county_hospital)
    if item.project.sponsor_id == cast.county_hospital.pk:
        expert = cast.users["furong"]
    response = login("changsha").post(
        reverse("inspections:assign", args=[draw.pk]),
        {"items": [item.pk], "inspectors": [expert.pk], "visit_date": TODAY},
    )
    assert response.status_code == 302
    assert list(item.inspectors.all()) == [expert]

    client.force_login(expert)
    tasks = client.get(reverse("inspections:mine")).content.decode()
    assert item.project.name in tasks
    url = reverse("inspections:item", args=[item.pk])
    page = client.get(url).content.decode()
    assert "录入检查结果" in page and "学员人数" in page and "作出处理决定" not in page

    failing = scores(TEACHERS="0", PARTICIPANTS="3")
    total = client.post(
        reverse("inspections:item_total", args=[item.pk]),
        _post_scores(failing),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "合计 83 / 100 分" in total and "不合格" in total and "授课教师与计划一致" in total

    refused = client.post(url, _post_scores(failing))
    assert "请填写检查意见" in refused.content.decode()
    response = client.post(url, _post_scores(failing, summary="授课教师变动超过50%"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.result == SpotCheckItem.Result.FAIL and item.state == "checked"
    # the expert is no authority: no sanction button for them
    assert "作出处理决定" not in client.get(url).content.decode()

    page = login("changsha").get(url).content.decode()
    assert "作出处理决定" in page
    marker = 'class="btn btn-danger btn-sm" href="'
    link = page.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlparse(link).query)
    assert query["organisation"] == [str(item.project.sponsor_id)]
    form = login("changsha").get(link).content.decode()
    assert "授课教师变动超过50%" in form and "现场抽查评估不合格" in form
    assert 'value="{pk}" selected'.format(pk=item.project.sponsor_id) in form


def test_photos_are_uploaded_and_downloaded_through_the_scope(login, cast, draw):
    item = draw.items.first()
    client = login("changsha")
    response = client.post(
        reverse("inspections:item_upload", args=[item.pk]),
        {"kind": "photo", "file": SimpleUploadedFile("现场.png", PNG), "note": "签到处"},
    )
    assert response.status_code == 302
    record = item.files.get()
    url = reverse("inspections:item_file", args=[item.pk, record.pk])
    assert b"".join(client.get(url).streaming_content) == PNG
    bad = client.post(
        reverse("inspections:item_upload", args=[item.pk]),
        {"kind": "photo", "file": SimpleUploadedFile("a.png", b"not an image")},
    )
    assert bad.status_code == 400 and "JPG或PNG" in bad.content.decode()
    assert login("zhuzhou").get(url).status_code == 404


def test_the_export_lists_every_drawn_project_with_its_scores(login, cast, draw):
    item = draw.items.first()
    actions.record_findings(
        item, actor=cast.users["changsha"], scores=scores(), visit_date=timezone.localdate()
    )
    response = login("changsha").get(reverse("inspections:detail", args=[draw.pk]) + "?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[0][3] == "项目名称" and "学员人数（10分）" in rows[0]
    assert len(rows) == 1 + draw.items.count()
    checked = next(r for r in rows if r[3] == item.project.name)
    assert checked[-4] == 100 and checked[-3] == "合格"


def test_the_draw_page_does_not_query_per_item(login, cast, draw, django_assert_max_num_queries):
    client = login("changsha")
    url = reverse("inspections:detail", args=[draw.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        client.get(url)
    with django_assert_max_num_queries(10):
        client.get(reverse("inspections:mine"))
