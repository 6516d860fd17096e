"""The annual audit (年度学分审核, SPEC §7; 003 §二十五-二十六) and the annual qualification
certificate (年度合格证明, 003 §九).

A unit audits its staff once per year, never across years: at submission every staff
member's totals and result are copied into AuditEntry rows (the list the reviewers decide
on), and the audit goes up the unit's chain of authorities (county → city → province, or
straight to the province). Each step approves, returns it to the unit or rejects it. When
the province approves, every 达标 person of the list gets an AnnualCertificate. Voiding a
person's year for fraud marks their entries and certificate (`actions.on_year_voided`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.certificates.models import NUMBER_LENGTH, display_number
from cme.credits.ledger import Result
from cme.orgs.models import Organisation
from cme.people.models import Person

RESULT_CHOICES = [(value, label) for value, label in Result.LABELS.items()]


class AnnualAudit(models.Model):  # 年度学分审核
    """One unit's audit of one year. `chain` is fixed at submission: the ids of the
    authorities that review it, nearest first; `step` indexes the one holding it."""

    class State(models.TextChoices):
        NOT_SUBMITTED = "not_submitted", _("未审核")
        IN_REVIEW = "in_review", _("审核中")
        RETURNED = "returned", _("退回")
        REJECTED = "rejected", _("不通过")
        APPROVED = "approved", _("通过")

    unit = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="annual_audits"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.NOT_SUBMITTED
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    chain = models.JSONField(_("审核链"), default=list)
    step = models.PositiveSmallIntegerField(default=0)
    holder = models.ForeignKey(
        Organisation,
        verbose_name=_("当前审核单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_since = models.DateTimeField(_("送达时间"), null=True, blank=True)
    staff_count = models.PositiveIntegerField(_("人数"), default=0)
    qualified_count = models.PositiveIntegerField(_("达标人数"), default=0)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.CharField(_("退回或不通过原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("年度学分审核")
        verbose_name_plural = _("年度学分审核")
        ordering = ["-year", "unit__tree_path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_audit_per_unit_and_year")
        ]
        indexes = [
            models.Index(fields=["holder", "state"]),
            models.Index(fields=["year", "state"]),
        ]

    def __str__(self) -> str:
        return "{u} {y}年度".format(u=self.unit, y=self.year)

    @property
    def is_open(self) -> bool:
        """Not decided for good: the unit may still (re)submit or a reviewer decide."""
        return self.state in (self.State.IN_REVIEW, self.State.RETURNED)

    @property
    def shows_snapshot(self) -> bool:
        """The list reviewers decide on is the snapshot; before submission and after a
        return the unit works on the live ledger."""
        return self.state in (self.State.IN_REVIEW, self.State.APPROVED, self.State.REJECTED)


class AuditEntry(models.Model):  # 审核名单
    """One staff member as submitted: name, department and title as they were, the year's
    totals and result. `voided_at` marks a year voided for fraud after the snapshot."""

    audit = models.ForeignKey(AnnualAudit, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="audit_entries")
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职称"), max_length=32, blank=True)
    department = models.CharField(_("科室"), max_length=64, blank=True)
    total = models.DecimalField(_("总学分"), max_digits=6, decimal_places=1)
    class1 = models.DecimalField(_("I类学分"), max_digits=6, decimal_places=1)
    class2 = models.DecimalField(_("II类学分"), max_digits=6, decimal_places=1)
    hours = models.DecimalField(_("总学时"), max_digits=7, decimal_places=1)
    result = models.CharField(_("达标结果"), max_length=16, choices=RESULT_CHOICES)
    reasons = models.TextField(_("说明"), blank=True)
    warnings = models.TextField(_("提示"), blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("审核名单")
        verbose_name_plural = _("审核名单")
        ordering = ["department", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "person"], name="one_audit_entry_per_person")
        ]
        indexes = [models.Index(fields=["audit", "result"])]

    def __str__(self) -> str:
        return "{a} · {n}".format(a=self.audit, n=self.name)

    @property
    def counts_as_qualified(self) -> bool:
        return self.result == Result.QUALIFIED and self.voided_at is None


class AuditDecision(models.Model):  # 审核记录
    """Each submission and each reviewer's decision, in order."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交")
        APPROVED = "approved", _("审核通过")
        RETURNED = "returned", _("退回")
        REJECTED = "rejected", _("不通过")

    audit = models.ForeignKey(AnnualAudit, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField(_("轮次"))
    kind = models.CharField(_("操作"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("意见"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return "{a} · {k}".format(a=self.audit, k=self.get_kind_display())


class AnnualCertificate(models.Model):  # 年度合格证明
    """Issued to each 达标 person of an approved audit: the year's professional-subject
    training counts as done (003 §九). Checked on the same public verify page as the
    credit certificates; voiding the person's year voids it, with the reason."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        VOID = "void", _("已作废")

    number = models.CharField(_("证明编号"), max_length=NUMBER_LENGTH, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="annual_certificates")
    year = models.PositiveSmallIntegerField(_("年度"))
    audit = models.ForeignKey(AnnualAudit, on_delete=models.PROTECT, related_name="certificates")
    unit_name = models.CharField(_("工作单位"), max_length=128)
    total = models.DecimalField(_("总学分"), max_digits=6, decimal_places=1)
    class1 = models.DecimalField(_("I类学分"), max_digits=6, decimal_places=1)
    class2 = models.DecimalField(_("II类学分"), max_digits=6, decimal_places=1)
    hours = models.DecimalField(_("总学时"), max_digits=7, decimal_places=1)
    issued_on = models.DateField(_("发证日期"))
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("年度合格证明")
        verbose_name_plural = _("年度合格证明")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"], name="one_annual_certificate_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return display_number(self.number)

    @property
    def kind_label(self) -> str:
        return str(_("年度合格证明"))

    @property
    def status(self) -> str:
        return self.Status.VOID if self.voided_at else self.Status.VALID

    @property
    def professional_hours(self) -> int:
        """The 专业科目 hours of the HR side the certificate stands for (003 §九)."""
        from cme.policy.access import for_year

        return for_year(self.year).get("hr.professional_hours")

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None

    @property
    def status_label(self) -> str:
        """有效 / 已作废（原因）."""
        label = str(self.Status(self.status).label)
        if self.voided_at and self.void_reason:
            return "{l}（{r}）".format(l=label, r=self.void_reason)
        return label


class HrTransmission(models.Model):  # 报送人社
    """The province marks a year's list of 达标 persons as sent to the human-resources
    side (人社)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    persons = models.PositiveIntegerField(_("人数"))
    units = models.PositiveIntegerField(_("单位数"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报送人社记录")
        verbose_name_plural = _("报送人社记录")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_hr_list_per_year")
        ]

    def __str__(self) -> str:
        return "{o} {y}".format(o=self.organisation, y=self.year)
