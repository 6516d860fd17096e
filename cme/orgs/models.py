from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc


class Region(models.Model):  # 行政区划 (GB/T 2260)
    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市州")
        COUNTY = "county", _("区县")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names = []
        region = self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


def validate_uscc(value: str) -> None:
    if not uscc.is_valid(value):
        raise ValidationError(
            _("统一社会信用代码无效：应为18位，且校验位正确。"), code="USCC_INVALID"
        )


class Organisation(models.Model):  # 机构/单位
    """A unit, a society or branch, or a health authority.

    The supervision tree runs through `parent` (a branch's society) or else
    `licensing_authority` (发证机构: the county, city or province that licensed it, or
    for an authority the authority above it). `tree_path` ("/1/5/23/") materialises
    that tree so "everything under this city" is one indexed prefix filter.
    """

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("医疗机构")
        TEACHING = "teaching", _("教学机构")
        RESEARCH = "research", _("科研机构")
        SOCIETY = "society", _("学会/协会")
        BRANCH = "branch", _("专业委员会/分会")
        AUTHORITY = "authority", _("卫生健康行政部门")
        DISTANCE = "distance", _("远程教育机构")
        OTHER = "other", _("其他")

    class LicenceStatus(models.TextChoices):
        VALID = "valid", _("正常")
        SUSPENDED = "suspended", _("暂缓校验")
        REVOKED = "revoked", _("吊销")

    class Inspection(models.TextChoices):
        PASSED = "passed", _("合格")
        FAILED = "failed", _("不合格")
        CANCELLED = "cancelled", _("注销")

    class Grade(models.TextChoices):
        TERTIARY = "3", _("三级")
        SECONDARY = "2", _("二级")
        PRIMARY = "1", _("一级")
        UNGRADED = "", _("未定级")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        DEREGISTERED = "deregistered", _("已注销")

    name = models.CharField(_("单位名称"), max_length=128, db_index=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    licensing_authority = models.ForeignKey(
        "self",
        verbose_name=_("发证机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licensed",
        limit_choices_to={"kind": "authority"},
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级学会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
    )
    tree_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    grade = models.CharField(
        _("医院等级"), max_length=1, choices=Grade.choices, blank=True, default=""
    )
    licence_status = models.CharField(
        _("执业许可状态"), max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    inspection_result = models.CharField(
        _("年度校验结果"), max_length=16, choices=Inspection.choices, default=Inspection.PASSED
    )
    name_compliant = models.BooleanField(_("名称符合规定"), default=True)
    # CREDIT-RULES §1 five_year.national_min: staff of 一级防保 units, like those of 三级医院
    # and of provincial-level units, need national-project credits within five years.
    first_class_prevention = models.BooleanField(
        _("一级防保单位"),
        default=False,
        help_text=_("疾病预防控制、妇幼保健等一级防保单位：其人员须近5年获得国家级项目学分。"),
    )
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
    )
    national_account = models.CharField(
        _("国家级账号"), max_length=32, unique=True, null=True, blank=True
    )
    provincial_account = models.CharField(
        _("省级账号"), max_length=32, unique=True, null=True, blank=True
    )
    science_head = models.CharField(_("科教部门负责人"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    deregistered_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tree_path"]
        indexes = [
            # "everything under this authority" is tree_path LIKE '/1/5/%': on PostgreSQL a
            # prefix LIKE needs the pattern operator class to use an index
            models.Index(
                fields=["tree_path"], name="org_tree_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="branch") | models.Q(parent__isnull=False),
                name="branch_has_society",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def supervisor_id(self) -> int | None:
        return self.parent_id or self.licensing_authority_id

    @property
    def is_authority(self) -> bool:
        return self.kind == self.Kind.AUTHORITY

    @property
    def authority_level(self) -> str:
        """national / province / city / county for an authority, '' otherwise."""
        if not self.is_authority:
            return ""
        return self.region.level if self.region_id else "national"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def ancestor_ids(self) -> list[int]:
        """Ids on the path above this organisation, nearest first."""
        return [int(p) for p in self.tree_path.strip("/").split("/")[:-1]][::-1]


class OrganisationName(models.Model):  # 单位更名记录
    """原单位名 → 现单位名, kept for every rename."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="name_history"
    )
    old_name = models.CharField(_("原单位名"), max_length=128)
    new_name = models.CharField(_("现单位名"), max_length=128)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"
