from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.people.models import Person
from cme.projects.models import Level
from cme.supervision.models import Sanction
from cme.supervision.queries import person_by_id_number, sanctionable_units

UNIT_CHOICES_SHOWN = 200


class UnechoedTextInput(forms.TextInput):
    """A text box that never writes the submitted value back into the page (ID numbers)."""

    def format_value(self, value):
        return None


class SanctionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("处理类型"), choices=Sanction.Kind.choices)
    organisation = forms.ModelChoiceField(
        label=_("被处理单位"),
        queryset=Sanction.objects.none(),
        required=False,
        help_text=_("处理单位时选择；单位较多时先在上方按名称搜索。"),
    )
    id_number = forms.CharField(
        label=_("被处理人员的完整证件号码"),
        max_length=32,
        required=False,
        widget=UnechoedTextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "处理项目负责人等个人时填写；为保护个人信息，页面不回显证件号码，提交有误时请重新填写。"
        ),
    )
    from_year = forms.IntegerField(
        label=_("起始年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_(
            "留空：暂停负责人资格、取消单位资格、缩减名额为决定的下一年度，其余为决定当年。"
        ),
    )
    to_year = forms.IntegerField(
        label=_("截止年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("留空同起始年度。取消单位申报资格为1～3年；暂停负责人申报资格为一个年度。"),
    )
    decided_on = forms.DateField(
        label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(
        label=_("证据材料（PDF、JPG或PNG扫描件，不超过10MB）"), required=False
    )

    def __init__(self, *args, user, q: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person: Person | None = None
        units = sanctionable_units(user)
        field = self.fields["organisation"]
        field.queryset = units  # validation accepts any unit in scope
        shown = list((units.filter(name__icontains=q) if q else units)[:UNIT_CHOICES_SHOWN])
        chosen = str(self["organisation"].value() or "")
        if chosen.isdigit() and all(str(o.pk) != chosen for o in shown):
            shown += list(units.filter(pk=int(chosen)))
        field.widget.choices = [("", "---------")] + [(o.pk, o.name) for o in shown]
        self.initial.setdefault("decided_on", timezone.localdate())

    def clean_id_number(self) -> str:
        number = self.cleaned_data["id_number"].strip()
        if number:
            self.person = person_by_id_number(self.user, number)
            if self.person is None:
                raise forms.ValidationError(_("在您的管理范围内没有找到该证件号码的人员。"))
        return ""  # the number itself goes no further than this lookup

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "organisation": data["organisation"],
            "person": self.person,
            "from_year": data["from_year"],
            "to_year": data["to_year"],
            "decided_on": data["decided_on"],
            "reason": data["reason"],
            "evidence": data["evidence"],
        }


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs={"rows": 3}))


class QuotaComputeForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("名额年度"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("项目级别"), choices=Level.choices)
    rate_year = forms.IntegerField(
        label=_("执行率统计年度"),
        min_value=2000,
        max_value=2100,
    )
    base_quota = forms.IntegerField(label=_("基础名额"), min_value=1, max_value=9999)
    cut_ratio = forms.DecimalField(
        label=_("低于平均时削减比例"),
        min_value=Decimal(0),
        max_value=Decimal("0.99"),
        decimal_places=2,
    )


class QuotaSetForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2100)
    level = forms.ChoiceField(widget=forms.HiddenInput, choices=Level.choices)
    quota = forms.IntegerField(label=_("名额"), min_value=0, max_value=9999)
    reason = forms.CharField(label=_("调整理由"), max_length=255)
