"""Roll-ups the desk reads instead of the ledger itself: a province's year is some fifteen
million credit records (SPEC §11), too many to sum on every page view."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.orgs.models import Organisation


class CreditTally(models.Model):  # 学分汇总
    """The valid credits of one unit's staff in one year: by the month of the activity, or,
    with `month` empty, the whole year whatever the activity's date. Counted from the
    ledger by `stats.tallies.count_year`; `TallyRun` says when."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), null=True, blank=True)
    unit = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    amount = models.DecimalField(_("学分"), max_digits=12, decimal_places=1)
    records = models.PositiveIntegerField(_("记录数"))
    persons = models.PositiveIntegerField(_("人数"))

    class Meta:
        verbose_name = _("学分汇总")
        verbose_name_plural = _("学分汇总")
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self) -> str:
        return f"{self.year}-{self.month or '*'} {self.unit_id} {self.amount}"


class TallyRun(models.Model):  # 汇总时间
    """When a year's tallies were last counted (never, while the first count is queued),
    and whether a recount is queued."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    counted_at = models.DateTimeField(_("统计时间"), null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("汇总时间")
        verbose_name_plural = _("汇总时间")

    def __str__(self) -> str:
        return f"{self.year} {self.counted_at or '-'}"
