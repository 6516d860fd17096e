"""Integrity alerts (诚信预警, SPEC §8; issue 7 §8) and the log of public certificate
verifications the VERIFY_BURST rule reads.

An alert names the records that raised it, goes to the lowest authority over all of them
and is closed with a decision; nothing is voided automatically."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.certificates.models import Certificate
from cme.holding.models import HeldSession
from cme.orgs.models import Organisation
from cme.people.models import Person


class IntegrityAlert(models.Model):  # 诚信预警
    """One finding of one rule about one subject (a person, a unit, a session or a
    certificate). `fingerprint` is unique, so scanning again never adds a duplicate."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        CLOSED = "closed", _("已处理")

    class Decision(models.TextChoices):
        DISMISSED = "dismissed", _("无问题")
        CONFIRMED = "confirmed", _("已核实")

    rule = models.CharField(_("预警规则"), max_length=32, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    fingerprint = models.CharField(max_length=128, unique=True, editable=False)
    authority = models.ForeignKey(
        Organisation, verbose_name=_("处理部门"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    session = models.ForeignKey(
        HeldSession,
        verbose_name=_("项目期次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField(_("预警内容"), max_length=255)
    # [{"kind": "credit"|"session"|"attendee"|"lesson"|"certificate"|"unit", "id": …,
    #   "label": "…", plus ids the page links with: "person_id", "session_id", "number"}]
    records = models.JSONField(_("涉及记录"), default=list)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    decision = models.CharField(_("处理结论"), max_length=16, choices=Decision.choices, blank=True)
    reason = models.TextField(_("处理理由"), blank=True)
    action_taken = models.TextField(_("采取的措施"), blank=True)
    sanction = models.ForeignKey(
        "supervision.Sanction",
        verbose_name=_("相关处理决定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近扫描时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诚信预警")
        verbose_name_plural = _("诚信预警")
        ordering = ["-found_at", "-id"]
        indexes = [models.Index(fields=["authority", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open", decision="")
                | models.Q(state="closed") & ~models.Q(decision="") & ~models.Q(reason=""),
                name="integrity_closed_with_a_decision",
            )
        ]

    def __str__(self) -> str:
        return "{r} {s}".format(r=self.rule, s=self.summary)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def rule_title(self) -> str:
        from cme.integrity.rules import rule_title

        return rule_title(self.rule)


class Verification(models.Model):  # 证书核验记录
    """One look-up of a certificate on the public verify page or API. The client's address
    is never stored: only a keyed hash of its network (IPv4 /24, IPv6 /48)."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="verifications"
    )
    at = models.DateTimeField(_("核验时间"), auto_now_add=True, db_index=True)
    network = models.CharField(_("来源网络（哈希）"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("证书核验记录")
        verbose_name_plural = _("证书核验记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["certificate", "at"])]

    def __str__(self) -> str:
        return "{c} {a}".format(c=self.certificate_id, a=self.at)
