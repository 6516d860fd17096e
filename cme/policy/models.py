from django.db import models
from django.utils.translation import gettext_lazy as _

NATIONWIDE = ""  # a value for every province, unless a province row overrides it


class PolicyValue(models.Model):  # 政策参数
    """One number (or flag, or format) of the rules for one year, nationwide or for one
    province. A new year is a new row set; a 2021 project is always judged by 2021 rows."""

    year = models.PositiveSmallIntegerField(_("年度"))
    province = models.CharField(_("省份区划代码"), max_length=6, blank=True, default=NATIONWIDE)
    key = models.CharField(_("参数"), max_length=64)
    value = models.JSONField(_("取值"), null=True, blank=True)
    verified = models.BooleanField(_("已核实"), default=True)
    source = models.CharField(_("依据"), max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["year", "province", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "province", "key"], name="one_value_per_year_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.province or '全国'} {self.key} = {self.value}"


class Discipline(models.Model):  # 学科 (two levels, per year's list)
    year = models.PositiveSmallIntegerField(_("学科目录年度"))
    secondary_code = models.CharField(_("二级学科代码"), max_length=2)
    secondary_name = models.CharField(_("二级学科"), max_length=64)
    tertiary_code = models.CharField(_("三级学科代码"), max_length=2)
    tertiary_name = models.CharField(_("三级学科"), max_length=64)

    class Meta:
        verbose_name = _("学科")
        verbose_name_plural = _("学科")
        ordering = ["year", "secondary_code", "tertiary_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "secondary_code", "tertiary_code"], name="one_discipline_per_code"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.secondary_code}-{self.tertiary_code} {self.secondary_name}/{self.tertiary_name}"
        )

    @property
    def code(self) -> str:
        return f"{self.secondary_code}-{self.tertiary_code}"


class DeclarationWindow(models.Model):  # 申报时间
    """When a year's declarations of one level and kind are accepted, set by the authority
    that owns them: the province for national and provincial projects, a city for its own
    units' earlier internal deadline (000 §三.1). The nearest owner above a sponsor wins."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省级")
        CITY = "city", _("市级")

    class Kind(models.TextChoices):
        NEW = "new", _("新申报")
        FILING = "filing", _("备案")

    year = models.PositiveSmallIntegerField(_("项目年度"))
    level = models.CharField(_("项目级别"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("申报类型"), max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("设定机构"),
        on_delete=models.PROTECT,
        related_name="declaration_windows",
        limit_choices_to={"kind": "authority"},
    )
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("申报时间")
        verbose_name_plural = _("申报时间")
        ordering = ["year", "level", "kind", "closes_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "kind", "owner"], name="one_window_per_owner"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="window_opens_before_it_closes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()}{self.get_kind_display()} · {self.owner}"


class BannedPlace(models.Model):  # 禁止举办会议的风景名胜区
    """A scenic area where meetings are banned (001; 004 §六.6): PLACE_BANNED matches a
    planned session's address against these names."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    region = models.ForeignKey(
        "orgs.Region",
        verbose_name=_("所在地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("禁止举办地")
        verbose_name_plural = _("禁止举办地")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
