from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.integrity.models import IntegrityAlert


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结论"),
        choices=IntegrityAlert.Decision.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("处理理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("核查经过与结论依据。"),
    )
    action_taken = forms.CharField(
        label=_("采取的措施"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("已核实时填写，如作废相关学分、录入处理决定。系统不会自动作废任何记录。"),
    )
    sanction = forms.IntegerField(
        label=_("相关处理决定编号"),
        required=False,
        min_value=1,
        help_text=_("已在“处理决定”中录入的，填写其编号（详情页地址中的数字）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # radio buttons take Bootstrap's check class, not form-select
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class ScanForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)
