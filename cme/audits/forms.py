from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cme.audits.actions import Decision
from cme.core.forms import StyledFormMixin


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[
            (Decision.APPROVE, _("审核通过")),
            (Decision.RETURN, _("退回单位修改")),
            (Decision.REJECT, _("不通过")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=Decision.APPROVE,
    )
    reason = forms.CharField(
        label=_("意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回或不通过时必填。"),
    )


class VoidLookupForm(StyledFormMixin, forms.Form):
    """Step 1 of voiding a year: whose, which year, why. The ID number travels in the POST
    body only."""

    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class VoidConfirmForm(forms.Form):
    """Step 2: the person found in step 1, by record id."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2100)
    reason = forms.CharField(widget=forms.HiddenInput, max_length=200)


class WhatIfForm(StyledFormMixin, forms.Form):
    half_fields = ("year", "total_min", "class1_min", "class2_max_counted")

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    total_min = forms.DecimalField(
        label=_("总学分不少于"), min_value=Decimal(0), max_value=Decimal(500), decimal_places=1
    )
    class1_min = forms.DecimalField(
        label=_("I类学分不少于"), min_value=Decimal(0), max_value=Decimal(500), decimal_places=1
    )
    class2_max_counted = forms.DecimalField(
        label=_("II类学分计入总分不超过"),
        min_value=Decimal(0),
        max_value=Decimal(500),
        decimal_places=1,
        required=False,
        help_text=_("留空表示不设上限。"),
    )
