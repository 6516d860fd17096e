"""City-level training plans (市级继续医学教育培训计划, 003 §十一) and the annual CME work
reports units and counties send to their city (年度继续医学教育工作总结, 003 §七).

A unit sends its city commission a plan for each half-year with the columns of 003 附件2;
the city approves or refuses each row, and every approved row becomes a city-level
`projects.Project` (approved, numbered) that is held, reported and credited through
`cme.holding` like any other project. Deadlines are policy data (`city_plan.deadlines`,
`work_report.deadline`); late submissions are accepted and flagged.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.core.models import ImportRecord
from cme.orgs.models import Organisation
from cme.projects.models import Project


class Half(models.IntegerChoices):
    FIRST = 1, _("上半年")
    SECOND = 2, _("下半年")


class TrainingPlan(models.Model):  # 市级继续医学教育培训计划
    """One unit's plan for one half-year, sent to the city commission above it."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        DECIDED = "decided", _("已审核")

    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("填报单位"),
        on_delete=models.PROTECT,
        related_name="training_plans",
    )
    city = models.ForeignKey(
        Organisation,
        verbose_name=_("报送机构（市卫生健康委）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=Half.choices)
    due_on = models.DateField(_("报送截止日期"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(_("逾期提交"), default=False)
    decided_at = models.DateTimeField(_("审核完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("市级培训计划")
        verbose_name_plural = _("市级培训计划")
        ordering = ["-year", "-half", "unit__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "half"], name="one_training_plan_per_half"
            )
        ]
        indexes = [models.Index(fields=["city", "state"])]

    def __str__(self) -> str:
        return "{u} {y}年{h}培训计划".format(u=self.unit, y=self.year, h=self.get_half_display())

    @property
    def editable(self) -> bool:
        return self.state == self.State.DRAFT


class PlanRow(models.Model):  # 培训计划条目（003 附件2 的一行）
    """One training of a plan, with exactly the columns of 003 附件2, and the city's decision.
    An approved row points at the city-level project it became."""

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")
        BLENDED = "blended", _("线上线下结合")

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("同意")
        REFUSED = "refused", _("不同意")

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("培训名称"), max_length=200)
    content = models.TextField(_("培训内容"))
    audience = models.CharField(_("培训对象"), max_length=200)
    starts_on = models.DateField(_("培训开始日期"))
    ends_on = models.DateField(_("培训结束日期"))
    place = models.CharField(_("培训地点"), max_length=200)
    participants = models.PositiveIntegerField(_("培训人数"))
    organiser = models.CharField(_("承办单位"), max_length=128)
    mode = models.CharField(_("培训方式"), max_length=16, choices=Mode.choices)
    credits = models.DecimalField(_("拟授学分"), max_digits=4, decimal_places=1)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    decision = models.CharField(
        _("审核结论"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    project = models.OneToOneField(
        Project,
        verbose_name=_("市级项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_row",
    )

    class Meta:
        verbose_name = _("培训计划条目")
        verbose_name_plural = _("培训计划条目")
        ordering = ["plan", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_plan_row_per_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="plan_row_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(credits__gt=0), name="plan_row_credits_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="approved") | models.Q(project__isnull=False),
                name="approved_plan_row_has_project",
            ),
        ]

    def __str__(self) -> str:
        return "{n}. {name}".format(n=self.number, name=self.name)

    @property
    def period(self) -> str:
        if self.starts_on == self.ends_on:
            return self.starts_on.isoformat()
        return "{a}至{b}".format(a=self.starts_on.isoformat(), b=self.ends_on.isoformat())


def plan_upload_to(instance, filename: str) -> str:
    return "plans/imports/{name}".format(name=filename)


class PlanImport(ImportRecord):  # 培训计划导入记录
    """One uploaded plan spreadsheet (the import contract's record); committing it replaces
    the draft's rows with the file's."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=plan_upload_to)

    class Meta(ImportRecord.Meta):
        verbose_name = _("培训计划导入")
        verbose_name_plural = _("培训计划导入")


def report_upload_to(instance, filename: str) -> str:
    return "plans/work_reports/{name}".format(name=filename)


class AnnualWorkReport(models.Model):  # 年度继续医学教育工作总结
    """A unit's or county's report of its year's CME work to the city commission (003 §七:
    委属各单位及各区县（市）每年12月31日前…报送市卫生健康委科教处): a text, a PDF or Word
    file, or both. Submitting again replaces the content; the first submission's time and
    late flag stay."""

    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("报送单位"),
        on_delete=models.PROTECT,
        related_name="work_reports",
    )
    city = models.ForeignKey(
        Organisation,
        verbose_name=_("报送机构（市卫生健康委）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("工作总结"), blank=True)
    file = models.FileField(_("工作总结文件"), upload_to=report_upload_to, blank=True)
    due_on = models.DateField(_("报送截止日期"))
    submitted_at = models.DateTimeField(_("提交时间"))
    late = models.BooleanField(_("逾期提交"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("年度工作总结")
        verbose_name_plural = _("年度工作总结")
        ordering = ["-year", "unit__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_work_report_per_year"),
            models.CheckConstraint(
                condition=~models.Q(text="") | ~models.Q(file=""),
                name="work_report_has_text_or_file",
            ),
        ]
        indexes = [models.Index(fields=["city", "year"])]

    def __str__(self) -> str:
        return "{u} {y}年度工作总结".format(u=self.unit, y=self.year)
