"""Pages of sanctions and quotas: wrong role 403, another city 404, right role in scope;
a sanctioned person's ID number only ever masked."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cme.core import idnumbers
from cme.supervision.models import Sanction, UnitQuota
from cme.supervision.queries import active_sanctions_of
from cme.supervision.tests.conftest import NEXT_YEAR, make_projects

TODAY = timezone.localdate().isoformat()


def _xlsx_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_unit_admins_get_403_on_the_sanction_pages(login, bar):
    client = login("city_admin")
    assert client.get(reverse("supervision:sanctions")).status_code == 403
    assert client.get(reverse("supervision:sanction_add")).status_code == 403
    assert client.get(reverse("supervision:sanction_detail", args=[bar.pk])).status_code == 403
    assert (
        client.post(
            reverse("supervision:sanction_revoke", args=[bar.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_another_city_gets_404_on_a_changsha_sanction(login, bar):
    client = login("zhuzhou")
    for name in ("sanction_detail", "sanction_evidence"):
        assert client.get(reverse("supervision:" + name, args=[bar.pk])).status_code == 404
    response = client.post(reverse("supervision:sanction_revoke", args=[bar.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert Sanction.objects.get(pk=bar.pk).revoked_at is None


def test_another_citys_list_and_export_show_nothing_of_changsha(login, bar, suspension):
    client = login("zhuzhou")
    body = client.get(reverse("supervision:sanctions")).content.decode()
    assert "长沙市第一医院" not in body and "王建国" not in body
    rows = _xlsx_rows(client.get(reverse("supervision:sanctions") + "?export=xlsx"))
    assert len(rows) == 1


def test_changsha_lists_filters_and_reads_its_sanctions(login, bar, suspension):
    client = login("changsha")
    body = client.get(reverse("supervision:sanctions")).content.decode()
    assert "长沙市第一医院" in body and "王建国" in body
    body = client.get(reverse("supervision:sanctions") + "?kind=bar_unit").content.decode()
    assert "王建国" not in body and "长沙市第一医院" in body
    body = client.get(
        reverse("supervision:sanctions") + "?year={y}".format(y=NEXT_YEAR + 1)
    ).content.decode()
    assert "王建国" not in body
    detail = client.get(reverse("supervision:sanction_detail", args=[bar.pk]))
    assert detail.status_code == 200 and "撤销处理决定" in detail.content.decode()


def test_the_province_sees_but_a_county_does_not(login, bar):
    assert (
        login("province").get(reverse("supervision:sanction_detail", args=[bar.pk])).status_code
        == 200
    )
    assert (
        login("furong").get(reverse("supervision:sanction_detail", args=[bar.pk])).status_code
        == 404
    )


def test_recording_a_bar_on_a_unit_through_the_form(login, cast):
    client = login("changsha")
    form = client.get(reverse("supervision:sanction_add") + "?q=芙蓉").content.decode()
    assert "长沙市芙蓉区人民医院" in form and "株洲市中心医院" not in form
    response = client.post(
        reverse("supervision:sanction_add"),
        {
            "kind": "bar_unit",
            "organisation": cast.city_hospital.pk,
            "from_year": NEXT_YEAR,
            "to_year": NEXT_YEAR + 1,
            "decided_on": TODAY,
            "reason": "项目执行不规范",
            "evidence": SimpleUploadedFile("决定.pdf", b"%PDF-1.4\n"),
        },
    )
    sanction = Sanction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:sanction_detail", args=[sanction.pk])
    assert sanction.organisation == cast.city_hospital and sanction.evidence
    download = client.get(reverse("supervision:sanction_evidence", args=[sanction.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_four_year_bar_is_refused_on_the_form(login, cast):
    response = login("changsha").post(
        reverse("supervision:sanction_add"),
        {
            "kind": "bar_unit",
            "organisation": cast.city_hospital.pk,
            "from_year": NEXT_YEAR,
            "to_year": NEXT_YEAR + 3,
            "decided_on": TODAY,
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "取消单位申报资格为1～3年" in response.content.decode()
    assert not Sanction.objects.exists()


def test_another_citys_unit_cannot_be_chosen(login, cast):
    response = login("zhuzhou").post(
        reverse("supervision:sanction_add"),
        {
            "kind": "notification",
            "organisation": cast.city_hospital.pk,
            "decided_on": TODAY,
            "reason": "x",
        },
    )
    assert response.status_code == 200 and not Sanction.objects.exists()


def test_a_person_is_named_by_whole_id_number_and_shown_masked(login, cast):
    client = login("changsha")
    doctor = cast.persons["doctor"]
    response = client.post(
        reverse("supervision:sanction_add"),
        {
            "kind": "suspend_leader",
            "id_number": doctor.id_number.lower(),
            "decided_on": TODAY,
            "reason": "项目负责人未履行主体责任",
        },
    )
    sanction = Sanction.objects.get()
    assert sanction.person == doctor and sanction.to_year == timezone.localdate().year + 1
    assert doctor.id_number not in response["Location"]
    pages = [
        reverse("supervision:sanctions"),
        reverse("supervision:sanction_detail", args=[sanction.pk]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert doctor.id_number not in body
        assert idnumbers.mask(doctor.id_number) in body
    rows = _xlsx_rows(client.get(reverse("supervision:sanctions") + "?export=xlsx"))
    assert rows[1][3] == idnumbers.mask(doctor.id_number)
    assert doctor.id_number not in str(rows)


def test_the_form_never_echoes_an_id_number(login, cast):
    doctor = cast.persons["doctor"]
    response = login("changsha").post(
        reverse("supervision:sanction_add"),
        {"kind": "suspend_leader", "id_number": doctor.id_number, "decided_on": TODAY},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "事由" in body
    assert doctor.id_number not in body
    zhuzhou = login("zhuzhou").post(
        reverse("supervision:sanction_add"),
        {
            "kind": "suspend_leader",
            "id_number": doctor.id_number,
            "decided_on": TODAY,
            "reason": "x",
        },
    )
    body = zhuzhou.content.decode()
    assert "在您的管理范围内没有找到该证件号码的人员" in body
    assert doctor.id_number not in body and not Sanction.objects.exists()


def test_revoking_through_the_page(login, bar):
    client = login("changsha")
    response = client.post(reverse("supervision:sanction_revoke", args=[bar.pk]), {"reason": ""})
    assert response.status_code == 200 and Sanction.objects.get(pk=bar.pk).revoked_at is None
    response = client.post(
        reverse("supervision:sanction_revoke", args=[bar.pk]), {"reason": "复议撤销"}
    )
    assert response.status_code == 302
    body = client.get(reverse("supervision:sanction_detail", args=[bar.pk])).content.decode()
    assert "复议撤销" in body and "已撤销" in body


def test_a_county_cannot_revoke_the_citys_decision(login, cast):
    from cme.supervision import actions

    sanction = actions.record_sanction(
        actor=cast.users["changsha"],
        kind=Sanction.Kind.NOTIFICATION,
        organisation=cast.county_hospital,
        reason="x",
        decided_on=timezone.localdate(),
    )
    client = login("furong")
    detail = client.get(reverse("supervision:sanction_detail", args=[sanction.pk]))
    assert detail.status_code == 200 and "撤销处理决定" not in detail.content.decode()
    response = client.post(
        reverse("supervision:sanction_revoke", args=[sanction.pk]), {"reason": "x"}
    )
    assert response.status_code == 403


def test_the_unit_partial_shows_active_sanctions_masked(cast, bar, suspension):
    html = render_to_string(
        "supervision/partials/_unit_sanctions.html",
        {"sanctions": active_sanctions_of(cast.city_hospital, NEXT_YEAR)},
    )
    assert "取消单位申报资格" in html and "暂停项目负责人申报资格" in html
    assert cast.persons["doctor"].id_number not in html
    assert idnumbers.mask(cast.persons["doctor"].id_number) in html


def test_the_nav_shows_sanctions_to_authorities_and_quotas_to_the_province(login):
    body = login("changsha").get(reverse("home")).content.decode()
    assert reverse("supervision:sanctions") in body and reverse("supervision:quotas") not in body
    body = login("province").get(reverse("home")).content.decode()
    assert reverse("supervision:quotas") in body


# --- quotas --------------------------------------------------------------------------------


@pytest.fixture
def executed(cast):
    make_projects(cast, cast.city_hospital, 2024, ["completed", "completed"])
    make_projects(cast, cast.zhuzhou_hospital, 2024, ["completed", "lapsed"])
    return cast


@pytest.mark.parametrize("key", ["changsha", "zhuzhou", "city_admin", "learner"])
def test_only_the_province_reaches_the_quota_pages(login, executed, key):
    client = login(key)
    assert client.get(reverse("supervision:quotas")).status_code == 403
    assert client.post(reverse("supervision:quota_compute"), {}).status_code == 403
    response = client.post(
        reverse("supervision:quota_set", args=[executed.city_hospital.pk]),
        {"year": 2026, "level": "provincial", "quota": 1, "reason": "x"},
    )
    assert response.status_code == 403
    assert not UnitQuota.objects.exists()


def test_the_province_computes_and_overrides_quotas_on_the_page(login, executed):
    cast = executed
    client = login("province")
    response = client.post(
        reverse("supervision:quota_compute"),
        {
            "year": 2026,
            "level": "provincial",
            "rate_year": 2024,
            "base_quota": 10,
            "cut_ratio": "0.2",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("supervision:quotas") + "?year=2026&level=provincial")
    body = page.content.decode()
    assert "长沙市第一医院" in body and "株洲市中心医院" in body and "75.0%" in body
    assert UnitQuota.objects.get(unit=cast.zhuzhou_hospital).quota == 8
    response = client.post(
        reverse("supervision:quota_set", args=[cast.zhuzhou_hospital.pk]),
        {"year": 2026, "level": "provincial", "quota": 10, "reason": "已整改"},
    )
    assert response.status_code == 302
    assert UnitQuota.objects.get(unit=cast.zhuzhou_hospital).quota == 10
    assert "已整改" in client.get(response["Location"]).content.decode()
    rows = _xlsx_rows(client.get(reverse("supervision:quotas") + "?year=2026&export=xlsx"))
    assert ["株洲市中心医院", 2, 1, "50.0%", "是", "", 8, 10, "已整改"] in rows


def test_a_quota_without_a_reason_is_refused_on_the_page(login, executed):
    client = login("province")
    response = client.post(
        reverse("supervision:quota_set", args=[executed.city_hospital.pk]),
        {"year": 2026, "level": "provincial", "quota": 3, "reason": ""},
        follow=True,
    )
    assert response.status_code == 200 and not UnitQuota.objects.exists()


def test_the_compute_form_shows_its_errors(login, executed):
    response = login("province").post(
        reverse("supervision:quota_compute"),
        {"year": 2026, "level": "provincial", "rate_year": 2024, "base_quota": 10},
    )
    assert response.status_code == 200 and not UnitQuota.objects.exists()


def test_the_list_does_not_query_per_row(login, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cme.supervision import actions

    client = login("changsha")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("supervision:sanctions")).status_code == 200
        return len(queries)

    def record(person) -> None:
        actions.record_sanction(
            actor=cast.users["changsha"],
            kind=Sanction.Kind.NOTIFICATION,
            person=person,
            reason="x",
            decided_on=timezone.localdate(),
        )

    record(cast.persons["doctor"])
    few = count()
    for _ in range(3):
        record(cast.persons["nurse"])
        record(cast.persons["county_doctor"])
    assert count() == few
