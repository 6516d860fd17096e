from django import forms
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.people.models import IdType


class PersonForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    # IdType labels are plain Chinese (they are data); only their display is translated.
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=[(value, _(label)) for value, label in IdType.choices],
        initial=IdType.RESIDENT,
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    sex = forms.ChoiceField(
        label=_("性别"),
        choices=[("", _("按身份证号自动识别")), ("男", _("男")), ("女", _("女"))],
        required=False,
    )
    title = forms.CharField(
        label=_("职称"),
        max_length=32,
        required=False,
        help_text=_("如 主治医师、主管护师；无职称可不填"),
    )
    department = forms.CharField(label=_("科室"), max_length=64, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=32, required=False)

    def values(self) -> dict[str, str]:
        data = dict(self.cleaned_data)
        data["id_type"] = IdType(data["id_type"]).label
        return data


class PersonEditForm(PersonForm):
    """Editing keeps the ID: a wrong ID number is a new registration, not an edit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["id_type"]
        del self.fields["id_number"]

    def values(self) -> dict[str, str]:
        return dict(self.cleaned_data)


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("人员名单文件（.xlsx / .xls / .csv）"))


class TransferOutForm(StyledFormMixin, forms.Form):
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    to_unit = forms.CharField(
        label=_("调入单位（省级账号或单位全称，可不填）"),
        max_length=128,
        required=False,
        help_text=_("填写后，只有该单位可以调入；不填则任何单位凭证件号码均可调入。"),
    )
    note = forms.CharField(label=_("备注"), max_length=255, required=False)


class TransferLookupForm(StyledFormMixin, forms.Form):
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
