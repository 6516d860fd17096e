"""Credits that come neither from a project nor from the person's own upload (SPEC §6;
CREDIT-RULES §2, §4):

- distance learning (远程继续医学教育, 003 §十二): a provider is filed with a city, files its
  courses with that city, and reports who completed what; the city checks each batch. Only
  filed providers' filed courses count; false records are voided and the filing revoked;
- a society's annual academic meeting (学会学术年会, 002 §四.三): planned in the society's
  annual academic plan, never declared as a project, confirmed by the provincial office,
  worth the year's `society_annual_meeting.credits` to each attendee.

The credits themselves are `cme.credits.CreditRecord` rows; the models here say where each
one came from (`Completion`, `MeetingAttendee`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.core.models import ImportRecord
from cme.credits.models import Category, CreditRecord
from cme.orgs.models import Organisation
from cme.people.models import Person


def _suffix(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def qualification_upload_to(instance, filename: str) -> str:
    return "distance/filings/{p}/{f}".format(p=instance.provider_id, f=filename)


class ProviderFiling(models.Model):  # 远程教育机构备案
    """A distance-learning provider's filing with one city (003 §十二): the application with
    its details and qualification document, the city's decision, and a later revocation."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        FILED = "filed", _("已备案")
        REFUSED = "refused", _("未予备案")
        REVOKED = "revoked", _("已撤销")

    LIVE = (State.SUBMITTED, State.FILED)

    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("远程教育机构"),
        on_delete=models.PROTECT,
        related_name="distance_filings",
    )
    city = models.ForeignKey(
        Organisation,
        verbose_name=_("备案机关"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    pc_platform = models.CharField(_("电脑端学习平台网址"), max_length=200)
    mobile_platform = models.CharField(_("手机端学习平台（App或小程序名称）"), max_length=200)
    introduction = models.TextField(_("机构简介及资质说明"))
    qualification = models.FileField(
        _("资质证明文件（盖章扫描件）"), upload_to=qualification_upload_to
    )
    commitment = models.BooleanField(
        _("承诺完整保存学习记录、提供培训数据、维护学员个人信息安全"), default=False
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revocation_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        verbose_name = _("远程教育机构备案")
        verbose_name_plural = _("远程教育机构备案")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "city"],
                condition=models.Q(state__in=["submitted", "filed"]),
                name="one_live_distance_filing_per_city",
            )
        ]

    def __str__(self) -> str:
        return "{p} · {c}".format(p=self.provider, c=self.city)

    @property
    def is_filed(self) -> bool:
        return self.state == self.State.FILED


class Course(models.Model):  # 远程教育备案课程
    """A course a filed provider files with its city for one year. A national distance
    project (国家级远程继续医学教育项目) gives I类 credits and carries its project number."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        FILED = "filed", _("已备案")
        REFUSED = "refused", _("未予备案")

    filing = models.ForeignKey(
        ProviderFiling, verbose_name=_("机构备案"), on_delete=models.PROTECT, related_name="courses"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("课程编号"), max_length=32, blank=True)
    name = models.CharField(_("课程名称"), max_length=200)
    summary = models.TextField(_("内容简介"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    category = models.CharField(_("学分类别"), max_length=2, choices=Category.choices)
    project_number = models.CharField(_("国家级远程项目编号"), max_length=64, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("远程教育备案课程")
        verbose_name_plural = _("远程教育备案课程")
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "year", "name"],
                condition=~models.Q(state="refused"),
                name="one_distance_course_name_per_year",
            ),
            models.UniqueConstraint(
                fields=["filing", "code"],
                condition=~models.Q(code="") & ~models.Q(state="refused"),
                name="one_distance_course_code",
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_filed(self) -> bool:
        return self.state == self.State.FILED


def completion_upload_to(instance, filename: str) -> str:
    return "distance/completions/{f}/{h}{x}".format(
        f=instance.filing_id, h=instance.sha256[:16], x=_suffix(filename)
    )


class CompletionImport(ImportRecord):  # 远程学习记录报送（批次）
    """One name list a provider reports (姓名, 证件号码, 课程, 学习时长, 完成日期), under the
    import contract; once committed it is a batch of pending credits the city reviews."""

    class Review(models.TextChoices):
        NONE = "", _("未报送")
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("审核通过")
        REFUSED = "refused", _("审核未通过")
        VOIDED = "voided", _("随备案撤销作废")

    filing = models.ForeignKey(ProviderFiling, on_delete=models.PROTECT, related_name="imports")
    file = models.FileField(upload_to=completion_upload_to)
    review = models.CharField(
        _("审核状态"), max_length=16, choices=Review.choices, default=Review.NONE, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_reason = models.TextField(_("审核意见"), blank=True)

    class Meta(ImportRecord.Meta):
        verbose_name = _("远程学习记录报送")
        verbose_name_plural = _("远程学习记录报送")


class Completion(models.Model):  # 远程学习记录
    """One person's completion of one filed course: the row it came from and the credit
    record it wrote. `live` is false once the record is rejected or void, so a person is
    credited for a course at most once (a database constraint)."""

    batch = models.ForeignKey(
        CompletionImport, on_delete=models.PROTECT, related_name="completions"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    record = models.OneToOneField(
        CreditRecord, on_delete=models.PROTECT, related_name="distance_completion"
    )
    row = models.PositiveIntegerField(_("行号"))
    live = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("远程学习记录")
        verbose_name_plural = _("远程学习记录")
        ordering = ["batch", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person"],
                condition=models.Q(live=True),
                name="one_live_completion_per_course",
            )
        ]

    def __str__(self) -> str:
        return "{p} · {c}".format(p=self.person, c=self.course)


def plan_upload_to(instance, filename: str) -> str:
    return "distance/meetings/{s}/{f}".format(s=instance.society_id, f=filename)


class AnnualMeeting(models.Model):  # 学会学术年会
    """A society's (or one of its committees') annual academic meeting of a year, planned in
    the society's annual academic plan (002 §四.三): recorded with its attendance by the
    society, confirmed by the provincial office; never a declared project."""

    class State(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REFUSED = "refused", _("未予确认")

    society = models.ForeignKey(
        Organisation, verbose_name=_("学会/协会"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Organisation,
        verbose_name=_("举办的专业委员会/分会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("年会名称"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    place = models.CharField(_("举办地点"), max_length=200)
    in_plan = models.BooleanField(_("已列入学会年度学术计划"), default=False)
    plan_document = models.FileField(_("年度学术计划（盖章扫描件）"), upload_to=plan_upload_to)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    credits = models.DecimalField(
        _("授予学分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decision_reason = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("学会学术年会")
        verbose_name_plural = _("学会学术年会")
        ordering = ["-year", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="meeting_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organiser(self) -> Organisation:
        return self.branch or self.society

    @property
    def editable(self) -> bool:
        return self.state == self.State.DRAFT


class MeetingAttendee(models.Model):  # 参会人员
    """One person on a meeting's attendance list, once; `record` is the credit the
    confirmation gave them."""

    class Source(models.TextChoices):
        IMPORT = "import", _("导入")
        HAND = "hand", _("录入")

    meeting = models.ForeignKey(AnnualMeeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    record = models.OneToOneField(
        CreditRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_attendance",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="one_attendance_per_person_and_meeting"
            )
        ]

    def __str__(self) -> str:
        return "{m} · {p}".format(m=self.meeting, p=self.person)


def attendance_upload_to(instance, filename: str) -> str:
    return "distance/attendance/{m}/{h}{x}".format(
        m=instance.meeting_id, h=instance.sha256[:16], x=_suffix(filename)
    )


class AttendanceImport(ImportRecord):  # 参会名单导入记录
    meeting = models.ForeignKey(AnnualMeeting, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=attendance_upload_to)

    class Meta(ImportRecord.Meta):
        verbose_name = _("参会名单导入")
        verbose_name_plural = _("参会名单导入")
