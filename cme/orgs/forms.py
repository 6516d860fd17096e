from django import forms
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.orgs.actions import EDITABLE_FIELDS
from cme.orgs.models import Organisation


class OrganisationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = EDITABLE_FIELDS


class DeregisterForm(StyledFormMixin, forms.Form):
    proof = forms.FileField(label=_("注销证明（发证机构代为调出时必传）"), required=False)
    comment = forms.CharField(label=_("说明"), required=False, max_length=255)
