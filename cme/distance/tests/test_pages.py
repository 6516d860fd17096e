"""Pages, each three ways: the wrong role (403), the other city (404), the right role."""

import datetime

import pytest
from django.urls import reverse

from cme.credits.models import CreditRecord
from cme.distance import completions, meetings
from cme.distance.models import AnnualMeeting, CompletionImport, ProviderFiling
from cme.distance.tests.conftest import apply, completion_file, pdf, xlsx


@pytest.fixture
def batch(cast, filing, course) -> CompletionImport:
    nurse = cast.persons["nurse"]
    batch = completions.preview_completion_import(
        filing,
        completion_file([[nurse.name, nurse.id_number, course.name, "6", "2024-05-01"]]),
        actor=cast.users["distance"],
    )
    completions.queue_completion_commit(batch, actor=cast.users["distance"])
    batch.refresh_from_db()
    return batch


def test_the_nav_shows_each_role_its_link(login, provider):
    for key, label in [
        ("distance", "远程教育"),
        ("changsha", "远程教育备案"),
        ("society_admin", "学术年会"),
        ("province", "学术年会确认"),
    ]:
        page = login(key).get(reverse("home")).content.decode()
        assert ">{l}</a>".format(l=label) in page, key
    assert "远程教育备案" not in login("city_admin").get(reverse("home")).content.decode()


def test_provider_applies_through_the_page(cast, login, provider):
    client = login("distance")
    assert client.get(reverse("distance:filing_apply")).status_code == 200
    response = client.post(
        reverse("distance:filing_apply"),
        {
            "city": cast.changsha.pk,
            "contact_name": "龚晓燕",
            "contact_phone": "0731-84822628",
            "pc_platform": "https://cme.example.cn",
            "mobile_platform": "App",
            "introduction": "简介",
            "qualification": pdf(),
            "commitment": "on",
        },
    )
    filing = ProviderFiling.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "distance:filing", args=[filing.pk]
    )
    page = client.get(reverse("distance:filings")).content.decode()
    assert "长沙市卫生健康委员会" in page and "待审核" in page


def test_city_files_the_provider_and_another_city_sees_nothing(cast, login, provider):
    filing = apply(cast)
    assert (
        "湖南省卫生健康远程医学教育中心"
        in login("changsha").get(reverse("distance:filings")).content.decode()
    )
    for name in ("filing", "qualification"):
        assert (
            login("zhuzhou").get(reverse("distance:" + name, args=[filing.pk])).status_code == 404
        )
    assert (
        "湖南省卫生健康远程医学教育中心"
        not in login("zhuzhou").get(reverse("distance:filings")).content.decode()
    )
    assert login("city_admin").get(reverse("distance:filings")).status_code == 403
    response = login("zhuzhou").post(
        reverse("distance:filing_decide", args=[filing.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    client = login("changsha")
    assert client.get(reverse("distance:qualification", args=[filing.pk])).status_code == 200
    response = client.post(
        reverse("distance:filing_decide", args=[filing.pk]), {"decision": "refuse"}
    )
    assert response.status_code == 400 and "请填写不予备案的理由" in response.content.decode()
    response = client.post(
        reverse("distance:filing_decide", args=[filing.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == ProviderFiling.State.FILED


def test_provider_files_a_course_and_the_city_accepts_it(cast, login, filing):
    client = login("distance")
    response = client.post(
        reverse("distance:course_add", args=[filing.pk]),
        {"year": 2024, "name": "急救技能", "summary": "心肺复苏", "hours": "3", "category": "II"},
    )
    assert response.status_code == 302
    course = filing.courses.get()
    assert login("zhuzhou").get(reverse("distance:course", args=[course.pk])).status_code == 404
    response = login("distance").post(
        reverse("distance:course_decide", args=[course.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    response = login("changsha").post(
        reverse("distance:course_decide", args=[course.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.state == "filed"


def test_provider_reports_completions_through_the_page(cast, login, filing, course):
    nurse = cast.persons["nurse"]
    client = login("distance")
    assert client.get(reverse("distance:completion_template")).status_code == 200
    response = client.post(
        reverse("distance:completion_upload", args=[filing.pk]),
        {"file": completion_file([[nurse.name, nurse.id_number, course.name, "6", "2024-05-01"]])},
    )
    batch = CompletionImport.objects.get()
    assert response.url == reverse("distance:batch", args=[batch.pk])
    assert "确认导入" in client.get(response.url).content.decode()
    client.post(reverse("distance:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.review == CompletionImport.Review.PENDING
    assert CreditRecord.objects.get().status == "pending"


def test_city_reviews_and_voids_on_the_batch_page(cast, login, batch):
    nurse = cast.persons["nurse"]
    assert login("zhuzhou").get(reverse("distance:batch", args=[batch.pk])).status_code == 404
    client = login("changsha")
    queue = client.get(reverse("distance:filings")).content.decode()
    assert "待审核的学习记录" in queue and batch.file_name in queue
    page = client.get(reverse("distance:batch", args=[batch.pk])).content.decode()
    assert nurse.name in page and nurse.id_number not in page and "审核学习记录" in page
    client.post(reverse("distance:batch_review", args=[batch.pk]), {"decision": "accept"})
    record = CreditRecord.objects.get()
    assert record.status == "valid"
    response = login("zhuzhou").post(
        reverse("distance:record_void", args=[record.pk]), {"reason": "虚假"}
    )
    assert response.status_code == 404
    login("changsha").post(
        reverse("distance:record_void", args=[record.pk]), {"reason": "虚假授分"}
    )
    record.refresh_from_db()
    assert record.status == "void" and record.status_reason == "虚假授分"


def test_city_revokes_the_filing_on_its_page(cast, login, filing, batch):
    client = login("changsha")
    response = client.post(
        reverse("distance:filing_revoke", args=[filing.pk]), {"reason": "虚假授分"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == ProviderFiling.State.REVOKED
    assert CreditRecord.objects.get().status_reason == "远程教育机构备案已撤销：虚假授分"


def test_filing_list_queries_do_not_grow_with_rows(
    cast, login, filing, django_assert_max_num_queries
):
    client = login("changsha")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("distance:filings")).status_code == 200


def test_society_records_a_meeting_and_the_province_confirms_it(cast, login):
    client = login("society_admin")
    response = client.post(
        reverse("distance:meeting_add"),
        {
            "branch": cast.branch.pk,
            "year": 2024,
            "name": "急诊医学专业委员会2024年学术年会",
            "starts_on": "2024-09-20",
            "ends_on": "2024-09-21",
            "place": "长沙市",
            "in_plan": "on",
            "plan_document": pdf(),
        },
    )
    meeting = AnnualMeeting.objects.get()
    assert response.url == reverse("distance:meeting", args=[meeting.pk])
    nurse = cast.persons["nurse"]
    response = client.post(
        reverse("distance:attendee_add", args=[meeting.pk]),
        {"name": nurse.name, "id_number": nurse.id_number},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("distance:attendee_add", args=[meeting.pk]),
        {"name": nurse.name, "id_number": nurse.id_number},
    )
    assert response.status_code == 400 and "该人员已在参会名单中" in response.content.decode()
    assert login("province").get(reverse("distance:meeting", args=[meeting.pk])).status_code == 404
    login("society_admin").post(reverse("distance:meeting_submit", args=[meeting.pk]))
    listing = login("province").get(reverse("distance:meetings") + "?state=submitted")
    assert meeting.name in listing.content.decode()
    assert login("changsha").get(reverse("distance:meeting", args=[meeting.pk])).status_code == 404
    response = login("society_admin").post(
        reverse("distance:meeting_decide", args=[meeting.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    response = login("province").post(
        reverse("distance:meeting_decide", args=[meeting.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    assert CreditRecord.objects.get(person=nurse).amount == 5


def test_society_imports_attendance_through_the_page(cast, login):
    meeting = meetings.record_meeting(
        actor=cast.users["society_admin"],
        year=2024,
        name="学会年会",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2024, 9, 1),
        place="长沙",
        in_plan=True,
        plan_document=pdf(),
    )
    doctor = cast.persons["doctor"]
    client = login("society_admin")
    assert client.get(reverse("distance:attendance_template")).status_code == 200
    response = client.post(
        reverse("distance:attendance_upload", args=[meeting.pk]),
        {"file": xlsx(["序号", "姓名", "证件号码"], [[doctor.name, doctor.id_number]])},
    )
    record = meeting.imports.get()
    assert response.url == reverse("distance:attendance_import", args=[record.pk])
    client.post(reverse("distance:attendance_commit", args=[record.pk]))
    assert meeting.attendees.get().person == doctor
    assert login("secretary").get(reverse("distance:meeting", args=[meeting.pk])).status_code == 404


def test_every_page_renders_for_its_role(cast, login, filing, course, batch):
    meeting = meetings.record_meeting(
        actor=cast.users["society_admin"],
        year=2024,
        name="学会年会",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2024, 9, 1),
        place="长沙",
        in_plan=True,
        plan_document=pdf(),
    )
    pages = {
        "distance": [
            ("distance:filings", []),
            ("distance:filing", [filing.pk]),
            ("distance:course_add", [filing.pk]),
            ("distance:completion_upload", [filing.pk]),
            ("distance:course", [course.pk]),
            ("distance:batch", [batch.pk]),
        ],
        "changsha": [
            ("distance:filing", [filing.pk]),
            ("distance:course", [course.pk]),
            ("distance:batch", [batch.pk]),
        ],
        "province": [("distance:filings", []), ("distance:meetings", [])],
        "society_admin": [
            ("distance:meetings", []),
            ("distance:meeting_add", []),
            ("distance:meeting", [meeting.pk]),
            ("distance:meeting_plan", [meeting.pk]),
            ("distance:attendance_upload", [meeting.pk]),
        ],
    }
    for key, names in pages.items():
        client = login(key)
        for name, args in names:
            response = client.get(reverse(name, args=args))
            assert response.status_code == 200, (key, name)
    assert login("distance").get(reverse("distance:meetings")).status_code == 403
    assert (
        login("society_admin").get(reverse("distance:filing", args=[filing.pk])).status_code == 404
    )
