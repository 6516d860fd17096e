"""The credit ledger (学分, SPEC §6): one record per credit a person earns, whatever its
source, each from an entry of the editable source catalogue (CREDIT-RULES.md §3-4).
Projects write their records at the execution report; people claim theirs with evidence
and their unit and city review them; the annual audit reads them per year."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.orgs.models import Organisation
from cme.people.models import Person


class Category(models.TextChoices):
    I = "I", _("I类")  # noqa: E741
    II = "II", _("II类")


class Source(models.TextChoices):  # the catalogue codes code refers to
    NATIONAL_PROJECT = "national_project", _("国家级项目")
    PROVINCIAL_PROJECT = "provincial_project", _("省级项目")
    CITY_PROJECT = "city_project", _("市级项目")
    DISTANCE = "distance", _("远程教育")
    OUT_OF_PROVINCE = "out_of_province", _("外省国家级项目")
    TCM_UPLOAD = "tcm_upload", _("省级中医药项目")
    ANNUAL_MEETING = "annual_meeting", _("学术年会")
    OTHER = "other", _("其他")


class CreditSource(models.Model):  # 学分来源目录
    """One kind of credit: its category, who claims it, its unit and rate, its caps and the
    evidence a reviewer must see. Caps of sources sharing a `cap_group` apply together."""

    class Claim(models.TextChoices):
        SPONSOR = "sponsor", _("项目举办单位授予")
        PERSON = "person", _("本人申报，单位和市卫生健康委审核")
        UNIT = "unit", _("单位组织并录入")
        PROVIDER = "provider", _("远程教育机构报送，市卫生健康委审核")
        SOCIETY = "society", _("学会录入参会人员")

    class Unit(models.TextChoices):
        HOURS = "hours", _("学时")
        EVENT = "event", _("次")
        KCHARS = "kchars", _("千字")
        CREDIT = "credit", _("学分")

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("学分类别"), max_length=2, choices=Category.choices)
    claim = models.CharField(_("录入方式"), max_length=16, choices=Claim.choices)
    unit = models.CharField(_("计量单位"), max_length=8, choices=Unit.choices)
    credits_per_unit = models.DecimalField(
        _("每单位学分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    lecturer_credits_per_unit = models.DecimalField(
        _("主讲人每单位学分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    hours_per_credit = models.DecimalField(
        _("每学分学时"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    cap_per_entry = models.DecimalField(
        _("每项上限"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    cap_per_year = models.DecimalField(
        _("每年上限"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    cap_group = models.SlugField(_("共用年度上限"), max_length=32, blank=True)
    needs_certificate_number = models.BooleanField(_("须填写证书编号"), default=False)
    evidence = models.CharField(_("审核须见材料"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("学分来源")
        verbose_name_plural = _("学分来源目录")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CreditRecord(models.Model):  # 学分记录
    class Status(models.TextChoices):
        PENDING = "pending", _("待生效")
        VALID = "valid", _("有效")
        REJECTED = "rejected", _("未通过")
        VOID = "void", _("已作废")

    class Role(models.TextChoices):
        LEARNER = "learner", _("学员")
        LECTURER = "lecturer", _("授课教师")

    # The ledger is the biggest table by far (≈ 15 million rows a province-year), so it
    # carries only the indexes its queries use (docs/scale.md): person and holder are the
    # first columns of the composite indexes below, session of the one-award constraint,
    # and the columns that are mostly empty are indexed where they are not.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="credits", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("学分年度"))
    category = models.CharField(_("学分类别"), max_length=2, choices=Category.choices)
    source = models.ForeignKey(
        CreditSource,
        verbose_name=_("来源"),
        to_field="code",
        db_column="source",
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("身份"), max_length=16, choices=Role.choices, default=Role.LEARNER)
    amount = models.DecimalField(_("学分"), max_digits=5, decimal_places=1)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    session = models.ForeignKey(
        "holding.HeldSession",
        verbose_name=_("项目期次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
        db_index=False,
    )
    title = models.CharField(_("名称"), max_length=200, blank=True)
    activity_date = models.DateField(_("日期"), null=True, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=7, decimal_places=1, null=True, blank=True)
    certificate_number = models.CharField(_("证书编号"), max_length=64, blank=True)
    certificate_key = models.CharField(max_length=64, blank=True, editable=False)
    evidence = models.FileField(_("证明材料"), upload_to="credits/evidence/%Y/", blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("授分或录入单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder = models.ForeignKey(
        Organisation,
        verbose_name=_("当前审核单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    holder_since = models.DateTimeField(_("送达审核单位时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.CharField(_("状态说明"), max_length=255, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("学分记录")
        verbose_name_plural = _("学分记录")
        ordering = ["-year", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=models.Q(session__isnull=False),
                name="one_credit_per_person_and_session",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="credit_not_negative"),
        ]
        indexes = [
            models.Index(fields=["person", "year"]),
            models.Index(
                fields=["holder", "status"],
                condition=models.Q(holder__isnull=False),
                name="credit_held_by",
            ),
            # the few records still pending (a unit's audit page counts them for its staff)
            models.Index(
                fields=["person", "year"],
                condition=models.Q(status="pending"),
                name="credit_pending_by_person",
            ),
            # claimed credits only: a certificate number seen twice, who claimed, who decided
            models.Index(
                fields=["certificate_key"],
                condition=~models.Q(certificate_key=""),
                name="credit_certificate_key",
            ),
            models.Index(
                fields=["submitted_by"],
                condition=models.Q(submitted_by__isnull=False),
                name="credit_submitted_by",
            ),
            models.Index(
                fields=["reviewed_by"],
                condition=models.Q(reviewed_by__isnull=False),
                name="credit_reviewed_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year} {self.amount}"


class CreditReview(models.Model):  # 学分审核记录
    """One decision on a claimed record by the unit or the city (003 §二十-二十一)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("通过")
        RETURNED = "returned", _("退回修改")
        REJECTED = "rejected", _("不予认可")

    record = models.ForeignKey(CreditRecord, on_delete=models.CASCADE, related_name="reviews")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("审核单位"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("审核结论"), max_length=16, choices=Decision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学分审核记录")
        verbose_name_plural = _("学分审核记录")
        ordering = ["record", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} · {self.organisation} · {self.get_decision_display()}"


class AnnualRequirement(models.Model):  # 年度学分要求（分级）
    """A requirement other than the year's policy default (`annual.*`), for the staff of
    units at one level (CREDIT-RULES §1: by unit level)."""

    class UnitLevel(models.TextChoices):
        PROVINCE = "province", _("省直单位")
        CITY = "city", _("市直单位")
        COUNTY = "county", _("区县单位")

    year = models.PositiveSmallIntegerField(_("年度"))
    province = models.CharField(_("省份"), max_length=6, default="430000")
    unit_level = models.CharField(_("单位层级"), max_length=8, choices=UnitLevel.choices)
    total_min = models.DecimalField(_("总学分不少于"), max_digits=5, decimal_places=1)
    class1_min = models.DecimalField(_("I类学分不少于"), max_digits=5, decimal_places=1)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度学分要求")
        verbose_name_plural = _("年度学分要求")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "province", "unit_level"], name="one_requirement_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_unit_level_display()}"


class Exemption(models.Model):  # 不计达标
    """A person not counted in a year's audit (e.g. long sick or maternity leave, new
    graduates), with the reason and the evidence, granted by their unit."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="exemptions")
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.CharField(_("原因"), max_length=200)
    evidence = models.FileField(_("证明材料"), upload_to="credits/exemptions/", blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("不计达标")
        verbose_name_plural = _("不计达标")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_exemption_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year}"
