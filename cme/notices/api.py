"""API: notices addressed to me (with the unread flag), reading one (which marks it read),
attachments, and an authority's drafts, publishing and withdrawal (SPEC §9)."""

import datetime

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from cme.api.auth import current_user
from cme.api.schemas import ERRORS, OrgRef, Pages, ReasonIn, file_response
from cme.core.errors import PermissionDenied
from cme.notices import actions
from cme.notices.models import Notice, NoticeAttachment
from cme.notices.permissions import can_publish
from cme.notices.queries import (
    attachment_for,
    managed_notice_for,
    notice_for,
    notices_for,
    notices_managed_by,
    with_reading,
)

router = Router(tags=["通知公告"])


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    is_template: bool = Field(..., description="附件模板（需下载填写的表格等）")
    download_url: str

    @staticmethod
    def resolve_download_url(attachment: NoticeAttachment) -> str:
        return "/api/v1/notices/{n}/attachments/{a}".format(n=attachment.notice_id, a=attachment.pk)


class NoticeListOut(Schema):
    id: int
    title: str
    document_number: str
    publisher: OrgRef
    audience: str = Field(..., description="scope 本辖区 / public 公开")
    pinned: bool
    published_at: datetime.datetime | None
    unread: bool
    attachment_count: int


class NoticeOut(Schema):
    id: int
    title: str
    document_number: str
    body: str
    publisher: OrgRef
    audience: str
    pinned: bool
    state: str = Field(..., description="draft 草稿 / published 已发布 / withdrawn 已撤回")
    published_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(notice: Notice) -> list[NoticeAttachment]:
        return list(notice.attachments.all())


class NoticeIn(Schema):
    title: str
    body: str = Field(..., description="纯文本，空行分段")
    audience: Notice.Audience = Notice.Audience.SCOPE
    document_number: str = Field("", description="文号，如 湘卫科教发〔2024〕3号")
    pinned: bool = False


def _publisher(user) -> None:
    if not can_publish(user):
        raise PermissionDenied("只有卫生健康行政部门可以发布通知公告。")


@router.get("/notices", response={200: list[NoticeListOut], **ERRORS}, summary="我的通知公告")
@paginate(Pages)
def list_notices(request: HttpRequest, unread: bool | None = None) -> QuerySet[Notice]:
    """发给我的通知（本单位所在辖区的各级部门发布的，以及公开的），置顶在前、新的在前；
    unread=true 只列未读。"""
    user = current_user(request)
    qs = with_reading(notices_for(user), user)
    if unread is not None:
        qs = qs.filter(unread=unread)
    return qs


@router.get("/notices/managed", response={200: list[NoticeOut], **ERRORS}, summary="本机构的通知")
@paginate(Pages)
def list_managed(request: HttpRequest, state: Notice.State | None = None) -> QuerySet[Notice]:
    """本机构发布的通知，含草稿和已撤回的（卫生健康行政部门）。"""
    user = current_user(request)
    _publisher(user)
    qs = notices_managed_by(user).prefetch_related("attachments")
    return qs.filter(state=state) if state else qs


@router.get("/notices/{notice_id}", response={200: NoticeOut, **ERRORS}, summary="阅读通知")
def get_notice(request: HttpRequest, notice_id: int) -> Notice:
    """同时记为已读。"""
    user = current_user(request)
    notice = notice_for(user, notice_id)
    actions.mark_read(notice, user=user)
    return notice


@router.get(
    "/notices/{notice_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    openapi_extra=file_response("附件文件", "application/octet-stream"),
    summary="下载附件",
)
def download_attachment(request: HttpRequest, notice_id: int, attachment_id: int) -> FileResponse:
    attachment = attachment_for(current_user(request), notice_id, attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@router.post("/notices", response={201: NoticeOut, **ERRORS}, summary="新建通知草稿")
def create_notice(request: HttpRequest, payload: NoticeIn) -> Status[Notice]:
    """本机构的草稿，发布前只有本机构可见。"""
    notice = actions.create_notice(actor=current_user(request), **payload.dict())
    return Status(201, notice)


@router.put("/notices/{notice_id}", response={200: NoticeOut, **ERRORS}, summary="修改通知草稿")
def update_notice(request: HttpRequest, notice_id: int, payload: NoticeIn) -> Notice:
    user = current_user(request)
    _publisher(user)
    return actions.update_notice(managed_notice_for(user, notice_id), actor=user, **payload.dict())


@router.post(
    "/notices/{notice_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="上传附件",
)
def upload_attachment(
    request: HttpRequest,
    notice_id: int,
    file: File[UploadedFile],
    is_template: Form[bool] = False,
) -> Status[NoticeAttachment]:
    """multipart 字段 file（按内容检查：PDF、JPG、PNG、Word或Excel，不超过10MB）；
    is_template=true 为附件模板。只能在草稿中上传。"""
    user = current_user(request)
    _publisher(user)
    attachment = actions.add_attachment(
        managed_notice_for(user, notice_id), actor=user, file=file, is_template=is_template
    )
    return Status(201, attachment)


@router.post(
    "/notices/{notice_id}/publish", response={200: NoticeOut, **ERRORS}, summary="发布通知"
)
def publish_notice(request: HttpRequest, notice_id: int) -> Notice:
    user = current_user(request)
    _publisher(user)
    return actions.publish_notice(managed_notice_for(user, notice_id), actor=user)


@router.post(
    "/notices/{notice_id}/withdraw", response={200: NoticeOut, **ERRORS}, summary="撤回通知"
)
def withdraw_notice(request: HttpRequest, notice_id: int, payload: ReasonIn) -> Notice:
    """撤回后读者不再可见，本机构仍可查看；须填写理由。"""
    user = current_user(request)
    _publisher(user)
    return actions.withdraw_notice(
        managed_notice_for(user, notice_id), actor=user, reason=payload.reason
    )
