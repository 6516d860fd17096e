"""Holding an approved project (举办, SPEC §5): its sessions and their pre-event reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cme.orgs.models import Organisation, Region
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
