from django import forms
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.core.uploads import validate_scan


class ExemptionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("不计达标原因"), max_length=200)
    evidence = forms.FileField(
        label=_("证明材料"),
        validators=[validate_scan],
        help_text=_("病假、产假等证明的扫描件：PDF、JPG或PNG，不超过10MB"),
    )
