"""A real year of claims, through the pages and the API: at the year's end a nurse claims a
paper, a self-study review and an out-of-province national project with their scans, sees
them pending, gets one returned, corrects and resubmits it, and reads her totals; her
unit's CME officer works the queue (approve, return, reject; two officers on one claim) and
records a lecture for 30 staff. Bad input is refused beside its field and writes nothing;
the API answers the same."""

import datetime
import json
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.accounts.actions import create_api_token
from cme.claims.models import UnitActivity
from cme.claims.tests.factories import PDF, pdf, reviewer, staff
from cme.credits.models import CreditRecord, CreditReview

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR_END = datetime.datetime(2024, 12, 20, 10, tzinfo=SHANGHAI)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
API = "/api/v1"


@pytest.fixture
def december(time_machine, cast):
    time_machine.move_to(YEAR_END, tick=False)
    return cast


def png(name: str = "综述.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def bearer(user) -> dict:
    _record, token = create_api_token(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": "Bearer " + token}


PAPER = {
    "source": "paper",
    "year": "2024",
    "title": "ICU护理质量改进的实践",
    "activity_date": "2024-09-10",
    "amount": "2",
}
REVIEW = {
    "source": "self_study_review",
    "year": "2024",
    "title": "压力性损伤预防综述",
    "activity_date": "2024-10-15",
    "quantity": "4.5",
}
NATIONAL = {
    "source": "out_of_province",
    "year": "2024",
    "title": "全国心血管护理新进展学习班",
    "activity_date": "2024-11-08",
    "certificate_number": "2024-04-08-001（国）",
    "amount": "4",
}


def submit(client, data, evidence):
    response = client.post(reverse("claims:new"), {**data, "evidence": evidence})
    assert response.status_code == 302, response.content.decode()
    return CreditRecord.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def field_error(body: str, field: str) -> str:
    """The error text shown beside one field of a form."""
    match = re.search(
        r'name="{f}".*?<div class="invalid-feedback[^"]*">(.*?)</div>'.format(f=field), body, re.S
    )
    return match.group(1) if match else ""


def test_the_nurse_claims_three_credits_and_fixes_the_returned_one(december, client):
    nurse = december.persons["nurse"]
    client.force_login(december.users["learner"])
    paper = submit(client, PAPER, pdf("论文.pdf"))
    review = submit(client, REVIEW, png())
    national = submit(client, NATIONAL, pdf())
    assert (str(paper.amount), str(review.amount), str(national.amount)) == ("2.0", "2.3", "4.0")

    mine = client.get(reverse("claims:mine")).content.decode()
    assert mine.count("等待长沙市第一医院审核，已0天") == 3
    totals = client.get(reverse("credits:mine")).content.decode()
    assert "待生效 8.3 分" in totals
    assert re.search(r'total-credits">0\.0<', totals)

    # the unit returns the paper, approves the others on to the city
    officer = december.users["city_admin"]
    unit = client.__class__()
    unit.force_login(officer)
    queue = unit.get(reverse("claims:queue")).content.decode()
    assert queue.count("claim-status") == 3
    response = unit.post(
        reverse("claims:decide", args=[paper.pk]), {"decision": "return", "reason": "缺少目录页"}
    )
    assert response.status_code == 302
    for record in (review, national):
        unit.post(reverse("claims:decide", args=[record.pk]), {"decision": "approve"})

    # she sees why, and the next action
    detail = client.get(reverse("claims:detail", args=[paper.pk])).content.decode()
    assert "退回理由：缺少目录页" in detail and reverse("claims:edit", args=[paper.pk]) in detail
    assert "已退回修改：缺少目录页" in client.get(reverse("claims:mine")).content.decode()
    # her ledger links the evidence through the claim, never a public media address
    ledger_page = client.get(reverse("credits:mine")).content.decode()
    assert reverse("claims:evidence", args=[paper.pk]) in ledger_page
    assert "/media/" not in ledger_page

    # a wrong file on resubmission is refused beside the field, nothing changes
    bad = client.post(
        reverse("claims:edit", args=[paper.pk]),
        {**PAPER, "evidence": SimpleUploadedFile("论文.pdf", b"MZ\x90\x00", "application/pdf")},
    )
    assert bad.status_code == 422
    assert "不是PDF、JPG或PNG" in field_error(bad.content.decode(), "evidence")
    paper.refresh_from_db()
    assert paper.holder is None
    fixed = client.post(
        reverse("claims:edit", args=[paper.pk]), {**PAPER, "evidence": pdf("论文全文.pdf")}
    )
    assert fixed.status_code == 302
    paper.refresh_from_db()
    assert paper.holder == december.city_hospital and paper.status_reason == ""
    # a resubmitted claim cannot be edited again
    assert client.get(reverse("claims:edit", args=[paper.pk])).status_code == 403
    unit.post(reverse("claims:decide", args=[paper.pk]), {"decision": "approve"})

    city = client.__class__()
    city.force_login(december.users["changsha"])
    assert city.get(reverse("claims:queue")).content.decode().count("claim-status") == 3
    for record in (paper, review, national):
        detail = city.get(reverse("claims:detail", args=[record.pk])).content.decode()
        assert "审核通过（学分生效）" in detail
        city.post(reverse("claims:decide", args=[record.pk]), {"decision": "approve"})
    assert set(CreditRecord.objects.filter(person=nurse).values_list("status", flat=True)) == {
        "valid"
    }

    totals = client.get(reverse("credits:mine")).content.decode()
    assert re.search(r'total-credits">8\.3<', totals)
    data = client.get(API + "/credits/mine?year=2024", **bearer(december.users["learner"])).json()
    assert (data["total"], data["class1"], data["class2"], data["pending"]) == (
        "8.3",
        "4.0",
        "4.3",
        "0.0",
    )
    # no certificate before the unit's audit is approved: a clear message
    response = client.get(reverse("audits:annual_certificate_pdf", args=[2024]))
    assert response.status_code == 404
    assert "所在单位的学分审核通过后" in response.content.decode()


def test_bad_claims_are_refused_beside_the_field_and_write_nothing(december, client):
    client.force_login(december.users["learner"])
    url = reverse("claims:new")

    missing = client.post(url, PAPER)
    assert missing.status_code == 422
    assert "这个字段是必填项" in field_error(missing.content.decode(), "evidence")

    text = SimpleUploadedFile("证书.pdf", b"hello, not a scan", content_type="application/pdf")
    wrong = client.post(url, {**PAPER, "evidence": text})
    assert wrong.status_code == 422
    assert "不是PDF、JPG或PNG格式" in field_error(wrong.content.decode(), "evidence")

    old = client.post(
        url, {**PAPER, "year": "2022", "activity_date": "2022-09-10", "evidence": pdf()}
    )
    assert old.status_code == 422 and field_error(old.content.decode(), "year")

    not_national = client.post(
        url, {**NATIONAL, "certificate_number": "2024-04-08-001", "evidence": pdf()}
    )
    assert "（国）" in field_error(not_national.content.decode(), "certificate_number")

    other_year = client.post(url, {**PAPER, "activity_date": "2023-12-30", "evidence": pdf()})
    assert "不在2024年度内" in field_error(other_year.content.decode(), "activity_date")
    assert not CreditRecord.objects.exists()

    # the API refuses the same with the same codes
    api = bearer(december.users["learner"])
    response = client.post(API + "/claims", {**PAPER, "year": 2022, "evidence": pdf()}, **api)
    assert response.status_code in (400, 422)
    response = client.post(API + "/claims", {**PAPER, "evidence": text}, **api)
    assert response.status_code == 400 and response.json()["code"] == "FILE_TYPE"
    response = client.post(
        API + "/claims", {**NATIONAL, "certificate_number": "2024-1", "evidence": pdf()}, **api
    )
    assert response.json()["code"] == "CERTIFICATE_NOT_NATIONAL"
    assert not CreditRecord.objects.exists()


def test_a_claim_over_the_yearly_cap_says_what_will_count(december, client):
    """自学综述 counts at most 5 a year: a claim partly over it says what will count, one
    with the cap already filled is refused beside the field; the API says the same."""
    client.force_login(december.users["learner"])
    first = submit(client, {**REVIEW, "quantity": "8"}, png())
    response = client.post(
        reverse("claims:new"),
        {**REVIEW, "title": "静脉血栓护理综述", "quantity": "4", "evidence": png()},
        follow=True,
    )
    body = response.content.decode()
    assert "本条只有1.0分计入" in body
    second = CreditRecord.objects.exclude(pk=first.pk).get()
    assert (str(first.amount), str(second.amount)) == ("4.0", "2.0")
    unit = client.__class__()
    unit.force_login(december.users["city_admin"])
    detail = unit.get(reverse("claims:detail", args=[second.pk])).content.decode()
    assert "每年计入不超过5.0分" in detail

    full = client.post(
        reverse("claims:new"), {**REVIEW, "title": "第三篇综述", "quantity": "2", "evidence": png()}
    )
    assert full.status_code == 422
    assert "已达上限" in field_error(full.content.decode(), "quantity")
    response = client.post(
        API + "/claims",
        {**REVIEW, "title": "第三篇综述", "quantity": "2", "evidence": png()},
        **bearer(december.users["learner"]),
    )
    assert response.status_code == 400 and response.json()["code"] == "CLAIM_YEAR_CAP"
    assert CreditRecord.objects.count() == 2
    # the ledger counts 5 of the 6 claimed once both are valid
    CreditRecord.objects.update(status="valid", holder=None)
    totals = client.get(reverse("credits:mine")).content.decode()
    assert re.search(r'total-credits">5\.0<', totals)


def test_the_officer_returns_and_rejects_with_a_reason_and_two_officers_collide(december, client):
    client.force_login(december.users["learner"])
    paper = submit(client, PAPER, pdf())
    national = submit(client, NATIONAL, pdf())
    officer = december.users["city_admin"]
    second = reviewer(december, december.city_hospital)
    unit = client.__class__()
    unit.force_login(officer)

    empty = unit.post(reverse("claims:decide", args=[paper.pk]), {"decision": "reject"})
    assert empty.status_code == 422
    assert "须填写理由" in field_error(empty.content.decode(), "reason")
    assert not CreditReview.objects.exists()
    rejected = unit.post(
        reverse("claims:decide", args=[paper.pk]),
        {"decision": "reject", "reason": "非本人论文"},
    )
    assert rejected.status_code == 302
    paper.refresh_from_db()
    assert paper.status == "rejected"
    detail = client.get(reverse("claims:detail", args=[paper.pk])).content.decode()
    assert (
        "不予认可：非本人论文" in detail and reverse("claims:edit", args=[paper.pk]) not in detail
    )

    # both officers opened the national claim; the first approves, the second is told
    other = client.__class__()
    other.force_login(second)
    assert "审核通过（报长沙市卫生健康委员会）" in (
        other.get(reverse("claims:detail", args=[national.pk])).content.decode()
    )
    unit.post(reverse("claims:decide", args=[national.pk]), {"decision": "approve"})
    late = other.post(
        reverse("claims:decide", args=[national.pk]),
        {"decision": "return", "reason": "看不清"},
        follow=True,
    )
    body = late.content.decode()
    assert late.status_code == 200
    assert "该申报已由长沙市第一医院的长沙市第一医院用户于2024-12-20 10:00处理：通过。" in body
    assert "现由长沙市卫生健康委员会审核，请刷新后查看最新状态" in body
    national.refresh_from_db()
    assert national.holder == december.changsha
    assert CreditReview.objects.filter(record=national).count() == 1
    # the page no longer offers the unit a decision
    assert 'name="decision"' not in body

    # the API says the same: 409 with the message
    response = client.post(
        API + "/claims/{p}/decision".format(p=national.pk),
        json.dumps({"decision": "approve"}),
        content_type="application/json",
        **bearer(second),
    )
    assert response.status_code == 409 and response.json()["code"] == "CONFLICT"


def test_the_officer_records_a_lecture_for_thirty_staff(december, client):
    unit = december.city_hospital
    people = [staff(december, unit, "职工{i:02d}".format(i=i), seed=100 + i) for i in range(30)]
    client.force_login(december.users["city_admin"])
    listing = client.get(reverse("claims:activities")).content.decode()
    assert reverse("claims:activity_new") in listing
    data = {
        "source": "unit_lecture",
        "title": "心肺复苏新指南学术讲座",
        "activity_date": "2024-12-12",
        "lecturers": december.persons["doctor"].name,
        "participants": "\n".join(p.name for p in people),
    }
    response = client.post(reverse("claims:activity_new"), data)
    assert response.status_code == 302, re.findall(
        r"invalid-feedback[^>]*>(.*?)<", response.content.decode()
    )
    activity = UnitActivity.objects.get()
    detail = client.get(response["Location"]).content.decode()
    assert "主讲人1人，参加人员30人" in detail
    assert activity.records.filter(role="learner", amount="0.5", status="valid").count() == 30
    assert activity.records.get(role="lecturer").amount == 2

    again = client.post(reverse("claims:activity_new"), data)
    assert again.status_code == 422 and "不能重复录入" in field_error(
        again.content.decode(), "title"
    )
    outsider = client.post(
        reverse("claims:activity_new"),
        {**data, "title": "病例讨论", "participants": december.persons["zhuzhou_nurse"].name},
    )
    assert "不是本单位人员" in field_error(outsider.content.decode(), "participants")
    future = client.post(
        reverse("claims:activity_new"), {**data, "title": "下周讲座", "activity_date": "2025-01-03"}
    )
    assert "不能晚于今天" in field_error(future.content.decode(), "activity_date")
    assert UnitActivity.objects.count() == 1

    api = client.get(API + "/unit-activities?year=2024", **bearer(december.users["city_admin"]))
    (item,) = api.json()["items"]
    assert (item["participant_count"], item["lecturer_count"]) == (30, 1)
    # the same figure on the staff member's year
    page = client.get(reverse("credits:person", args=[people[0].pk]) + "?year=2024")
    assert re.search(r'total-credits">0\.5<', page.content.decode())
    assert PDF  # the factories' evidence stays importable
