from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.plans.models import Half, PlanRow


def _this_year() -> int:
    return timezone.localdate().year


class PlanStartForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, initial=_this_year)
    half = forms.TypedChoiceField(label=_("半年"), choices=Half.choices, coerce=int)


class PlanRowForm(StyledFormMixin, forms.Form):
    """The row editor: every value goes to `rows.clean_row` as text, as an imported cell."""

    number = forms.CharField(label=_("序号"), required=False, help_text=_("不填时按顺序编号"))
    name = forms.CharField(label=_("培训名称"), max_length=200)
    content = forms.CharField(label=_("培训内容"), widget=forms.Textarea(attrs={"rows": 2}))
    audience = forms.CharField(label=_("培训对象"), max_length=200)
    starts_on = forms.CharField(
        label=_("培训开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.CharField(
        label=_("培训结束日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=_("培训地点"), max_length=200)
    participants = forms.CharField(label=_("培训人数"))
    organiser = forms.CharField(label=_("承办单位"), max_length=128)
    mode = forms.ChoiceField(label=_("培训方式"), choices=PlanRow.Mode.choices)
    credits = forms.CharField(label=_("拟授学分"), help_text=_("最多一位小数"))
    note = forms.CharField(label=_("备注"), max_length=255, required=False)

    @classmethod
    def for_row(cls, row: PlanRow) -> "PlanRowForm":
        return cls(
            initial={
                "number": row.number,
                "name": row.name,
                "content": row.content,
                "audience": row.audience,
                "starts_on": row.starts_on.isoformat(),
                "ends_on": row.ends_on.isoformat(),
                "place": row.place,
                "participants": row.participants,
                "organiser": row.organiser,
                "mode": row.mode,
                "credits": row.credits,
                "note": row.note,
            }
        )


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("计划申报表（.xlsx/.xls/.csv）"))


class RowDecisionForm(StyledFormMixin, forms.Form):
    row = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("审核意见"), required=False)


class WorkReportForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, initial=_this_year)
    text = forms.CharField(
        label=_("工作总结"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    file = forms.FileField(
        label=_("工作总结文件"), required=False, help_text=_("PDF或Word文档，不超过10MB。")
    )
