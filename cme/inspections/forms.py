from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.holding.models import HeldSession
from cme.inspections import indicators
from cme.inspections.models import SpotCheck, SpotCheckFile, SpotCheckItem
from cme.inspections.queries import eligible_inspectors
from cme.projects.models import Level


class DrawForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("项目年度"), min_value=2000, max_value=2100)
    levels = forms.MultipleChoiceField(
        label=_("项目级别"),
        choices=Level.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("按项目级别 × 申办单位所在市州分层抽取。"),
    )
    rate_percent = forms.DecimalField(
        label=_("每层抽样比例（%）"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        decimal_places=1,
        help_text=_("如填10，即每层抽取10%（四舍五入），每个非空分层至少抽取1项。"),
    )
    per_stratum = forms.IntegerField(
        label=_("或：每层抽取数量"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("与抽样比例二选一；分层内项目不足时全部抽取。"),
    )
    seed = forms.IntegerField(
        label=_("随机种子"),
        min_value=0,
        max_value=10**12 - 1,
        help_text=_(
            "系统已随机生成，可改为公开产生的数字（如现场摇号结果）。同一候选名单和同一种子总能得到相同的抽样结果，可供复核。"
        ),
    )
    note = forms.CharField(label=_("说明"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["levels"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if (data.get("rate_percent") is None) == (data.get("per_stratum") is None):
            raise forms.ValidationError(_("请填写每层抽样比例或每层抽取数量，二者选其一。"))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        rate = data.get("rate_percent")
        return {
            "year": data["year"],
            "levels": data["levels"],
            "rate": rate / 100 if rate is not None else None,
            "per_stratum": data.get("per_stratum"),
            "seed": data["seed"],
        }


class AssignForm(StyledFormMixin, forms.Form):
    items = forms.ModelMultipleChoiceField(
        label=_("抽查项目"), queryset=SpotCheckItem.objects.none(), widget=forms.MultipleHiddenInput
    )
    inspectors = forms.ModelMultipleChoiceField(
        label=_("检查人员"),
        queryset=SpotCheckItem.objects.none(),
        help_text=_("本部门及下级部门的审核人员，或本辖区的学科组专家；按住Ctrl可多选。"),
    )
    visit_date = forms.DateField(
        label=_("计划检查日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, spot_check: SpotCheck, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = spot_check.items.select_related("project")
        inspectors = eligible_inspectors(spot_check)
        self.fields["inspectors"].queryset = inspectors
        self.fields["inspectors"].label_from_instance = lambda u: "{n}（{o}，{r}）".format(
            n=u.get_full_name() or u.username,
            o=u.membership.organisation.name,
            r=u.membership.get_role_display(),
        )


class FindingsForm(StyledFormMixin, forms.Form):
    """A score and a note for each indicator, the visit date, the session seen, an opinion."""

    visit_date = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    session = forms.ModelChoiceField(
        label=_("检查期次"), queryset=HeldSession.objects.none(), required=False
    )
    summary = forms.CharField(
        label=_("检查意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("检查结论为不合格时必填。"),
    )

    def __init__(self, *args, item: SpotCheckItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = HeldSession.objects.filter(project=item.project_id)
        self.rows = []
        for indicator in indicators.INDICATORS:
            entry = item.findings.get(indicator.id, {})
            score = forms.DecimalField(
                label=indicator.name,
                min_value=Decimal(0),
                max_value=Decimal(indicator.max_score),
                decimal_places=1,
                initial=entry.get("score"),
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "min": "0", "max": str(indicator.max_score)}
                ),
            )
            note = forms.CharField(
                label=_("{n}：检查记录").format(n=indicator.name),
                required=False,
                max_length=500,
                initial=entry.get("note", ""),
            )
            self.fields["score_" + indicator.id] = score
            self.fields["note_" + indicator.id] = note
        super_init_styles(self)
        for indicator in indicators.INDICATORS:
            self.rows.append(
                (indicator, self["score_" + indicator.id], self["note_" + indicator.id])
            )
        self.initial.setdefault("visit_date", item.visit_date or timezone.localdate())
        self.initial.setdefault("session", item.session_id)
        self.initial.setdefault("summary", item.summary)

    def scores(self) -> dict:
        data = self.cleaned_data
        return {
            i.id: {"score": data["score_" + i.id], "note": data["note_" + i.id]}
            for i in indicators.INDICATORS
        }


def super_init_styles(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        )


class FileForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=SpotCheckFile.Kind.choices)
    file = forms.FileField(label=_("文件（照片JPG、PNG；资料PDF、Word、JPG、PNG；不超过10MB）"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
