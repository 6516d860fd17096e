"""Holding an approved project (举办, SPEC §5): its sessions and their pre-event reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.core.models import ImportRecord
from cme.orgs.models import Organisation, Region
from cme.people.models import Person
from cme.people.titles import TitleLevel
from cme.projects.models import Project


class HeldSession(models.Model):  # 举办期次
    """One session (期次) of an approved project, as it is actually held."""

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="held_sessions")
    number = models.PositiveSmallIntegerField(_("期次"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    region = models.ForeignKey(
        Region, verbose_name=_("举办地"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("举办地点"), max_length=200)
    mode = models.CharField(
        _("举办方式"), max_length=16, choices=Mode.choices, default=Mode.OFFLINE
    )
    online_application = models.FileField(
        _("改为线上举办的书面申请（报省继教委备案）"), upload_to="holding/online/", blank=True
    )
    expected_participants = models.PositiveIntegerField(_("预计人数"))
    credits = models.DecimalField(_("拟授学分"), max_digits=4, decimal_places=1)
    check_in_token = models.CharField(_("签到码"), max_length=32, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("举办期次")
        verbose_name_plural = _("举办期次")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="one_session_number_per_project"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="session_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(mode="online") | ~models.Q(online_application=""),
                name="online_needs_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} 第{self.number}期"

    def is_reported(self) -> bool:
        """Its execution report is submitted or approved: the lessons and the roster are
        what was reported (locked) and belong to the archive."""
        return ExecutionReport.objects.filter(session=self, state__in=REPORTED_STATES).exists()


class PreReport(models.Model):  # 举办前报备
    """A report of a session to one authority before it is held (001; 003 §十). Late ones are
    accepted and flagged; a session without its reports awards no credits."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("向举办地省级继教委报备")
        CITY = "city", _("向市卫健委报送举办报备表")

    session = models.ForeignKey(HeldSession, on_delete=models.CASCADE, related_name="pre_reports")
    kind = models.CharField(_("报备类型"), max_length=16, choices=Kind.choices)
    authority = models.ForeignKey(
        Organisation, verbose_name=_("报备机构"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("最迟报备日期"))
    submitted_at = models.DateTimeField(_("报备时间"))
    late = models.BooleanField(_("逾期报备"), default=False)
    notice = models.FileField(_("会议通知"), upload_to="holding/pre_reports/")
    schedule = models.FileField(_("课程安排"), upload_to="holding/pre_reports/")
    note = models.CharField(_("备注"), max_length=255, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("举办前报备")
        verbose_name_plural = _("举办前报备")
        ordering = ["session", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="one_pre_report_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.get_kind_display()}"


class SessionLesson(models.Model):  # 实际课程安排
    """A lesson as the session actually gives it. Created from the approved plan when the
    session is added; edits are changes (变更) measured against that plan (002 附件1.3)."""

    session = models.ForeignKey(HeldSession, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(default=0)
    planned = models.ForeignKey(
        "projects.Lesson",
        verbose_name=_("原计划课程"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("授课题目"), max_length=200)
    teacher_name = models.CharField(_("授课教师"), max_length=64)
    teacher_unit = models.CharField(_("教师单位"), max_length=128, blank=True)
    teacher_title = models.CharField(_("教师职称"), max_length=32, blank=True)
    teacher_title_level = models.PositiveSmallIntegerField(
        _("教师职称级别"), choices=TitleLevel.choices, default=TitleLevel.NONE
    )
    teacher = models.ForeignKey(
        Person,
        verbose_name=_("教师（学员库）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("实际课程")
        verbose_name_plural = _("实际课程")
        ordering = ["session", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0), name="session_lesson_hours_positive"
            )
        ]

    def __str__(self) -> str:
        return self.topic


class Attendee(models.Model):  # 学员通讯录条目
    """One person on a session's roster (学员通讯录): from the import, by hand or checked
    in at the venue; whether they passed the assessment decides their credits."""

    class Source(models.TextChoices):
        IMPORT = "import", _("导入")
        HAND = "hand", _("手工录入")
        CHECK_IN = "check_in", _("现场签到")

    session = models.ForeignKey(HeldSession, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    unit_name = models.CharField(_("工作单位"), max_length=128, blank=True)
    department = models.CharField(_("科室"), max_length=64, blank=True)
    title = models.CharField(_("职称"), max_length=32, blank=True)
    phone = models.CharField(_("手机号码"), max_length=32, blank=True)
    email = models.CharField(_("电子邮箱"), max_length=128, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    passed = models.BooleanField(_("考核合格"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员通讯录")
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_entry_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person}"


def roster_upload_to(instance, filename: str) -> str:
    return "holding/rosters/{s}/{h}{x}".format(
        s=instance.session_id, h=instance.sha256[:16], x=_suffix(filename)
    )


def _suffix(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


class RosterImport(ImportRecord):  # 学员通讯录导入记录
    session = models.ForeignKey(HeldSession, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=roster_upload_to)

    class Meta(ImportRecord.Meta):
        verbose_name = _("学员通讯录导入")
        verbose_name_plural = _("学员通讯录导入")


class Evaluation(models.Model):  # 学员评估意见（原始记录）
    """One learner's answers to the seven questions of 001 附件2. Question 7 allows at most
    two choices. The report's counts are computed from these when learners answered online."""

    attendee = models.OneToOneField(Attendee, on_delete=models.CASCADE, related_name="evaluation")
    answers = models.JSONField(_("答案"))  # {"q1": "是", ..., "q6": "满意", "q7": ["开阔思路"]}
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学员评估")
        verbose_name_plural = _("学员评估")

    def __str__(self) -> str:
        return f"{self.attendee} · 评估"


class ExecutionReport(models.Model):  # 执行情况总结汇总表 (001 附件2)
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("退回修改")
        APPROVED = "approved", _("审核通过")

    session = models.OneToOneField(
        HeldSession, on_delete=models.PROTECT, related_name="execution_report"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    effect_analysis = models.TextField(_("实际培训效果分析"), blank=True)
    problems = models.TextField(_("存在的问题与建议"), blank=True)
    respondents = models.PositiveIntegerField(_("参加评估人数"), default=0)
    evaluation_counts = models.JSONField(_("学员评估意见"), default=dict, blank=True)
    effect_levels = models.JSONField(_("效果评估（7个层次）"), default=dict, blank=True)
    schedule = models.FileField(_("项目活动日程表"), upload_to="holding/reports/", blank=True)
    exam = models.FileField(_("考试试题"), upload_to="holding/reports/", blank=True)
    textbook_name = models.CharField(_("教材名称"), max_length=200, blank=True)
    textbook_written_on = models.CharField(_("编写时间"), max_length=32, blank=True)
    textbook_authors = models.CharField(_("编写人员或编写单位"), max_length=200, blank=True)
    textbook_form = models.CharField(
        _("教材形式"),
        max_length=8,
        blank=True,
        choices=[("text", _("文字教材")), ("av", _("音像教材"))],
    )
    textbook_words = models.PositiveIntegerField(_("教材字数"), null=True, blank=True)
    textbook_hours = models.DecimalField(
        _("讲授时间（学时）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    textbook_outline = models.TextField(_("教材目录或内容概述"), blank=True)
    due_on = models.DateField(_("最迟报送日期"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期报送"), default=False)
    reviewer = models.ForeignKey(
        Organisation, verbose_name=_("审核单位"), on_delete=models.PROTECT, related_name="+"
    )
    review_due_on = models.DateField(_("最迟审核日期"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退回理由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("执行情况报告")
        verbose_name_plural = _("执行情况报告")
        indexes = [models.Index(fields=["reviewer", "state"])]

    def __str__(self) -> str:
        return f"{self.session} · 执行情况"


# A submitted or approved report locks the session's lessons and roster and archives them.
REPORTED_STATES = (ExecutionReport.State.SUBMITTED, ExecutionReport.State.APPROVED)


class LeaderChange(models.Model):  # 项目负责人变更（不可抗力）
    """A leader replaced through force majeure: equal or higher qualification, filed with
    the provincial office (002 附件1.4)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="leader_changes")
    previous = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    new = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("不可抗力原因"))
    evidence = models.FileField(_("证明材料"), upload_to="holding/leader_changes/")
    filed_with = models.ForeignKey(
        Organisation, verbose_name=_("备案机构"), on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("负责人变更")
        verbose_name_plural = _("负责人变更")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.project} · {self.previous} → {self.new}"
