"""Forms of the change, execution-report, review and evaluation pages."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from cme.core.errors import DomainError
from cme.core.forms import StyledFormMixin
from cme.core.uploads import validate_document, validate_scan
from cme.holding.changes import LessonRow
from cme.holding.models import ExecutionReport
from cme.holding.reports import EFFECT_LEVELS, QUESTIONS, REQUIRED_EFFECT_LEVELS
from cme.people.titles import TitleLevel, level_of


def lesson_rows(data) -> list[LessonRow]:
    """The lesson table of the change page: parallel lists, blank rows skipped."""
    columns = (
        "planned",
        "topic",
        "teacher_name",
        "teacher_unit",
        "teacher_title",
        "title_level",
        "hours",
    )
    values = {c: data.getlist(c) for c in columns}
    rows = []
    for i, topic in enumerate(values["topic"]):
        cell = {c: (values[c][i] if i < len(values[c]) else "").strip() for c in columns}
        if not any(cell[c] for c in ("topic", "teacher_name", "hours")):
            continue
        try:
            hours = Decimal(cell["hours"] or "0")
        except InvalidOperation:
            raise DomainError(
                "CHANGE_ROW", "第{n}行：学时“{h}”不是数字。".format(n=i + 1, h=cell["hours"])
            ) from None
        known = level_of(cell["teacher_title"])
        level = known[1] if known else int(cell["title_level"] or TitleLevel.NONE)
        rows.append(
            LessonRow(
                topic=topic.strip(),
                teacher_name=cell["teacher_name"],
                hours=hours,
                teacher_title=cell["teacher_title"],
                teacher_title_level=level,
                teacher_unit=cell["teacher_unit"],
                planned_id=int(cell["planned"]) if cell["planned"].isdigit() else None,
            )
        )
    return rows


class LeaderChangeForm(StyledFormMixin, forms.Form):
    new_leader_id_number = forms.CharField(
        label=_("新负责人证件号码"), max_length=32, help_text=_("须为已在本平台登记的人员。")
    )
    reason = forms.CharField(label=_("不可抗力原因"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("证明材料"), validators=[validate_scan])


class ReportForm(StyledFormMixin, forms.ModelForm):
    """001 附件2 (the summary form) and 附件3 (the textbook form); the evaluation counts
    and effect levels are added as fields of their own."""

    half_fields = (
        "textbook_name",
        "textbook_written_on",
        "textbook_authors",
        "textbook_form",
        "textbook_words",
        "textbook_hours",
        "schedule",
        "exam",
    )

    class Meta:
        model = ExecutionReport
        fields = [
            "effect_analysis",
            "problems",
            "schedule",
            "exam",
            "respondents",
            "textbook_name",
            "textbook_written_on",
            "textbook_authors",
            "textbook_form",
            "textbook_words",
            "textbook_hours",
            "textbook_outline",
        ]
        widgets = {
            "effect_analysis": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 3}),
            "textbook_outline": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("schedule", "exam"):
            self.fields[name].validators.append(validate_document)
            self.fields[name].widget = forms.FileInput()
        counts = self.instance.evaluation_counts or {}
        for q in QUESTIONS:
            for i, choice in enumerate(q.choices):
                self.fields["{q}_{i}".format(q=q.key, i=i)] = forms.IntegerField(
                    label=_(choice),
                    min_value=0,
                    required=False,
                    initial=(counts.get(q.key) or {}).get(choice, 0),
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                )
        levels = self.instance.effect_levels or {}
        for n, name in EFFECT_LEVELS:
            self.fields["level_{n}".format(n=n)] = forms.CharField(
                label="{n}. {name}".format(n=n, name=_(name)),
                required=False,
                initial=levels.get(str(n), ""),
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                help_text=_("必填") if n in REQUIRED_EFFECT_LEVELS else _("临床学科选填"),
            )

    def questions(self):
        """[(question, [bound field per choice])] for the evaluation grid."""
        return [
            (q, [self["{q}_{i}".format(q=q.key, i=i)] for i in range(len(q.choices))])
            for q in QUESTIONS
        ]

    def level_fields(self):
        return [self["level_{n}".format(n=n)] for n, _name in EFFECT_LEVELS]

    def report_values(self) -> dict:
        """Keyword arguments of `reports.save_report`."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name in data}
        values["respondents"] = values.get("respondents") or 0
        values["evaluation_counts"] = {
            q.key: {
                c: data.get("{q}_{i}".format(q=q.key, i=i)) or 0 for i, c in enumerate(q.choices)
            }
            for q in QUESTIONS
        }
        values["effect_levels"] = {
            str(n): data.get("level_{n}".format(n=n), "") for n, _name in EFFECT_LEVELS
        }
        return values


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class EvaluationForm(forms.Form):
    """A learner's own answers: one choice for questions 1-6, at most two for question 7."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in QUESTIONS:
            choices = [(c, _(c)) for c in q.choices]  # the form's Chinese is what is stored
            label = "{n}. {t}".format(n=q.key[1:], t=_(q.text))
            if q.max_choices > 1:
                self.fields[q.key] = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                )
            else:
                self.fields[q.key] = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                )
