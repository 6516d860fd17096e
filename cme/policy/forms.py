from django import forms
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.policy.models import DeclarationWindow


class WindowForm(StyledFormMixin, forms.ModelForm):
    opens_at = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = DeclarationWindow
        fields = ["year", "level", "kind", "opens_at", "closes_at", "note"]
