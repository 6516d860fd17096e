"""Sanctions and quotas (SPEC §8; 000 §三.4; 003 §十; 004 §七.3)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.orgs.models import Organisation
from cme.people.models import Person


class Sanction(models.Model):  # 处理决定
    """A decision by an authority; the active ones feed the declaration rules."""

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", _("通报批评")
        REFUSAL = "refusal", _("不予批准")
        SUSPEND_LEADER = "suspend_leader", _("暂停项目负责人申报资格")
        CUT_QUOTA = "cut_quota", _("缩减单位申报名额")
        BAR_UNIT = "bar_unit", _("取消单位申报资格")
        VOID_CREDITS = "void_credits", _("学分作废")

    kind = models.CharField(_("处理类型"), max_length=32, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("被处理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("被处理人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    from_year = models.PositiveSmallIntegerField(_("起始年度"))
    to_year = models.PositiveSmallIntegerField(_("截止年度"))
    reason = models.TextField(_("事由"))
    evidence = models.FileField(_("证据材料"), upload_to="sanctions/", blank=True)
    decided_by = models.ForeignKey(
        Organisation, verbose_name=_("决定机构"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("决定日期"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        verbose_name = _("处理决定")
        verbose_name_plural = _("处理决定")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(person__isnull=False),
                name="sanction_has_a_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(from_year__lte=models.F("to_year")),
                name="sanction_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.organisation or self.person} {self.from_year}-{self.to_year}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def in_force(self, year: int) -> bool:
        """Not revoked, and `year` lies within its years."""
        return not self.is_revoked and self.from_year <= year <= self.to_year

    @property
    def status(self) -> str:
        """revoked / pending (starts in a later year) / in_force / expired, as of today."""
        year = timezone.localdate().year
        if self.is_revoked:
            return "revoked"
        if self.from_year > year:
            return "pending"
        return "in_force" if self.to_year >= year else "expired"

    @property
    def subject_unit(self) -> Organisation | None:
        """The unit the decision concerns: the sanctioned unit, or the person's unit."""
        if self.organisation_id:
            return self.organisation
        return self.person.unit if self.person_id else None


class UnitQuota(models.Model):  # 新项目申报名额
    """A unit's quota of new declarations for a year and level: computed from its execution
    rate, or set by the province with a reason."""

    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="quotas")
    year = models.PositiveSmallIntegerField(_("项目年度"))
    level = models.CharField(_("项目级别"), max_length=16)
    quota = models.PositiveSmallIntegerField(_("名额"))
    computed_quota = models.PositiveSmallIntegerField(
        _("按执行率计算的名额"), null=True, blank=True
    )
    reason = models.CharField(_("调整理由"), max_length=255, blank=True)
    rate_year = models.PositiveSmallIntegerField(_("执行率统计年度"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("申报名额")
        verbose_name_plural = _("申报名额")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "level"], name="one_quota_per_unit_year_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.level}: {self.quota}"
