"""Pages of 通知公告: the reader's list and detail, the authority's drafts, the public list;
every notice outside the reader's scope answers 404, attachments included."""

import pytest
from django.urls import reverse

from cme.notices.models import Notice
from cme.notices.tests.conftest import draft, published, upload

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def test_reader_list_shows_scope_and_public_notices_unread_and_pinned_first(
    login, cast, changsha_notice, public_notice
):
    pinned = published(cast, "province", title="置顶的省级通知", pinned=True)
    page = body(login("learner").get(reverse("notices:list")))
    assert page.index(pinned.title) < page.index(changsha_notice.title)
    assert changsha_notice.title in page and public_notice.title in page
    assert page.count("未读") >= 3


def test_detail_marks_read_and_the_unread_filter_and_home_box_follow(
    login, cast, changsha_notice, public_notice
):
    client = login("learner")
    home = body(client.get(reverse("home")))
    assert 'id="unread-notices"' in home and changsha_notice.title in home
    response = client.get(reverse("notices:detail", args=[changsha_notice.pk]))
    assert response.status_code == 200
    assert "<p>现将有关事项通知如下。</p>" in body(response)
    assert "计划申请表.docx" in body(response) and "附件模板" in body(response)
    unread = body(client.get(reverse("notices:list") + "?unread=1"))
    assert changsha_notice.title not in unread and public_notice.title in unread
    assert changsha_notice.title not in body(client.get(reverse("home")))


def test_body_is_escaped(login, cast):
    notice = published(cast, "changsha", body="<script>alert(1)</script>\n第二行")
    page = body(login("learner").get(reverse("notices:detail", args=[notice.pk])))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_another_city_gets_404_on_the_notice_and_its_attachment(login, changsha_notice):
    client = login("zhuzhou_admin")
    attachment = changsha_notice.attachments.first()
    assert client.get(reverse("notices:detail", args=[changsha_notice.pk])).status_code == 404
    url = reverse("notices:attachment", args=[changsha_notice.pk, attachment.pk])
    assert client.get(url).status_code == 404
    assert changsha_notice.title not in body(client.get(reverse("notices:list")))
    assert (
        login("zhuzhou")
        .get(reverse("notices:manage_detail", args=[changsha_notice.pk]))
        .status_code
        == 404
    )


def test_a_reader_in_scope_downloads_the_attachment_under_its_name(login, changsha_notice):
    attachment = changsha_notice.attachments.get(is_template=True)
    response = login("city_admin").get(
        reverse("notices:attachment", args=[changsha_notice.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_a_draft_answers_404_to_readers_but_not_to_its_publisher(login, cast):
    notice = draft(cast, "changsha")
    assert login("learner").get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    client = login("changsha")
    assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    assert notice.title in body(client.get(reverse("notices:manage")))
    assert client.get(reverse("notices:manage_detail", args=[notice.pk])).status_code == 200


def test_anonymous_sees_only_public_notices(client, cast, changsha_notice, public_notice):
    page = body(client.get(reverse("public_notices")))
    assert public_notice.title in page and changsha_notice.title not in page
    assert client.get(reverse("public_notice", args=[public_notice.pk])).status_code == 200
    assert client.get(reverse("public_notice", args=[changsha_notice.pk])).status_code == 404
    public_file = public_notice.attachments.first()
    scope_file = changsha_notice.attachments.first()
    ok = client.get(reverse("public_notice_attachment", args=[public_notice.pk, public_file.pk]))
    assert ok.status_code == 200
    refused = client.get(
        reverse("public_notice_attachment", args=[changsha_notice.pk, scope_file.pk])
    )
    assert refused.status_code == 404
    assert client.get(reverse("notices:list")).status_code == 302


def test_only_authorities_reach_the_publishing_pages(login):
    for key in ["city_admin", "learner"]:
        client = login(key)
        assert client.get(reverse("notices:manage")).status_code == 403
        assert client.get(reverse("notices:add")).status_code == 403


def test_an_authority_drafts_attaches_publishes_and_withdraws(login, cast):
    client = login("changsha")
    response = client.post(
        reverse("notices:add"),
        {
            "title": "关于开展2025年度学分审核的通知",
            "audience": "scope",
            "body": "各单位：\n\n请按时审核。",
        },
    )
    notice = Notice.objects.get(title="关于开展2025年度学分审核的通知")
    assert response["Location"] == reverse("notices:manage_detail", args=[notice.pk])
    response = client.post(
        reverse("notices:attach", args=[notice.pk]),
        {"file": upload("审核汇总表.pdf"), "is_template": "on"},
    )
    assert response.status_code == 302
    assert notice.attachments.get().is_template
    client.post(reverse("notices:publish", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.state == Notice.State.PUBLISHED
    assert notice.title in body(login("learner").get(reverse("notices:list")))
    client = login("changsha")
    client.post(reverse("notices:withdraw", args=[notice.pk]), {"reason": "时间有变"})
    notice.refresh_from_db()
    assert notice.state == Notice.State.WITHDRAWN
    assert "时间有变" in body(client.get(reverse("notices:manage_detail", args=[notice.pk])))
    assert login("learner").get(reverse("notices:detail", args=[notice.pk])).status_code == 404


def test_a_renamed_exe_is_refused_on_the_page_with_the_field_named(login, cast):
    notice = draft(cast, "changsha")
    response = login("changsha").post(
        reverse("notices:attach", args=[notice.pk]), {"file": upload("通知.pdf", b"MZ\x90\x00")}
    )
    assert response.status_code == 200
    assert "附件文件：文件内容不是PDF、JPG、PNG、Word或Excel格式。" in body(response)
    assert not notice.attachments.exists()


def test_the_reader_list_uses_a_fixed_number_of_queries(login, cast, django_assert_max_num_queries):
    for i in range(15):
        published(cast, "changsha", title="通知{}".format(i))
    client = login("learner")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("notices:list")).status_code == 200


def test_nav_has_one_entry_for_every_logged_in_user(login):
    for key in ["learner", "changsha", "city_admin"]:
        page = body(login(key).get(reverse("home")))
        assert page.count('href="{u}"'.format(u=reverse("notices:list"))) == 1
