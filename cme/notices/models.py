"""Notices (通知公告, SPEC §9): an authority publishes to its scope or to everyone, with
attachments and templates to download; readers' unread notices are tracked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.orgs.models import Organisation


class Notice(models.Model):  # 通知公告
    """A notice of a health authority (national office, province, city or county)."""

    class Audience(models.TextChoices):
        SCOPE = "scope", _("本辖区")
        PUBLIC = "public", _("公开")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(
        _("文号"), max_length=64, blank=True, help_text=_("如：湘卫科教发〔2024〕3号")
    )
    body = models.TextField(_("正文"), help_text=_("纯文本，空行分段。"))
    publisher = models.ForeignKey(
        Organisation, verbose_name=_("发布机构"), on_delete=models.PROTECT, related_name="notices"
    )
    audience = models.CharField(
        _("发布范围"), max_length=16, choices=Audience.choices, default=Audience.SCOPE
    )
    pinned = models.BooleanField(_("置顶"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-pinned", "-published_at", "-id"]
        indexes = [models.Index(fields=["state", "audience", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(published_at__isnull=False),
                name="published_notice_has_a_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.audience == self.Audience.PUBLIC

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


def attachment_upload_to(instance: "NoticeAttachment", filename: str) -> str:
    return "notices/{n}/{f}".format(n=instance.notice_id, f=filename)


class NoticeAttachment(models.Model):  # 通知附件
    """A file of a notice; a template (附件模板) is a form readers download and fill in."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    is_template = models.BooleanField(_("附件模板"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class NoticeRead(models.Model):  # 阅读记录
    """A reader opened a notice: what is not here is unread."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_reads"
    )
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "notice"], name="one_read_per_user_notice")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.notice}"
