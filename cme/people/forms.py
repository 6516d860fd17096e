from django import forms

from cme.core.forms import StyledFormMixin
from cme.people.models import IdType


class PersonForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=64)
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices, initial=IdType.RESIDENT)
    id_number = forms.CharField(label="证件号码", max_length=32)
    sex = forms.ChoiceField(
        label="性别",
        choices=[("", "按身份证号自动识别"), ("男", "男"), ("女", "女")],
        required=False,
    )
    title = forms.CharField(
        label="职称", max_length=32, required=False, help_text="如 主治医师、主管护师；无职称可不填"
    )
    department = forms.CharField(label="科室", max_length=64, required=False)
    phone = forms.CharField(label="手机号码", max_length=32, required=False)

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
    file = forms.FileField(label="人员名单文件（.xlsx / .xls / .csv）")


class TransferOutForm(StyledFormMixin, forms.Form):
    id_number = forms.CharField(label="证件号码", max_length=32)
    to_unit = forms.CharField(
        label="调入单位（省级账号或单位全称，可不填）",
        max_length=128,
        required=False,
        help_text="填写后，只有该单位可以调入；不填则任何单位凭证件号码均可调入。",
    )
    note = forms.CharField(label="备注", max_length=255, required=False)


class TransferLookupForm(StyledFormMixin, forms.Form):
    id_number = forms.CharField(label="证件号码", max_length=32)
