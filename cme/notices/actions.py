"""Every change to a notice (SPEC §9): drafts by an authority for itself, publishing to its
scope (本辖区) or to everyone (公开), withdrawal with a reason, attachments checked by their
content, and reading. Pages, the API and the demo loader all come through here."""

import io
import os
import uuid
import zipfile

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.scope import acting_org
from cme.core import audit
from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.uploads import validate_document
from cme.notices.models import Notice, NoticeAttachment, NoticeRead
from cme.notices.permissions import can_manage, can_publish

State, Audience = Notice.State, Notice.Audience

ATTACHMENT_FIELD = "附件文件"
# Extensions a file may keep, by what its content is; otherwise it gets the first one.
EXTENSIONS = {
    "pdf": (".pdf",),
    "jpeg": (".jpg", ".jpeg"),
    "png": (".png",),
    "word": (".docx",),
    "excel": (".xlsx",),
    "ole": (".doc", ".xls"),
}


def _text(value: str, field: str, label: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("REQUIRED", "请填写{f}。".format(f=label), field=field)
    if max_length and len(value) > max_length:
        raise DomainError(
            "TOO_LONG", "{f}不能超过{n}个字。".format(f=label, n=max_length), field=field
        )
    return value


def _audience(value: str) -> str:
    if value not in Audience.values:
        raise DomainError(
            "NOTICE_AUDIENCE",
            "发布范围无效，可选：{a}。".format(a="、".join(str(x) for x in Audience.labels)),
            field="audience",
        )
    return value


def _fields(title: str, body: str, audience: str, document_number: str) -> dict:
    return {
        "title": _text(title, "title", "标题", 200),
        "body": _text(body, "body", "正文"),
        "audience": _audience(audience),
        "document_number": (document_number or "").strip()[:64],
    }


def _editable(notice: Notice, actor) -> None:
    if not can_manage(actor, notice):
        raise PermissionDenied("只有发布机构可以修改该通知。")
    if notice.state != State.DRAFT:
        raise Conflict("该通知已{s}，不能再修改。".format(s=notice.get_state_display()))


@transaction.atomic
def create_notice(
    *,
    actor,
    title: str,
    body: str,
    audience: str = Audience.SCOPE,
    document_number: str = "",
    pinned: bool = False,
) -> Notice:
    """A draft of the actor's authority; nobody else sees it until it is published."""
    if not can_publish(actor):
        raise PermissionDenied("只有卫生健康行政部门可以发布通知公告。")
    return Notice.objects.create(
        **_fields(title, body, audience, document_number),
        pinned=bool(pinned),
        publisher=acting_org(actor),
        created_by=actor,
    )


@transaction.atomic
def update_notice(
    notice: Notice,
    *,
    actor,
    title: str,
    body: str,
    audience: str,
    document_number: str = "",
    pinned: bool = False,
) -> Notice:
    """Change a draft; a published notice is withdrawn and published anew instead."""
    _editable(notice, actor)
    for name, value in _fields(title, body, audience, document_number).items():
        setattr(notice, name, value)
    notice.pinned = bool(pinned)
    notice.save()
    return notice


@transaction.atomic
def publish_notice(notice: Notice, *, actor) -> Notice:
    """Draft → published: from now on its readers see it, unread."""
    if not can_manage(actor, notice):
        raise PermissionDenied("只有发布机构可以发布该通知。")
    now = timezone.now()
    updated = Notice.objects.filter(pk=notice.pk, state=State.DRAFT).update(
        state=State.PUBLISHED, published_at=now, published_by=actor
    )
    if not updated:
        raise Conflict("该通知已发布或已撤回，请刷新后查看。")
    notice.state, notice.published_at, notice.published_by = State.PUBLISHED, now, actor
    NoticeRead.objects.get_or_create(user=actor, notice=notice)
    audit.record(
        "notice.publish",
        actor=actor,
        obj=notice,
        scope_path=notice.publisher.tree_path,
        changes={
            "发布范围": str(notice.get_audience_display()),
            "文号": notice.document_number,
            "附件": notice.attachments.count(),
        },
    )
    return notice


@transaction.atomic
def withdraw_notice(notice: Notice, *, actor, reason: str) -> Notice:
    """Published → withdrawn: readers no longer see it; the publisher keeps it, with why."""
    if not can_manage(actor, notice):
        raise PermissionDenied("只有发布机构可以撤回该通知。")
    reason = _text(reason, "reason", "撤回理由")
    now = timezone.now()
    updated = Notice.objects.filter(pk=notice.pk, state=State.PUBLISHED).update(
        state=State.WITHDRAWN, withdrawn_at=now, withdrawn_by=actor, withdrawal_reason=reason
    )
    if not updated:
        raise Conflict("只能撤回已发布的通知，请刷新后查看。")
    notice.state, notice.withdrawn_at, notice.withdrawn_by = State.WITHDRAWN, now, actor
    notice.withdrawal_reason = reason
    audit.record(
        "notice.withdraw",
        actor=actor,
        obj=notice,
        scope_path=notice.publisher.tree_path,
        comment=reason,
    )
    return notice


# --- attachments -------------------------------------------------------------------------------


def _content_kind(upload) -> str:
    """pdf / jpeg / png / word / excel / ole, from the bytes; a ZIP that is neither a Word
    nor an Excel document is refused like any other file."""
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    try:
        names = zipfile.ZipFile(io.BytesIO(upload.read())).namelist()
    except zipfile.BadZipFile:
        names = []
    finally:
        upload.seek(0)
    if any(n.startswith("word/") for n in names):
        return "word"
    if any(n.startswith("xl/") for n in names):
        return "excel"
    raise ValidationError("文件内容不是PDF、JPG、PNG、Word或Excel格式。", code="FILE_TYPE")


def _display_name(original: str, kind: str) -> str:
    """The uploader's file name, with an extension that matches the content."""
    base, ext = os.path.splitext(os.path.basename(original or "").strip())
    base = (base or "附件")[:150]
    allowed = EXTENSIONS[kind]
    return base + (ext.lower() if ext.lower() in allowed else allowed[0])


@transaction.atomic
def add_attachment(notice: Notice, *, actor, file, is_template: bool = False) -> NoticeAttachment:
    """A PDF, image, Word or Excel file of at most 10 MB, checked by its content; a template
    (附件模板) is a form readers download and fill in."""
    _editable(notice, actor)
    if not file:
        raise DomainError("REQUIRED", "请选择{f}。".format(f=ATTACHMENT_FIELD), field="file")
    try:
        validate_document(file)
        kind = _content_kind(file)
    except ValidationError as exc:
        raise DomainError(
            exc.code or "FILE_TYPE",
            "{f}：{m}".format(f=ATTACHMENT_FIELD, m=exc.messages[0]),
            field="file",
        ) from None
    name = _display_name(getattr(file, "name", ""), kind)
    file.name = uuid.uuid4().hex + os.path.splitext(name)[1]  # never the uploader's name on disk
    return NoticeAttachment.objects.create(
        notice=notice,
        file=file,
        name=name,
        size=file.size,
        is_template=bool(is_template),
        uploaded_by=actor,
    )


@transaction.atomic
def remove_attachment(attachment: NoticeAttachment, *, actor) -> None:
    _editable(attachment.notice, actor)
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


# --- reading -----------------------------------------------------------------------------------


def mark_read(notice: Notice, *, user) -> None:
    """The user has opened the notice (nothing for an anonymous visitor); opening it again
    changes nothing."""
    if not user.is_authenticated:
        return
    try:
        with transaction.atomic():
            NoticeRead.objects.get_or_create(user=user, notice=notice)
    except IntegrityError:  # a second tab opened it at the same moment
        pass
