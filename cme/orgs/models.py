from django.core.exceptions import ValidationError
from django.db import models
from stdnum.cn import uscc


class Region(models.Model):  # 行政区划 (GB/T 2260)
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市州"
        COUNTY = "county", "区县"

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=8, choices=Level.choices)
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
        raise ValidationError("统一社会信用代码无效：应为18位，且校验位正确。", code="USCC_INVALID")


class Organisation(models.Model):  # 机构/单位
    """A unit, a society or branch, or a health authority.

    The supervision tree runs through `parent` (a branch's society) or else
    `licensing_authority` (发证机构: the county, city or province that licensed it, or
    for an authority the authority above it). `tree_path` ("/1/5/23/") materialises
    that tree so "everything under this city" is one indexed prefix filter.
    """

    class Kind(models.TextChoices):
        MEDICAL = "medical", "医疗机构"
        TEACHING = "teaching", "教学机构"
        RESEARCH = "research", "科研机构"
        SOCIETY = "society", "学会/协会"
        BRANCH = "branch", "专业委员会/分会"
        AUTHORITY = "authority", "卫生健康行政部门"
        DISTANCE = "distance", "远程教育机构"
        OTHER = "other", "其他"

    class LicenceStatus(models.TextChoices):
        VALID = "valid", "正常"
        SUSPENDED = "suspended", "暂缓校验"
        REVOKED = "revoked", "吊销"

    class Inspection(models.TextChoices):
        PASSED = "passed", "合格"
        FAILED = "failed", "不合格"
        CANCELLED = "cancelled", "注销"

    class Grade(models.TextChoices):
        TERTIARY = "3", "三级"
        SECONDARY = "2", "二级"
        PRIMARY = "1", "一级"
        UNGRADED = "", "未定级"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        DEREGISTERED = "deregistered", "已注销"

    name = models.CharField("单位名称", max_length=128, db_index=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name="所在地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    licensing_authority = models.ForeignKey(
        "self",
        verbose_name="发证机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licensed",
        limit_choices_to={"kind": "authority"},
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级学会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
    )
    tree_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    grade = models.CharField(
        "医院等级", max_length=1, choices=Grade.choices, blank=True, default=""
    )
    licence_status = models.CharField(
        "执业许可状态", max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    inspection_result = models.CharField(
        "年度校验结果", max_length=16, choices=Inspection.choices, default=Inspection.PASSED
    )
    name_compliant = models.BooleanField("名称符合规定", default=True)
    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
    )
    national_account = models.CharField(
        "国家级账号", max_length=32, unique=True, null=True, blank=True
    )
    provincial_account = models.CharField(
        "省级账号", max_length=32, unique=True, null=True, blank=True
    )
    science_head = models.CharField("科教部门负责人", max_length=64, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    deregistered_at = models.DateTimeField("注销时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tree_path"]
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
    old_name = models.CharField("原单位名", max_length=128)
    new_name = models.CharField("现单位名", max_length=128)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"
