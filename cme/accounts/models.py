import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.orgs.models import Organisation, Region


class User(AbstractUser):
    """A login. Whom it acts for, and as what, is its Membership."""

    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    def get_full_name(self) -> str:
        return self.first_name or self.username


class Role(models.TextChoices):  # 角色 (SPEC §2)
    LEARNER = "learner", _("学员")
    UNIT_ADMIN = "unit_admin", _("单位账户管理员")
    PROJECT_LEADER = "project_leader", _("项目负责人")
    BRANCH_SECRETARY = "branch_secretary", _("分会秘书")
    COUNTY_REVIEWER = "county_reviewer", _("区县卫健局")
    CITY_REVIEWER = "city_reviewer", _("市州科教科")
    PROVINCIAL_OFFICE = "provincial_office", _("省继教办")
    NATIONAL_OFFICE = "national_office", _("全国继委会办公室")
    EXPERT = "expert", _("学科组专家")
    DISTANCE_PROVIDER = "distance_provider", _("远程教育机构")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


AUTHORITY_ROLES = {
    Role.COUNTY_REVIEWER,
    Role.CITY_REVIEWER,
    Role.PROVINCIAL_OFFICE,
    Role.NATIONAL_OFFICE,
}
# Roles that manage a unit's staff (its persons, imports, transfers).
STAFF_ROLES = {Role.UNIT_ADMIN, Role.BRANCH_SECRETARY}


class Membership(models.Model):  # 角色归属
    """A user acts for one organisation in one role; they see that organisation's subtree."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_role_display()}"

    @property
    def is_authority(self) -> bool:
        return self.role in AUTHORITY_ROLES


class ApiToken(models.Model):  # API令牌
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=64)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("未通过")
    APPROVED = "approved", _("已通过")


def upload_to(instance, filename: str) -> str:
    return f"accounts/{instance._meta.model_name}/{filename}"


class AccountApplication(models.Model):  # 单位账户申请 (003 §十四, 附件3)
    """A unit's application for an account, decided by its licensing authority."""

    reference = models.CharField(_("申请编号"), max_length=20, unique=True)
    unit_name = models.CharField(_("单位名称"), max_length=128)
    kind = models.CharField(_("单位类别"), max_length=16, choices=Organisation.Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区县"), on_delete=models.PROTECT, related_name="+"
    )
    licensing_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("发证机构"),
        on_delete=models.PROTECT,
        related_name="account_applications",
    )
    supervisor_name = models.CharField(_("上级主管部门"), max_length=128)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    science_head = models.CharField(_("科教部门负责人"), max_length=64)
    science_head_phone = models.CharField(_("联系电话"), max_length=32)
    admin_name = models.CharField(_("单位账户管理员"), max_length=64)
    admin_phone = models.CharField(_("管理员联系电话"), max_length=32)
    admin_email = models.EmailField(_("电子邮箱"))
    licence_scan = models.FileField(_("医疗机构执业许可证扫描件（盖章）"), upload_to=upload_to)
    legal_rep_id_scan = models.FileField(_("单位法人身份证扫描件"), upload_to=upload_to)
    agent_id_scan = models.FileField(_("委托办理人身份证扫描件"), upload_to=upload_to)
    state = models.CharField(
        _("状态"), max_length=16, choices=RequestState.choices, default=RequestState.SUBMITTED
    )
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.unit_name}"


class RenameRequest(models.Model):  # 单位账户更名 (003 §十六, 附件4)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="rename_requests"
    )
    old_name = models.CharField(_("原单位名"), max_length=128)
    new_name = models.CharField(_("现单位名"), max_length=128)
    stamped_scan = models.FileField(_("盖章扫描件"), upload_to=upload_to)
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=RequestState.choices, default=RequestState.SUBMITTED
    )
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"


class PasswordResetRequest(models.Model):  # 单位账户密码重置 (003 §十七)
    """Lost unit password: a stamped letter to the licensing authority, which resets it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reset_requests"
    )
    stamped_letter = models.FileField(_("加盖公章的申请说明"), upload_to=upload_to)
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    state = models.CharField(
        _("状态"), max_length=16, choices=RequestState.choices, default=RequestState.SUBMITTED
    )
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.organisation} 密码重置"
