from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.claims.amounts import quantity_label
from cme.core.forms import StyledFormMixin
from cme.core.uploads import validate_scan
from cme.credits.models import CreditSource

Unit = CreditSource.Unit


def claimable_sources():
    return CreditSource.objects.filter(active=True, claim=CreditSource.Claim.PERSON)


def unit_sources():
    return CreditSource.objects.filter(active=True, claim=CreditSource.Claim.UNIT)


class DateInput(forms.DateInput):
    input_type = "date"


class ClaimForm(StyledFormMixin, forms.Form):
    """申报学分. Which of quantity / amount / certificate number apply depends on the
    source; `for_source` hides the others once one is chosen (the action checks anyway)."""

    source = forms.ModelChoiceField(
        label=_("学分来源"),
        queryset=CreditSource.objects.none(),
        to_field_name="code",
        empty_label=_("请选择"),
    )
    year = forms.TypedChoiceField(label=_("学分年度"), coerce=int, choices=())
    title = forms.CharField(label=_("证书或活动名称"), max_length=200)
    activity_date = forms.DateField(label=_("活动日期"), widget=DateInput)
    certificate_number = forms.CharField(
        label=_("证书编号（项目编号）"),
        max_length=64,
        required=False,
        help_text=_("出省参加的国家级项目须带“（国）”字样，如 2024-04-08-001(国)"),
    )
    quantity = forms.DecimalField(
        label=_("数量"),
        max_digits=7,
        decimal_places=1,
        required=False,
        help_text=_("自学综述按千字填写，如4500字填4.5"),
    )
    amount = forms.DecimalField(
        label=_("学分（按证书填写）"), max_digits=5, decimal_places=1, required=False
    )
    hours = forms.DecimalField(
        label=_("学时"),
        max_digits=6,
        decimal_places=1,
        required=False,
        help_text=_("不填则按学分折算"),
    )
    evidence = forms.FileField(
        label=_("证明材料"),
        validators=[validate_scan],
        help_text=_("证书或材料的扫描件、照片：PDF、JPG或PNG，不超过10MB"),
    )

    half_fields = ("year", "activity_date", "quantity", "amount", "hours", "certificate_number")

    def __init__(self, *args, evidence_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [
            (y, _("{y}年度").format(y=y)) for y in (this_year, this_year - 1)
        ]
        self.fields["source"].queryset = claimable_sources()
        self.fields["evidence"].required = evidence_required
        if not evidence_required:
            self.fields["evidence"].help_text = _("不重新上传则沿用原材料")
        self.chosen = self._chosen_source()
        if self.chosen is not None:
            self.for_source(self.chosen)

    def _chosen_source(self) -> CreditSource | None:
        code = (self.data.get("source") if self.is_bound else None) or self.initial.get("source")
        if isinstance(code, CreditSource):
            return code
        return claimable_sources().filter(code=code).first() if code else None

    def for_source(self, source: CreditSource) -> None:
        if source.unit == Unit.CREDIT:
            del self.fields["quantity"]
        else:
            del self.fields["amount"]
            self.fields["quantity"].label = quantity_label(source)
            self.fields["quantity"].required = True
            if source.unit != Unit.KCHARS:
                self.fields["quantity"].help_text = ""
        if not source.needs_certificate_number:
            del self.fields["certificate_number"]
        else:
            self.fields["certificate_number"].required = True
            if source.code != "out_of_province":
                self.fields["certificate_number"].help_text = ""
        if source.unit == Unit.CREDIT:
            self.fields["amount"].required = True


class DecisionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回修改或不予认可时必填"),
    )


class ActivityForm(StyledFormMixin, forms.Form):
    """单位学术活动: the unit's own staff by name or ID number, one a line."""

    source = forms.ModelChoiceField(
        label=_("活动类别"),
        queryset=CreditSource.objects.none(),
        to_field_name="code",
        empty_label=_("请选择"),
    )
    title = forms.CharField(label=_("活动名称"), max_length=200)
    activity_date = forms.DateField(label=_("活动日期"), widget=DateInput)
    credits = forms.DecimalField(
        label=_("学分"),
        max_digits=5,
        decimal_places=1,
        required=False,
        help_text=_("仅“单位组织的学术活动（湖南）”填写，每项不超过1学分，学时=学分×4"),
    )
    hours = forms.DecimalField(
        label=_("活动学时"),
        max_digits=6,
        decimal_places=1,
        required=False,
        help_text=_("讲座、病例讨论等按次计分的活动可填；不填则按学分折算"),
    )
    lecturers = forms.CharField(
        label=_("主讲人"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("本单位人员的姓名或身份证号码，每行一个（或用逗号、顿号分隔）"),
    )
    participants = forms.CharField(
        label=_("参加人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("同上；同时是主讲人的只计主讲人学分"),
    )

    half_fields = ("activity_date", "credits", "hours")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = unit_sources()
