"""Issue 6 §7: a unit's page for a year lists every staff member with 总学分, I类, II类, 总学时
and the result with its reason and the five-year warning, filters by result and department,
paginates on the database with a fixed number of queries however large the unit, and exports
to Excel with masked ID numbers. Reviewers see their queue; another city gets 404."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cme.audits import actions
from cme.audits.exports import UNIT_HEADERS
from cme.audits.tests.factories import YEAR, qualified, short, staff
from cme.credits.tests.factories import credit


@pytest.fixture
def url(cast):
    return reverse("audits:unit", args=[cast.city_hospital.pk, YEAR])


@pytest.fixture
def credits(cast):
    qualified(cast.persons["nurse"])
    short(cast.persons["doctor"])


def _sheet(response):
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_the_unit_sees_every_staff_member_with_totals_and_result(login, cast, url, credits):
    body = login("city_admin").get(url).content.decode()
    nurse, doctor = cast.persons["nurse"], cast.persons["doctor"]
    assert nurse.name in body and doctor.name in body
    assert "30.0" in body and "10.0" in body and "20.0" in body and "180.0" in body
    assert "达标" in body and "总学分3.0分，少于25分（差22.0分）" in body
    assert "近5年（2020-2024年）国家级项目学分0.0分，少于10分" in body  # 三级医院
    assert nurse.id_number not in body and nurse.id_number[-4:] in body
    assert "提交审核" in body and "长沙市卫生健康委员会 → " not in body
    assert "长沙市第一医院 → " in body and "湖南省卫生健康委员会" in body


def test_filters_by_result_and_department(login, cast, url, credits):
    client = login("city_admin")
    body = client.get(url, {"result": "not_qualified"}).content.decode()
    assert cast.persons["doctor"].name in body and cast.persons["nurse"].name not in body
    staff(cast.city_hospital, 2, department="儿科")
    body = client.get(url, {"department": "儿科"}, HTTP_HX_REQUEST="true").content.decode()
    assert "职工0" in body and cast.persons["nurse"].name not in body
    assert "<html" not in body  # the fragment only


def test_the_page_costs_the_same_queries_for_a_big_unit(login, cast, url):
    client = login("city_admin")
    client.get(url)

    def queries_of_page(page, **params):
        with CaptureQueriesContext(connection) as seen:
            body = client.get(url, {"page": page, **params}).content.decode()
        return len(seen), body

    small, _body = queries_of_page(1)
    small_counted, _body = queries_of_page(1, fresh="1")
    people = staff(cast.city_hospital, 60)
    for p in people[:30]:
        credit(p, YEAR, "6", "unit_lecture")
        credit(p, YEAR, "30", "national_project")
    big_counted, body = queries_of_page(2)  # new staff: the results are counted again
    assert "第 2 / 2 页，共 62 条" in body
    big, body = queries_of_page(2)
    assert big == small <= 30
    assert big_counted == small_counted <= 40


def test_export_has_the_columns_and_masked_ids(login, cast, url, credits):
    response = login("city_admin").get(url, {"export": "xlsx"})
    rows = _sheet(response)
    assert list(rows[0]) == UNIT_HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    nurse = cast.persons["nurse"]
    assert by_name[nurse.name][1] == nurse.id_number[:4] + "**********" + nurse.id_number[-4:]
    assert by_name[nurse.name][4:9] == (30, 10, 20, 180, "达标")


def test_after_submission_the_page_shows_the_list_as_submitted(login, cast, url, credits):
    client = login("city_admin")
    client.post(reverse("audits:submit", args=[cast.city_hospital.pk, YEAR]))
    credit(cast.persons["doctor"], YEAR, "40")  # later credits are not in the submitted list
    body = client.get(url).content.decode()
    assert "审核中" in body and "提交的审核名单" in body and "43.0" not in body
    assert "等待长沙市卫生健康委员会审核" in body


def test_the_reviewer_decides_from_the_page_and_the_queue(login, cast, url, credits):
    actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    client = login("changsha")
    queue = client.get(reverse("audits:queue")).content.decode()
    assert "长沙市第一医院" in queue and "审核" in queue
    page = client.get(url).content.decode()
    assert 'id="decision-form"' in page
    audit = cast.city_hospital.annual_audits.get()
    done = client.post(reverse("audits:decide", args=[audit.pk]), {"decision": "approve"})
    assert done.status_code == 302
    audit.refresh_from_db()
    assert audit.holder == cast.province
    export = _sheet(client.get(reverse("audits:queue"), {"state": "in_review", "export": "xlsx"}))
    assert export[1][:4] == (YEAR, "长沙市第一医院", "审核中", "湖南省卫生健康委员会")


def test_another_city_and_a_learner_get_404(login, cast, url, credits):
    assert login("zhuzhou").get(url).status_code == 404
    assert login("county_admin").get(url).status_code == 404
    assert login("learner").get(url).status_code == 404  # no organisation scope at all
    actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    audit = cast.city_hospital.annual_audits.get()
    client = login("zhuzhou")
    assert (
        client.post(reverse("audits:decide", args=[audit.pk]), {"decision": "approve"}).status_code
        == 404
    )
    assert (
        "长沙市第一医院"
        not in client.get(reverse("audits:queue"), {"state": "in_review"}).content.decode()
    )


def test_the_index_takes_each_role_to_its_page(login, cast):
    response = login("city_admin").get(reverse("audits:index"), {"year": YEAR})
    assert response["Location"] == reverse("audits:unit", args=[cast.city_hospital.pk, YEAR])
    assert login("changsha").get(reverse("audits:index"))["Location"] == reverse("audits:queue")


def test_the_void_button_is_offered_only_to_those_who_may_void(login):
    void = reverse("audits:void")
    assert void in login("changsha").get(reverse("audits:queue")).content.decode()
    # the national office reviews too, but voiding is a local authority's (003 §二十六)
    national = login("national")
    assert national.get(reverse("audits:queue")).status_code == 200
    assert void not in national.get(reverse("audits:queue")).content.decode()
    assert national.get(void).status_code == 403
