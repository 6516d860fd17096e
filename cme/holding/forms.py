"""Forms of the holding pages: a session, a pre-event report, the authorities' filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.core.uploads import validate_scan
from cme.holding.models import HeldSession
from cme.people.forms import PersonForm
from cme.projects.forms import region_choices

DATE = {"type": "date"}


class SessionForm(StyledFormMixin, forms.Form):
    half_fields = ("starts_on", "ends_on", "region", "address", "expected_participants", "credits")

    starts_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    region = forms.ChoiceField(label=_("举办地（省/市/区县）"))
    address = forms.CharField(label=_("举办地点"), max_length=200)
    mode = forms.ChoiceField(
        label=_("举办方式"), choices=HeldSession.Mode.choices, initial=HeldSession.Mode.OFFLINE
    )
    online_application = forms.FileField(
        label=_("改为线上举办的书面申请（报省继教委备案）"),
        required=False,
        validators=[validate_scan],
        help_text=_("面授项目原则上线下举办；改为线上须上传书面申请（PDF/JPG/PNG）。"),
    )
    expected_participants = forms.IntegerField(label=_("预计人数"), min_value=1)
    credits = forms.DecimalField(label=_("拟授学分"), max_digits=4, decimal_places=1, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices, self.regions = region_choices()
        self.fields["region"].choices = [("", _("请选择")), *choices]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data

    def session_values(self) -> dict:
        """Keyword arguments of `add_session`."""
        data = dict(self.cleaned_data)
        data["region"] = self.regions[data["region"]]
        if data["mode"] != HeldSession.Mode.ONLINE:
            data["online_application"] = None
        return data


class PreReportForm(StyledFormMixin, forms.Form):
    half_fields = ("notice", "schedule")

    notice = forms.FileField(label=_("会议通知"), validators=[validate_scan])
    schedule = forms.FileField(label=_("课程安排"), validators=[validate_scan])
    note = forms.CharField(label=_("备注"), max_length=255, required=False)


class AttendeeForm(PersonForm):
    """One attendee entered by hand: the person's fields, then the roster's own."""

    unit_name = forms.CharField(
        label=_("工作单位"),
        max_length=128,
        required=False,
        help_text=_("填写单位全称；与系统登记的单位名称一致时，新学员自动归入该单位。"),
    )
    email = forms.CharField(label=_("电子邮箱"), max_length=128, required=False)
    passed = forms.ChoiceField(
        label=_("考核结果"),
        choices=[("", _("未考核")), ("合格", _("合格")), ("不合格", _("不合格"))],
        required=False,
    )


class RosterImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("学员通讯录文件（.xlsx / .xls / .csv）"))


class CheckInForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
