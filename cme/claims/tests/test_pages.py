"""The pages of issue 6 §2-3: a learner's 申报学分 and 我的申报, the 学分审核 queue of the unit
and the city with the claim's detail and decision, 单位学术活动; another city's reviewer sees
nothing (404), a wrong role is refused (403)."""

import datetime

from django.urls import reverse

from cme.claims import actions
from cme.claims.tests.factories import PDF, claim, pdf
from cme.credits.models import CreditRecord


def test_a_learner_submits_a_claim_and_sees_where_it_is(hunan, login, time_machine):
    client = login("learner")
    form = client.get(reverse("claims:new"))
    assert form.status_code == 200 and "出省参加国家级继续医学教育项目" in form.content.decode()
    response = client.post(
        reverse("claims:new"),
        {
            "source": "out_of_province",
            "year": "2024",
            "title": "全国心血管护理新进展学习班",
            "activity_date": "2024-04-08",
            "certificate_number": "2024-04-08-001（国）",
            "amount": "4",
            "evidence": pdf(),
        },
    )
    record = CreditRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[record.pk])
    actions.decide_claim(record, actor=hunan.users["city_admin"], decision="approve")
    time_machine.move_to(datetime.datetime(2024, 6, 20, 10, tzinfo=datetime.UTC))
    body = client.get(reverse("claims:mine")).content.decode()
    assert "等待长沙市卫生健康委员会审核，已5天" in body
    assert "2024-04-08-001（国）" in body


def test_the_form_shows_only_the_fields_of_the_chosen_source(hunan, login):
    client = login("learner")
    body = client.get(
        reverse("claims:new"), {"source": "self_study_review"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in body and "字数（千字）" in body
    assert 'name="certificate_number"' not in body and 'name="amount"' not in body
    assert "综述全文" in body  # what to upload


def test_a_refused_submission_shows_the_reason_beside_the_field(hunan, login):
    response = login("learner").post(
        reverse("claims:new"),
        {
            "source": "out_of_province",
            "year": "2024",
            "title": "学习班",
            "activity_date": "2024-04-08",
            "certificate_number": "2024-04-08-001",
            "amount": "4",
            "evidence": pdf(),
        },
    )
    assert response.status_code == 422
    assert "（国）" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_the_unit_and_then_the_city_review_from_their_queues(hunan, login):
    record = claim(hunan)
    unit = login("city_admin")
    queue = unit.get(reverse("claims:queue")).content.decode()
    assert "全国心血管护理新进展学习班" in queue and hunan.persons["nurse"].id_number not in queue
    detail = unit.get(reverse("claims:detail", args=[record.pk])).content.decode()
    assert "国家级项目学分证书（项目编号含（国））" in detail  # what to check
    assert reverse("claims:evidence", args=[record.pk]) in detail
    assert "审核通过（报长沙市卫生健康委员会）" in detail
    evidence = unit.get(reverse("claims:evidence", args=[record.pk]))
    assert evidence["Content-Type"] == "application/pdf"
    assert b"".join(evidence.streaming_content) == PDF
    response = unit.post(reverse("claims:decide", args=[record.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert "全国心血管护理新进展学习班" not in unit.get(reverse("claims:queue")).content.decode()
    assert "全国心血管护理新进展学习班" in (
        unit.get(reverse("claims:queue"), {"tab": "decided"}).content.decode()
    )

    city = login("changsha")
    assert "全国心血管护理新进展学习班" in city.get(reverse("claims:queue")).content.decode()
    response = city.post(reverse("claims:decide", args=[record.pk]), {"decision": "return"})
    assert response.status_code == 422 and "须填写理由" in response.content.decode()
    city.post(
        reverse("claims:decide", args=[record.pk]), {"decision": "return", "reason": "看不清"}
    )
    record.refresh_from_db()
    assert record.holder is None and record.status_reason == "看不清"


def test_a_learner_corrects_a_returned_claim(hunan, login):
    record = actions.decide_claim(
        claim(hunan), actor=hunan.users["city_admin"], decision="return", reason="学分填写有误"
    )
    client = login("learner")
    body = client.get(reverse("claims:mine")).content.decode()
    assert "已退回修改：学分填写有误" in body
    assert client.get(reverse("claims:edit", args=[record.pk])).status_code == 200
    response = client.post(
        reverse("claims:edit", args=[record.pk]),
        {
            "source": "out_of_province",
            "year": "2024",
            "title": record.title,
            "activity_date": "2024-04-08",
            "certificate_number": record.certificate_number,
            "amount": "3",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.holder, str(record.amount)) == (hunan.city_hospital, "3.0")
    assert login("city_admin").get(reverse("claims:edit", args=[record.pk])).status_code == 403


def test_another_city_gets_404_and_wrong_roles_403(hunan, login):
    record = claim(hunan)
    zhuzhou = login("zhuzhou")
    for name in ["claims:detail", "claims:evidence", "claims:edit"]:
        assert zhuzhou.get(reverse(name, args=[record.pk])).status_code == 404, name
    response = zhuzhou.post(reverse("claims:decide", args=[record.pk]), {"decision": "approve"})
    assert response.status_code == 404
    assert "全国心血管" not in zhuzhou.get(reverse("claims:queue")).content.decode()
    assert login("county_admin").get(reverse("claims:detail", args=[record.pk])).status_code == 404
    learner = login("learner")
    assert learner.get(reverse("claims:queue")).status_code == 403
    response = learner.post(reverse("claims:decide", args=[record.pk]), {"decision": "approve"})
    assert response.status_code == 403
    changsha = login("changsha")  # sees it, but the unit holds it now
    assert changsha.get(reverse("claims:detail", args=[record.pk])).status_code == 200
    response = changsha.post(reverse("claims:decide", args=[record.pk]), {"decision": "approve"})
    assert response.status_code == 403


def test_the_unit_cannot_decide_again_once_the_claim_is_at_the_city(hunan, login):
    record = claim(hunan)
    actions.decide_claim(record, actor=hunan.users["city_admin"], decision="approve")
    client = login("city_admin")
    response = client.post(
        reverse("claims:decide", args=[record.pk]), {"decision": "approve"}, follow=True
    )
    body = response.content.decode()
    assert "现由长沙市卫生健康委员会审核，请刷新后查看最新状态" in body
    assert 'name="decision"' not in body


def test_a_unit_records_an_activity_from_the_page(hunan, login):
    client = login("city_admin")
    assert client.get(reverse("claims:activity_new")).status_code == 200
    response = client.post(
        reverse("claims:activity_new"),
        {
            "source": "unit_lecture",
            "title": "新技术推广讲座",
            "activity_date": "2024-05-20",
            "lecturers": "王建国",
            "participants": "李小红，王建国",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("claims:activities")).content.decode()
    assert "新技术推广讲座" in body
    detail = client.get(response["Location"]).content.decode()
    assert "主讲人1人，参加人员1人" in detail
    assert hunan.persons["nurse"].id_number not in detail
    refused = client.post(
        reverse("claims:activity_new"),
        {
            "source": "unit_lecture",
            "title": "另一讲座",
            "activity_date": "2024-05-21",
            "participants": hunan.persons["zhuzhou_nurse"].name,
        },
    )
    assert refused.status_code == 422 and "不是本单位人员" in refused.content.decode()
    assert login("changsha").get(reverse("claims:activity_new")).status_code == 403
    assert (
        "新技术推广讲座" not in login("zhuzhou").get(reverse("claims:activities")).content.decode()
    )


def test_the_nav_links(hunan, login):
    assert reverse("claims:mine") in login("learner").get(reverse("home")).content.decode()
    unit = login("city_admin").get(reverse("home")).content.decode()
    assert reverse("claims:queue") in unit and reverse("claims:activities") in unit
    city = login("changsha").get(reverse("home")).content.decode()
    assert reverse("claims:queue") in city and reverse("claims:activities") not in city


def test_every_page_needs_a_login(client, hunan):
    record = claim(hunan)
    for name, args in [
        ("claims:mine", []),
        ("claims:new", []),
        ("claims:queue", []),
        ("claims:detail", [record.pk]),
        ("claims:edit", [record.pk]),
        ("claims:evidence", [record.pk]),
        ("claims:activities", []),
        ("claims:activity_new", []),
        ("claims:activity", [1]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_queue_reads_a_fixed_number_of_queries(hunan, login, django_assert_max_num_queries):
    client = login("city_admin")
    claim(hunan)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("claims:queue"))
    for n in range(1, 6):
        claim(hunan, "2024-04-08-10{n}(国)".format(n=n), activity_date=datetime.date(2024, 4, n))
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(reverse("claims:queue")).content.decode()
    assert body.count("claim-status") == 6


def test_the_menu_links_the_claim_queue_only_for_those_who_hold_one(login):
    url = reverse("claims:queue")
    for key in ("city_admin", "changsha"):
        assert url in login(key).get(reverse("home")).content.decode(), key
    # the system administrator sees everything but holds no claims: no link to a 403
    admin = login("admin")
    assert url not in admin.get(reverse("home")).content.decode()
    assert admin.get(url).status_code == 403
