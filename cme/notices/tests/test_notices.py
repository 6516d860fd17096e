"""SPEC §9 通知公告: an authority publishes to its scope (本辖区) or to everyone (公开);
drafts and withdrawn notices stay with the publisher; readers' unread notices are tracked."""

import pytest

from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.models import AuditEvent
from cme.core.tests.files import docx_bytes
from cme.notices import actions
from cme.notices.models import Notice, NoticeAttachment, NoticeRead
from cme.notices.queries import notices_for, unread_notices
from cme.notices.tests.conftest import draft, published, upload

pytestmark = pytest.mark.django_db


def readers_of(cast, notice) -> set[str]:
    return {key for key, user in cast.users.items() if notices_for(user).filter(pk=notice.pk)}


def test_a_scope_notice_reaches_every_user_under_the_publisher_and_no_one_else(cast):
    notice = published(cast, "changsha")
    assert readers_of(cast, notice) == {"changsha", "furong", "city_admin", "county_admin",
                                        "learner", "admin"}  # fmt: skip


def test_a_province_notice_reaches_both_cities_but_not_the_national_office(cast):
    notice = published(cast, "province")
    readers = readers_of(cast, notice)
    assert {"changsha", "zhuzhou", "zhuzhou_admin", "learner", "society_admin"} <= readers
    assert "national" not in readers


def test_a_public_notice_reaches_everyone(cast):
    notice = published(cast, "furong", Notice.Audience.PUBLIC)
    assert readers_of(cast, notice) == set(cast.users)


def test_a_draft_is_invisible_to_readers(cast):
    notice = draft(cast, "changsha", Notice.Audience.PUBLIC)
    assert readers_of(cast, notice) == set()
    assert notice.state == Notice.State.DRAFT


def test_only_authorities_publish(cast):
    for key in ["city_admin", "learner", "society_admin", "admin"]:
        with pytest.raises(PermissionDenied):
            draft(cast, key)


def test_another_authority_cannot_publish_or_withdraw_a_notice(cast):
    notice = draft(cast, "changsha")
    with pytest.raises(PermissionDenied):
        actions.publish_notice(notice, actor=cast.users["province"])
    actions.publish_notice(notice, actor=cast.users["changsha"])
    with pytest.raises(PermissionDenied):
        actions.withdraw_notice(notice, actor=cast.users["zhuzhou"], reason="误发")


def test_publishing_is_audited_and_happens_once(cast):
    notice = draft(cast, "changsha", document_number="长卫科教发〔2024〕3号")
    actions.publish_notice(notice, actor=cast.users["changsha"])
    event = AuditEvent.objects.get(action="notice.publish", object_id=str(notice.pk))
    assert event.changes["发布范围"] == "本辖区"
    assert event.changes["文号"] == "长卫科教发〔2024〕3号"
    assert notice.published_at is not None
    with pytest.raises(Conflict):
        actions.publish_notice(notice, actor=cast.users["changsha"])


def test_a_withdrawn_notice_needs_a_reason_and_is_gone_for_readers(cast):
    notice = published(cast, "changsha", Notice.Audience.PUBLIC)
    with pytest.raises(DomainError) as exc:
        actions.withdraw_notice(notice, actor=cast.users["changsha"], reason=" ")
    assert exc.value.field == "reason"
    actions.withdraw_notice(notice, actor=cast.users["changsha"], reason="内容有误，重新发布")
    notice.refresh_from_db()
    assert notice.state == Notice.State.WITHDRAWN
    assert notice.withdrawal_reason == "内容有误，重新发布"
    assert readers_of(cast, notice) == set()
    assert AuditEvent.objects.filter(
        action="notice.withdraw", comment="内容有误，重新发布"
    ).exists()


def test_a_published_notice_is_no_longer_edited(cast):
    notice = published(cast, "changsha")
    with pytest.raises(Conflict):
        actions.update_notice(
            notice, actor=cast.users["changsha"], title="新标题", body="x", audience="scope"
        )
    with pytest.raises(Conflict):
        actions.add_attachment(notice, actor=cast.users["changsha"], file=upload())


def test_title_and_body_are_required_and_named(cast):
    with pytest.raises(DomainError) as exc:
        draft(cast, "changsha", title="  ")
    assert exc.value.field == "title"
    assert "标题" in exc.value.message


def test_a_renamed_exe_is_refused_with_a_message_naming_the_field(cast):
    notice = draft(cast, "changsha")
    exe = upload("附件模板.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    with pytest.raises(DomainError) as exc:
        actions.add_attachment(notice, actor=cast.users["changsha"], file=exe)
    assert exc.value.field == "file"
    assert exc.value.message == "附件文件：文件内容不是PDF、JPG、PNG、Word或Excel格式。"
    assert not NoticeAttachment.objects.exists()


def test_a_zip_that_is_not_an_office_document_is_refused(cast):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("setup.exe", b"MZ")
    with pytest.raises(DomainError, match="附件文件"):
        actions.add_attachment(
            draft(cast), actor=cast.users["changsha"], file=upload("表格.xlsx", out.getvalue())
        )


def test_an_attachment_keeps_its_name_with_the_extension_of_its_content(cast):
    notice = draft(cast, "changsha")
    word = actions.add_attachment(
        notice, actor=cast.users["changsha"], file=upload("申请表.pdf", docx_bytes())
    )
    assert word.name == "申请表.docx"
    assert "申请表" not in word.file.name  # stored under a random name
    assert word.file.name.endswith(".docx")


def test_too_large_an_attachment_is_refused(cast):
    big = upload("大文件.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(DomainError, match="附件文件：文件超过10MB"):
        actions.add_attachment(draft(cast), actor=cast.users["changsha"], file=big)


def test_reading_drops_the_unread_count_once(cast):
    published(cast, "changsha")
    second = published(cast, "province")
    learner = cast.users["learner"]
    assert unread_notices(learner).count() == 2
    actions.mark_read(second, user=learner)
    actions.mark_read(second, user=learner)
    assert unread_notices(learner).count() == 1
    assert NoticeRead.objects.filter(user=learner).count() == 1


def test_the_publisher_has_read_its_own_notice(cast):
    published(cast, "changsha")
    assert unread_notices(cast.users["changsha"]).count() == 0
