"""Spot checks (抽查评估): a reproducible draw of held projects over an authority's scope,
the on-site checks against the evaluation indicators, files and a result (SPEC §8;
002 附件1.4; 003 §十; 004 §六.7, §七.2)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.holding.models import HeldSession
from cme.orgs.models import Organisation
from cme.projects.models import Level, Project


class SpotCheck(models.Model):  # 抽查
    """One draw: the candidates it drew from and the seed are kept so it can be repeated."""

    authority = models.ForeignKey(
        Organisation, verbose_name=_("抽查机构"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("项目年度"))
    levels = models.JSONField(_("项目级别"), default=list)
    rate = models.DecimalField(
        _("每层抽样比例"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    per_stratum = models.PositiveSmallIntegerField(_("每层抽取数量"), null=True, blank=True)
    seed = models.BigIntegerField(_("随机种子"))
    candidate_ids = models.JSONField(_("候选项目"), default=list)
    strata = models.JSONField(_("分层"), default=list)
    indicator_version = models.CharField(_("评估指标版本"), max_length=16)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__isnull=False) | models.Q(per_stratum__isnull=False),
                name="spot_check_has_a_size",
            ),
        ]

    def __str__(self) -> str:
        return "{a}{y}年度抽查（第{n}号）".format(a=self.authority.name, y=self.year, n=self.pk)

    @property
    def rate_or_n(self):
        return self.rate if self.rate is not None else self.per_stratum

    @property
    def size_display(self) -> str:
        if self.rate is not None:
            return "每层{p}%".format(p=(self.rate * 100).normalize())
        return "每层{n}项".format(n=self.per_stratum)


class SpotCheckItem(models.Model):  # 抽查项目
    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        BASIC = "basic", _("基本合格")
        FAIL = "fail", _("不合格")

    class State(models.TextChoices):
        PENDING = "pending", _("待检查")
        CHECKED = "checked", _("已检查")

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="spot_checks")
    session = models.ForeignKey(
        HeldSession,
        verbose_name=_("检查期次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("项目级别"), max_length=16, choices=Level.choices)
    city_code = models.CharField(_("市州代码"), max_length=6, blank=True)
    city_name = models.CharField(_("市州"), max_length=64)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人员"), blank=True, related_name="+"
    )
    visit_date = models.DateField(_("检查日期"), null=True, blank=True)
    findings = models.JSONField(_("逐项检查结果"), default=dict, blank=True)
    score = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    result = models.CharField(_("检查结论"), max_length=8, choices=Result.choices, blank=True)
    summary = models.TextField(_("检查意见"), blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查项目")
        verbose_name_plural = _("抽查项目")
        ordering = ["spot_check", "level", "city_code", "project_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "project"], name="one_item_per_project_per_spot_check"
            ),
        ]

    def __str__(self) -> str:
        return "{p}（{s}）".format(p=self.project.name, s=self.get_state_display())


def file_upload_to(instance, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return "inspections/{i}/{n}.{s}".format(i=instance.item_id, n=secrets.token_hex(8), s=suffix)


class SpotCheckFile(models.Model):  # 检查照片及资料
    class Kind(models.TextChoices):
        PHOTO = "photo", _("现场照片")
        DOCUMENT = "document", _("检查资料")

    item = models.ForeignKey(SpotCheckItem, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=file_upload_to)
    name = models.CharField(_("文件名"), max_length=200)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查照片及资料")
        verbose_name_plural = _("检查照片及资料")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.name
