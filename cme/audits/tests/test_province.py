"""Issue 6 §7: the province sees every audit of the province, and per year exports the list
for 人社 — 年度, 姓名, masked ID, 职称, 单位, 科室, 总学分, I类, II类, 总学时, 达标结果 — of the 达标
persons of approved audits only, and marks the year's list as sent to 人社."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cme.audits import actions
from cme.audits.actions import Decision
from cme.audits.exports import HR_HEADERS
from cme.audits.models import AnnualAudit, HrTransmission
from cme.audits.queries import audit_for, review_queue_for
from cme.audits.tests.factories import YEAR, qualified, short
from cme.core.errors import DomainError, PermissionDenied


@pytest.fixture
def audits(cast):
    qualified(cast.persons["nurse"])
    short(cast.persons["doctor"])
    qualified(cast.persons["county_doctor"])
    qualified(cast.persons["zhuzhou_nurse"])
    city = actions.submit_audit(cast.city_hospital, YEAR, actor=cast.users["city_admin"])
    for key in ("changsha", "province"):
        user = cast.users[key]
        city = actions.decide_audit(audit_for(user, city.pk), actor=user, decision=Decision.APPROVE)
    county = actions.submit_audit(cast.county_hospital, YEAR, actor=cast.users["county_admin"])
    return city, county


def _sheet(response):
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_the_province_sees_all_audits_of_the_province(cast, audits):
    province = cast.users["province"]
    assert set(review_queue_for(province, AnnualAudit.State.APPROVED)) == {audits[0]}
    assert set(review_queue_for(province, AnnualAudit.State.IN_REVIEW)) == {audits[1]}
    assert not review_queue_for(province).exists()  # none held by the province now


def test_the_list_for_hr_has_only_the_qualified_of_approved_audits(login, cast, audits):
    response = login("province").get(reverse("audits:hr", args=[YEAR]), {"export": "xlsx"})
    rows = _sheet(response)
    assert list(rows[0]) == HR_HEADERS
    nurse = cast.persons["nurse"]
    masked = nurse.id_number[:4] + "**********" + nurse.id_number[-4:]
    assert rows[1:] == [
        (YEAR, "李小红", masked, "主管护师", "长沙市第一医院", "内科", 30, 10, 20, 180, "达标")
    ]


def test_the_province_marks_the_year_as_sent_to_hr(login, cast, audits):
    client = login("province")
    page = client.get(reverse("audits:hr", args=[YEAR])).content.decode()
    assert "标记为已报送人社" in page
    client.post(reverse("audits:hr", args=[YEAR]))
    sent = HrTransmission.objects.get()
    assert (sent.year, sent.persons, sent.units) == (YEAR, 1, 1)
    assert "已于" in client.get(reverse("audits:hr", args=[YEAR])).content.decode()
    with pytest.raises(DomainError) as again:
        actions.mark_sent_to_hr(YEAR, actor=cast.users["province"])
    assert again.value.code == "HR_ALREADY_SENT"


def test_only_the_province_exports_for_hr(login, cast, audits):
    assert login("changsha").get(reverse("audits:hr", args=[YEAR])).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.mark_sent_to_hr(YEAR, actor=cast.users["changsha"])
