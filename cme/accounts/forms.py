from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from cme.accounts.models import AccountApplication
from cme.core.forms import StyledFormMixin
from cme.core.uploads import validate_scan
from cme.orgs.models import Organisation, Region, validate_uscc
from cme.orgs.queries import authorities_for_applications


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续输错多次后账户将被暂时锁定。"),
        "inactive": _("该账户已停用。"),
    }


class ScanField(forms.FileField):
    default_validators = [validate_scan]


class AccountApplicationForm(StyledFormMixin, forms.ModelForm):
    """湖南省科教信息平台继续医学教育管理卡单位账户申请信息表 (003 附件3) with its three scans."""

    licence_scan = ScanField(label=_("医疗机构执业许可证扫描件（加盖公章）"))
    legal_rep_id_scan = ScanField(label=_("单位法人身份证扫描件"))
    agent_id_scan = ScanField(label=_("委托办理人身份证扫描件"))

    class Meta:
        model = AccountApplication
        fields = [
            "unit_name",
            "kind",
            "region",
            "licensing_authority",
            "supervisor_name",
            "uscc",
            "science_head",
            "science_head_phone",
            "admin_name",
            "admin_phone",
            "admin_email",
            "licence_scan",
            "legal_rep_id_scan",
            "agent_id_scan",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(code__startswith="43").exclude(
            level="province"
        )
        self.fields["region"].label = _("所在市州/区县")
        self.fields["licensing_authority"].queryset = authorities_for_applications()
        self.fields["kind"].choices = [
            c for c in Organisation.Kind.choices if c[0] not in {"authority", "branch"}
        ]
        self.fields["uscc"].validators.append(validate_uscc)
        for name in ("licence_scan", "legal_rep_id_scan", "agent_id_scan"):
            self.fields[name].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean_uscc(self):
        return self.cleaned_data["uscc"].strip().upper()


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("通过")), ("return", _("退回修改")), ("reject", _("不予通过"))],
    )
    reason = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RenameForm(StyledFormMixin, forms.Form):
    new_name = forms.CharField(label=_("现单位名"), max_length=128)
    stamped_scan = ScanField(label=_("更名信息表盖章扫描件"))
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32)


class PasswordResetRequestForm(StyledFormMixin, forms.Form):
    account = forms.CharField(label=_("单位账号（省级账号）或单位全称"), max_length=128)
    stamped_letter = ScanField(label=_("加盖本单位公章的申请说明"))
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32)


class HandOverForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label=_("新管理员姓名"), max_length=64)
    username = forms.RegexField(
        label=_("新管理员登录名"),
        regex=r"^[A-Za-z0-9_.@-]{3,32}$",
        max_length=32,
        error_messages={"invalid": _("登录名只能包含字母、数字和 _ . @ -，3-32位。")},
    )
    phone = forms.CharField(label=_("联系电话"), max_length=32)
    email = forms.EmailField(label=_("电子邮箱"), required=False)


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("令牌用途"), max_length=64)
