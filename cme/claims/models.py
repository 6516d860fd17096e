"""Unit-organised academic activities (单位学术活动, CREDIT-RULES §3; issue 6 §3).

A person's own claims need no model of their own: they are CreditRecords of a source whose
`claim` is "person", held by the unit and then the city (CreditRecord.holder), each
decision a CreditReview. An activity a unit records for many of its staff at once is kept
here so the unit can list what it recorded and who took part; its records are ordinary
valid CreditRecords.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.credits.models import CreditRecord, CreditSource
from cme.orgs.models import Organisation


class UnitActivity(models.Model):  # 单位学术活动
    """One lecture, case discussion or other academic activity a unit held and recorded for
    its own lecturers and participants (one valid credit record each)."""

    unit = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.ForeignKey(
        CreditSource,
        verbose_name=_("活动类别"),
        to_field="code",
        db_column="source",
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("活动名称"), max_length=200)
    activity_date = models.DateField(_("活动日期"))
    year = models.PositiveSmallIntegerField(_("学分年度"))
    credits = models.DecimalField(_("参加人员学分"), max_digits=5, decimal_places=1)
    lecturer_credits = models.DecimalField(_("主讲人学分"), max_digits=5, decimal_places=1)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    records = models.ManyToManyField(CreditRecord, related_name="unit_activities", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位学术活动")
        verbose_name_plural = _("单位学术活动")
        ordering = ["-activity_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "source", "title", "activity_date"],
                name="one_unit_activity_per_title_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.activity_date}"
