"""Expert review of new declarations (学科组专家评审, SPEC §2; 004 §六.7)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.orgs.models import Organisation


class Expert(models.Model):  # 学科组专家
    """A member of a discipline group; scores declarations of the secondary disciplines listed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert"
    )
    name = models.CharField(_("姓名"), max_length=64)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("工作单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("职称"), max_length=32, blank=True)
    discipline_codes = models.JSONField(_("学科组（二级学科代码）"), default=list)
    active = models.BooleanField(_("在任"), default=True)

    class Meta:
        app_label = "projects"
        verbose_name = _("学科组专家")
        verbose_name_plural = _("学科组专家")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExpertReview(models.Model):  # 专家评审意见
    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("建议批准")
        REJECT = "reject", _("建议不批准")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="expert_reviews"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="reviews")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    score = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    recommendation = models.CharField(
        _("评审建议"), max_length=16, choices=Recommendation.choices, blank=True
    )
    opinion = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        app_label = "projects"
        verbose_name = _("专家评审")
        verbose_name_plural = _("专家评审")
        ordering = ["project", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "expert"], name="one_review_per_expert"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.expert}"
