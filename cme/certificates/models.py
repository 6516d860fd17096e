"""Electronic credit certificates (电子学分证书, SPEC §5): one per valid credit record, with a
non-guessable number anyone can check on the public verify page, and the zip of a
session's certificates built in the background."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cme.credits.models import CreditRecord
from cme.holding.models import HeldSession

# Crockford base32: no I, L, O or U, so a number read aloud or typed is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 16  # 80 random bits


def new_number() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(NUMBER_LENGTH))


def normalise_number(text: str) -> str:
    """What a person typed, as stored: no spaces or dashes, upper case, O→0, I/L→1."""
    text = "".join(text.split()).replace("-", "").upper()
    return text.translate(str.maketrans("OIL", "011"))


def display_number(number: str) -> str:
    """ABCD-EFGH-JKMN-PQRS."""
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))


class Certificate(models.Model):  # 电子学分证书
    """The certificate of one credit record. Learners get a 学分证书, lecturers a 授课证明;
    whether it is valid is the credit's status, so voiding the credit voids it."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        VOID = "void", _("已作废")
        NOT_VALID = "not_valid", _("未生效")

    number = models.CharField(_("证书编号"), max_length=NUMBER_LENGTH, unique=True)
    credit = models.OneToOneField(
        CreditRecord,
        verbose_name=_("学分记录"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    issued_on = models.DateField(_("发证日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("电子学分证书")
        verbose_name_plural = _("电子学分证书")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return display_number(self.number)

    @property
    def is_lecturer(self) -> bool:
        return self.credit.role == CreditRecord.Role.LECTURER

    @property
    def kind_label(self) -> str:
        return str(_("授课证明") if self.is_lecturer else _("学分证书"))

    @property
    def status(self) -> str:
        if self.credit.status == CreditRecord.Status.VALID:
            return self.Status.VALID
        if self.credit.status == CreditRecord.Status.VOID:
            return self.Status.VOID
        return self.Status.NOT_VALID

    @property
    def status_label(self) -> str:
        """有效 / 已作废（原因） / 未生效."""
        label = str(self.Status(self.status).label)
        if self.status == self.Status.VOID and self.credit.status_reason:
            return "{l}（{r}）".format(l=label, r=self.credit.status_reason)
        return label


def batch_upload_to(instance, filename: str) -> str:
    """An unguessable name (the file is only ever served through the scoped download
    view), the same for every attempt at one batch, so a retried build replaces its zip."""
    token = salted_hmac("cme.certificates.batch", str(instance.pk)).hexdigest()[:16]
    return "certificates/batches/{s}/{pk}-{t}.zip".format(
        s=instance.session_id, pk=instance.pk, t=token
    )


class CertificateBatch(models.Model):  # 证书批量下载
    """All valid certificates of a session as one zip, built by a background task that
    counts `done` as it goes so the page can show progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    session = models.ForeignKey(
        HeldSession,
        verbose_name=_("项目期次"),
        on_delete=models.CASCADE,
        related_name="certificate_batches",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("证书数"), default=0)
    done = models.PositiveIntegerField(_("已生成"), default=0)
    file = models.FileField(upload_to=batch_upload_to, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("证书批量下载")
        verbose_name_plural = _("证书批量下载")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return "{s} · {n}".format(s=self.session, n=self.total)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
