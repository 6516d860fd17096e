from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from cme.core.models import ImportRecord
from cme.orgs.models import Organisation
from cme.people.titles import TitleLevel


class IdType(models.TextChoices):  # 证件类型
    # The labels stay Chinese whatever the UI language: they are also the vocabulary of
    # import files and forms (validation.ID_TYPE_BY_LABEL). Templates translate them
    # for display with {% translate person.get_id_type_display %}.
    RESIDENT = "resident", gettext_noop("居民身份证")
    PASSPORT = "passport", gettext_noop("护照")
    HK_MACAU = "hk_macau", gettext_noop("港澳居民来往内地通行证")
    TAIWAN = "taiwan", gettext_noop("台湾居民来往大陆通行证")
    FOREIGN_PR = "foreign_pr", gettext_noop("外国人永久居留身份证")
    OFFICER = "officer", gettext_noop("军官证")


class Person(models.Model):  # 学员 / 卫生专业技术人员
    """A health professional, identified by ID type and number; one record per ID.

    `unit` is empty while the person is transferred out and not yet taken in.
    """

    class Sex(models.TextChoices):  # Chinese labels are data too (form values, imports)
        MALE = "M", gettext_noop("男")
        FEMALE = "F", gettext_noop("女")

    name = models.CharField(_("姓名"), max_length=64)
    id_type = models.CharField(
        _("证件类型"), max_length=16, choices=IdType.choices, default=IdType.RESIDENT
    )
    id_number = models.CharField(_("证件号码"), max_length=32)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    title = models.CharField(_("职称"), max_length=32, blank=True)
    title_series = models.CharField(_("职称系列"), max_length=16, blank=True)
    title_level = models.PositiveSmallIntegerField(
        _("职称级别"), choices=TitleLevel.choices, default=TitleLevel.NONE
    )
    department = models.CharField(_("科室"), max_length=64, blank=True)
    phone = models.CharField(_("手机号码"), max_length=32, blank=True)
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="one_person_per_id")
        ]

    def __str__(self) -> str:
        return self.name


class UnitHistory(models.Model):  # 人员单位变动记录
    class Via(models.TextChoices):
        ENTRY = "entry", _("单位录入")
        IMPORT = "import", _("名单导入")
        TRANSFER = "transfer", _("人员调动")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="unit_history")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("调入时间"))
    ended_at = models.DateTimeField(_("调出时间"), null=True, blank=True)
    via = models.CharField(_("方式"), max_length=16, choices=Via.choices)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit}"


def proof_upload_to(instance, filename: str) -> str:
    return f"transfers/{filename}"


class Transfer(models.Model):  # 人员调动 (003 §十八)
    """The old unit transfers a person out; the new unit transfers them in."""

    class State(models.TextChoices):
        PENDING = "pending", _("待调入")
        COMPLETED = "completed", _("已调入")
        CANCELLED = "cancelled", _("已撤销")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("原单位"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("调入单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    proof = models.FileField(_("注销证明/调入证明"), upload_to=proof_upload_to, blank=True)
    by_authority = models.BooleanField(_("由发证机构代为调出"), default=False)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("调出时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("调入时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(state="pending"),
                name="one_pending_transfer_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.from_unit} → {self.to_unit or '待定'}"


def import_upload_to(instance, filename: str) -> str:
    return f"imports/{instance.sha256[:2]}/{instance.sha256}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


class StaffImport(ImportRecord):  # 人员导入记录
    """One uploaded staff file of a unit (the import contract's record)."""

    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff_imports")
    file = models.FileField(upload_to=import_upload_to)
    commit_started_at = models.DateTimeField(null=True, blank=True)
