"""API of 通知公告: my notices with the unread flag, reading one, and an authority's
drafts, attachments, publishing and withdrawal — through the same actions as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.holding.tests.test_api import api
from cme.notices.models import Notice
from cme.notices.tests.conftest import PDF, draft

pytestmark = pytest.mark.django_db


def test_list_has_the_unread_flag_and_get_marks_read(client, cast, changsha_notice, public_notice):
    call = api(client, cast.users["learner"])
    response = call("get", "/notices")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert {item["id"]: item["unread"] for item in data["items"]} == {
        changsha_notice.pk: True,
        public_notice.pk: True,
    }
    one = call("get", "/notices/{n}".format(n=changsha_notice.pk)).json()
    assert one["document_number"] == "长卫科教发〔2024〕3号"
    assert [a["is_template"] for a in one["attachments"]] == [False, True]
    unread = call("get", "/notices?unread=true").json()
    assert [item["id"] for item in unread["items"]] == [public_notice.pk]


def test_another_city_gets_404_on_the_notice_and_its_attachment(client, cast, changsha_notice):
    call = api(client, cast.users["zhuzhou_admin"])
    assert call("get", "/notices/{n}".format(n=changsha_notice.pk)).status_code == 404
    attachment = changsha_notice.attachments.first()
    url = "/notices/{n}/attachments/{a}".format(n=changsha_notice.pk, a=attachment.pk)
    assert call("get", url).status_code == 404
    assert api(client, cast.users["learner"])("get", url).status_code == 200


def test_an_authority_creates_uploads_publishes_and_withdraws(client, cast):
    call = api(client, cast.users["province"])
    response = call(
        "post",
        "/notices",
        {
            "title": "关于申报2025年度省级继续医学教育项目的通知",
            "body": "各市州卫生健康委：\n\n现将有关事项通知如下。",
            "audience": "public",
            "document_number": "湘卫科教发〔2024〕3号",
        },
    )
    assert response.status_code == 201, response.content
    notice_id = response.json()["id"]
    assert response.json()["state"] == "draft"
    assert (
        api(client, cast.users["learner"])("get", "/notices/{n}".format(n=notice_id)).status_code
        == 404
    )
    response = call(
        "post",
        "/notices/{n}/attachments".format(n=notice_id),
        files={"file": SimpleUploadedFile("汇总表.pdf", PDF), "is_template": "true"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_template"] is True
    published = call("post", "/notices/{n}/publish".format(n=notice_id))
    assert published.status_code == 200
    assert published.json()["state"] == "published"
    assert call("post", "/notices/{n}/publish".format(n=notice_id)).status_code == 409
    withdrawn = call("post", "/notices/{n}/withdraw".format(n=notice_id), {"reason": "重复发布"})
    assert withdrawn.json()["state"] == "withdrawn"
    managed = call("get", "/notices/managed").json()
    assert [n["withdrawal_reason"] for n in managed["items"]] == ["重复发布"]


def test_a_renamed_exe_is_refused_naming_the_field(client, cast):
    notice = draft(cast, "changsha")
    response = api(client, cast.users["changsha"])(
        "post",
        "/notices/{n}/attachments".format(n=notice.pk),
        files={"file": SimpleUploadedFile("表格.xlsx", b"MZ\x90\x00\x03")},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert response.json()["message"].startswith("附件文件：")


def test_non_authorities_cannot_publish_and_others_cannot_touch_a_draft(client, cast):
    payload = {"title": "通知", "body": "正文"}
    assert api(client, cast.users["city_admin"])("post", "/notices", payload).status_code == 403
    notice = draft(cast, "changsha")
    zhuzhou = api(client, cast.users["zhuzhou"])
    assert zhuzhou("post", "/notices/{n}/publish".format(n=notice.pk)).status_code == 404
    assert Notice.objects.get(pk=notice.pk).state == Notice.State.DRAFT
