"""Declared projects (申报/备案), their teachers, lessons, planned sessions and attachments,
and the steps of their review (SPEC §3-4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.core.models import ImportRecord
from cme.orgs.models import Organisation, Region
from cme.people.models import Person
from cme.people.titles import TitleLevel
from cme.policy.models import Discipline


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class Kind(models.TextChoices):
    NEW = "new", _("新申报")
    FILING = "filing", _("备案")


class State(models.TextChoices):  # SPEC §4.2
    DRAFT = "draft", _("草稿")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("未通过")
    APPROVED = "approved", _("已批准")
    PUBLISHED = "published", _("已公布")
    HELD = "held", _("举办中")
    COMPLETED = "completed", _("已完成")
    ANNULLED = "annulled", _("已废止")
    LAPSED = "lapsed", _("未执行")


APPROVED_STATES = (State.APPROVED, State.PUBLISHED, State.HELD, State.COMPLETED)


class Project(models.Model):  # 继续医学教育项目
    """A declaration and, once approved, the project it becomes (SPEC §4.1)."""

    class Form(models.TextChoices):
        FACE_TO_FACE = "face_to_face", _("面授")
        DISTANCE = "distance", _("远程")
        BASE = "base", _("基地项目")

    year = models.PositiveSmallIntegerField(_("项目年度"))
    level = models.CharField(_("项目级别"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("申报类型"), max_length=16, choices=Kind.choices, default=Kind.NEW)
    number = models.CharField(_("项目编号"), max_length=32, unique=True, null=True, blank=True)
    name = models.CharField(_("项目名称"), max_length=200)
    discipline = models.ForeignKey(
        Discipline,
        verbose_name=_("学科"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sponsor = models.ForeignKey(
        Organisation,
        verbose_name=_("第一申办单位"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    declared_by = models.ForeignKey(
        Organisation,
        verbose_name=_("申报单位（专业委员会/分会）"),
        on_delete=models.PROTECT,
        related_name="declared_projects",
        help_text=_("学会的分支机构通过学会账户申报时为该分支机构；否则同第一申办单位"),
    )
    sponsor_is_first = models.BooleanField(_("本单位为唯一或第一申办单位"), default=True)
    co_sponsors = models.CharField(_("其他申办单位"), max_length=255, blank=True)
    leader = models.ForeignKey(
        Person,
        verbose_name=_("项目负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    leader_phone = models.CharField(_("负责人电话"), max_length=32, blank=True)
    academic_leader = models.ForeignKey(
        Person,
        verbose_name=_("学术负责人（远程项目）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    technical_leader = models.CharField(_("技术负责人（远程项目）"), max_length=64, blank=True)
    form = models.CharField(
        _("举办形式"), max_length=16, choices=Form.choices, default=Form.FACE_TO_FACE
    )
    website = models.CharField(_("教学网站（远程项目）"), max_length=200, blank=True)
    audience = models.CharField(_("教学对象"), max_length=200, blank=True)
    expected_participants = models.PositiveIntegerField(_("拟招生人数"), null=True, blank=True)
    sessions_planned = models.PositiveSmallIntegerField(_("举办期数"), default=1)
    credits = models.DecimalField(
        _("授予学员学分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    needs_sources = models.JSONField(_("需求来源"), default=list, blank=True)
    needs_analysis = models.TextField(_("需求分析"), blank=True)
    objectives = models.TextField(_("教学目标"), blank=True)
    assessment_method = models.TextField(_("考核方式"), blank=True)
    evaluation_levels = models.JSONField(_("效果评估层次"), default=list, blank=True)
    fees = models.CharField(_("收费标准"), max_length=200, blank=True)
    priority_tags = models.JSONField(_("重点领域"), default=list, blank=True)
    is_annual_meeting = models.BooleanField(_("本项目为学术年会"), default=False)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上年度项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filings",
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    findings = models.JSONField(_("检查结果"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-year", "-updated_at", "-id"]
        indexes = [
            models.Index(fields=["year", "level", "state"]),
            models.Index(fields=["sponsor", "year"]),
            models.Index(fields=["leader", "year"]),
            # the rule check's peers: same name or same leader in the year (an OR of both)
            models.Index(fields=["year", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total_hours(self):
        return sum((lesson.hours for lesson in self.lessons.all()), start=0)


class Teacher(models.Model):  # 授课教师
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="teachers")
    order = models.PositiveSmallIntegerField(default=0)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=64)
    unit_name = models.CharField(_("工作单位"), max_length=128)
    unit = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("职称"), max_length=32, blank=True)
    title_level = models.PositiveSmallIntegerField(
        _("职称级别"), choices=TitleLevel.choices, default=TitleLevel.NONE
    )
    specialty = models.CharField(_("专业"), max_length=64, blank=True)
    is_leader = models.BooleanField(_("项目负责人"), default=False)
    consent = models.BooleanField(_("已知情同意"), default=False)
    consent_evidence = models.FileField(
        _("知情同意证据"), upload_to="projects/consent/", blank=True
    )

    class Meta:
        verbose_name = _("授课教师")
        verbose_name_plural = _("授课教师")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Lesson(models.Model):  # 课程安排
    class Kind(models.TextChoices):
        THEORY = "theory", _("理论授课")
        PRACTICE = "practice", _("实验/技术示范")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(default=0)
    topic = models.CharField(_("授课题目"), max_length=200)
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("授课教师"), on_delete=models.CASCADE, related_name="lessons"
    )
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    kind = models.CharField(_("授课类型"), max_length=16, choices=Kind.choices, default=Kind.THEORY)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="lesson_hours_positive")
        ]

    def __str__(self) -> str:
        return self.topic


class PlannedSession(models.Model):  # 举办期次（申报时计划）
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="planned_sessions")
    order = models.PositiveSmallIntegerField(default=0)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("举办地（省/市）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place_outside = models.CharField(_("境外或港澳台举办地"), max_length=64, blank=True)
    address = models.CharField(_("举办地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("举办期次")
        verbose_name_plural = _("举办期次")
        ordering = ["starts_on", "order", "id"]

    def __str__(self) -> str:
        return f"{self.starts_on} {self.address}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Attachment(models.Model):  # 申报附件
    class Kind(models.TextChoices):
        LICENCE = "licence", _("执业许可证或法人证书")
        LEADER_TITLE = "leader_title", _("项目负责人职称证明")
        TEACHER_CONSENT = "teacher_consent", _("授课教师知情同意书")
        PLEDGE = "pledge", _("承诺书")
        INSPECTION = "inspection", _("年度校验/年检合格证明")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("附件类型"), max_length=32, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="projects/attachments/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申报附件")
        verbose_name_plural = _("申报附件")
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ReviewStep(models.Model):  # 审核环节
    """One reviewer's step in a declaration's chain; the current one is `waiting`."""

    class Stage(models.TextChoices):
        SOCIETY = "society", _("学会审核")
        COUNTY = "county", _("区县审核")
        CITY = "city", _("市州形式审查与初步审核")
        CITY_FORMAL = "city_formal", _("市州形式审查")
        PROVINCE = "province", _("省继教办审核")
        NATIONAL = "national", _("全国继委会办公室审核")

    class Decision(models.TextChoices):
        WAITING = "waiting", _("待审核")
        APPROVED = "approved", _("通过")
        RETURNED = "returned", _("退回修改")
        REJECTED = "rejected", _("不予通过")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="review_steps")
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=1)
    order = models.PositiveSmallIntegerField()
    stage = models.CharField(_("环节"), max_length=16, choices=Stage.choices)
    reviewer = models.ForeignKey(
        Organisation, verbose_name=_("审核机构"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        _("结论"), max_length=16, choices=Decision.choices, default=Decision.WAITING
    )
    comment = models.TextField(_("审核意见"), blank=True)
    field_comments = models.JSONField(_("逐项意见"), default=dict, blank=True)
    findings = models.JSONField(_("检查结果"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")
        ordering = ["project", "round", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "round", "order"], name="one_step_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_stage_display()} · {self.get_decision_display()}"


class NumberCounter(models.Model):  # 项目编号计数
    """The last sequence number issued per (level, year, discipline): locked while a number is
    issued, so numbers are distinct and gap-free and never reused."""

    level = models.CharField(max_length=16, choices=Level.choices)
    year = models.PositiveSmallIntegerField()
    secondary_code = models.CharField(max_length=2)
    tertiary_code = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "year", "secondary_code", "tertiary_code"],
                name="one_counter_per_discipline_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.year} {self.secondary_code}-{self.tertiary_code}: {self.last}"


from cme.projects.expert_models import Expert, ExpertReview  # noqa: E402, F401  (expert review models)


def published_upload_to(instance, filename: str) -> str:
    return "projects/published/{name}".format(name=filename)


class PublishedProject(models.Model):  # 公布名单条目
    """One entry of a published list imported from Excel (e.g. the year's national list,
    issue 4 §10), so that duplicate and filing checks also see projects approved outside
    this platform. Year and level come from the number: (国) national, one character (湘)
    provincial, a longer name a city's list. `name_key` is the name without spaces or
    case, for look-ups (`queries.published_elsewhere`)."""

    year = models.PositiveSmallIntegerField(_("项目年度"))
    level = models.CharField(_("项目级别"), max_length=16, choices=Level.choices)
    number = models.CharField(_("项目编号"), max_length=32)
    name = models.CharField(_("项目名称"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    discipline_name = models.CharField(_("学科名称"), max_length=128, blank=True)
    sponsor_name = models.CharField(_("申办单位"), max_length=200, blank=True)
    leader_name = models.CharField(_("项目负责人"), max_length=64, blank=True)
    leader_phone = models.CharField(_("负责人电话"), max_length=64, blank=True)
    period = models.CharField(_("举办期限"), max_length=255, blank=True)
    place = models.CharField(_("举办地点"), max_length=255, blank=True)
    credits = models.DecimalField(
        _("授予学员学分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    audience = models.CharField(_("教学对象"), max_length=255, blank=True)
    expected_participants = models.PositiveIntegerField(_("拟招生人数"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"))
    source_file = models.CharField(_("来源文件"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("公布名单条目")
        verbose_name_plural = _("公布名单条目")
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["level", "number"], name="one_published_number")
        ]
        indexes = [models.Index(fields=["year", "name_key"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class PublishedListImport(ImportRecord):  # 公布名单导入记录
    """One uploaded published-list file (the import contract's record)."""

    file = models.FileField(upload_to=published_upload_to)
    years = models.JSONField(_("年度与级别"), default=list, blank=True)
    sample = models.JSONField(_("预览"), default=list, blank=True)

    class Meta(ImportRecord.Meta):
        verbose_name = _("公布名单导入")
        verbose_name_plural = _("公布名单导入")
