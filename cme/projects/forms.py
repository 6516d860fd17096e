"""Forms of the declaration pages: start, the five edit tabs, the review decision.

Forms only validate and translate input into the values the actions take
(`save_draft`, `replace_content`, `decide`); they never write.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cme.core import idnumbers
from cme.core.forms import QuickSelect, StyledFormMixin
from cme.core.uploads import validate_scan
from cme.orgs.models import Organisation, Region
from cme.people.models import Person
from cme.people.titles import level_of
from cme.policy.access import for_year
from cme.policy.models import Discipline
from cme.projects.models import Attachment, Kind, Lesson, Level, Project, ReviewStep

# Stored codes of the checkbox lists (Project.needs_sources / evaluation_levels).
NEEDS_SOURCES = [
    ("learner_needs", _("学员需求")),
    ("survey", _("问卷调查")),
    ("evaluation", _("评估结果")),
    ("practice_gap", _("临床实践问题与差距")),
    ("advances", _("国内外新进展")),
    ("policy", _("卫生政策法规新要求")),
    ("future_needs", _("未来工作需求")),
]
EVALUATION_LEVELS = [  # 004 §六.5
    (1, _("参与度")),
    (2, _("满意度")),
    (3, _("知识的学习")),
    (4, _("能力的学习")),
    (5, _("临床应用")),
    (6, _("患者健康")),
    (7, _("社区健康")),
]
# Reviewers' per-field comments (ReviewStep.field_comments keys) offered on the decision page.
COMMENT_FIELDS = [
    ("name", _("项目名称")),
    ("needs_analysis", _("需求分析")),
    ("objectives", _("教学目标")),
    ("lessons", _("课程安排")),
    ("teachers", _("授课教师")),
    ("planned_sessions", _("举办期次与地点")),
    ("attachments", _("附件")),
]
SECTION_LABELS = {
    **dict(COMMENT_FIELDS),
    "sessions": _("举办期次与地点"),
    "leader": _("项目负责人"),
    "__all__": _("整体"),
}


def field_label(key: str) -> str:
    """The Chinese name of a field or section ("teachers.3" → 授课教师)."""
    name = key.split(".")[0]
    if name in SECTION_LABELS:
        return str(SECTION_LABELS[name])
    try:
        return str(Project._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return key


def labels_of(values, choices) -> list[str]:
    names = dict(choices)
    return [str(names.get(v, v)) for v in values or []]


def _numbered(choices):
    return [(value, "{n} {label}".format(n=value, label=label)) for value, label in choices]


class ReviewCommentsMixin:
    """Puts a returned declaration's per-field comments beside the fields they concern."""

    def attach_comments(self, comments: dict) -> None:
        for name in self.fields:
            key = name.removesuffix("_id_number")
            if comments.get(key):
                self[name].review_comment = comments[key]

    def attach_findings(self, findings: list[dict]) -> None:
        """Puts each rule finding beside the field it names ("leader", "credits"…), so the
        message is read where the value is changed, with its rule id."""
        by_field: dict[str, list[dict]] = {}
        for finding in findings:
            by_field.setdefault(finding.get("field", ""), []).append(finding)
        for name in self.fields:
            rows = by_field.get(name.removesuffix("_id_number"))
            if rows:
                self[name].rule_findings = rows


# -- start -------------------------------------------------------------------------------


class StartForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("项目年度"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("项目级别"), choices=Level.choices, initial=Level.PROVINCIAL)
    kind = forms.ChoiceField(
        label=_("申报类型"),
        choices=Kind.choices,
        initial=Kind.NEW,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    name = forms.CharField(
        label=_("项目名称"), max_length=200, required=False, help_text=_("新申报项目填写")
    )
    previous = forms.ModelChoiceField(
        label=_("上一年度已批准的项目"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("请选择"),
        help_text=_("备案项目选择本单位上一年度已批准的项目，内容将自动带入"),
    )

    half_fields = {"year", "level"}

    def __init__(self, *args, candidates, **kwargs):
        """`candidates(year)`: the unit's approved projects of year-1 (a scoped queryset)."""
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update(  # a new year lists that year's candidates
            {
                "hx-get": reverse("projects:start"),
                "hx-trigger": "change",
                "hx-target": "#field-previous",
                "hx-select": "#field-previous",
                "hx-swap": "outerHTML",
            }
        )
        raw = self.data.get("year") if self.is_bound else self.initial.get("year")
        year = int(raw) if str(raw or "").isdigit() else 0
        self.fields["previous"].queryset = candidates(year)
        self.fields["previous"].label_from_instance = lambda p: "{n} {name}".format(
            n=p.number or "", name=p.name
        )

    def start_values(self) -> dict:
        data = self.cleaned_data
        values = {"year": data["year"], "level": data["level"], "kind": data["kind"]}
        if data["kind"] == Kind.FILING:
            values["previous"] = data["previous"]
        else:
            values["name"] = data["name"]
        return values


# -- 基本信息 ------------------------------------------------------------------------------


class DisciplineField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Discipline) -> str:
        return str(obj)  # 04-08 临床外科学/肿瘤外科学


class BasicForm(ReviewCommentsMixin, StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    discipline = DisciplineField(
        label=_("学科"),
        queryset=Discipline.objects.none(),
        required=False,
        empty_label=_("请选择学科"),
        widget=QuickSelect,
    )
    sponsor_is_first = forms.BooleanField(label=_("本单位为唯一或第一申办单位"), required=False)
    co_sponsors = forms.CharField(
        label=_("其他申办单位"), max_length=255, required=False, help_text=_("多个单位以“、”分隔")
    )
    form = forms.ChoiceField(label=_("举办形式"), choices=Project.Form.choices)
    website = forms.CharField(label=_("教学网站（远程项目）"), max_length=200, required=False)
    audience = forms.CharField(label=_("教学对象"), max_length=200, required=False)
    expected_participants = forms.IntegerField(label=_("拟招生人数"), min_value=1, required=False)
    sessions_planned = forms.IntegerField(label=_("举办期数"), min_value=1, max_value=99)
    credits = forms.DecimalField(
        label=_("授予学员学分"), max_digits=4, decimal_places=1, min_value=0, required=False
    )
    needs_sources = forms.MultipleChoiceField(
        label=_("需求来源"),
        required=False,
        choices=NEEDS_SOURCES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    needs_analysis = forms.CharField(
        label=_("需求分析"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    objectives = forms.CharField(
        label=_("教学目标"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment_method = forms.CharField(
        label=_("考核方式"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evaluation_levels = forms.TypedMultipleChoiceField(
        label=_("效果评估层次"),
        required=False,
        coerce=int,
        choices=_numbered(EVALUATION_LEVELS),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("1-3 为所有项目的基本要求，4-7 为临床相关学科的自选要求"),
    )
    fees = forms.CharField(label=_("收费标准"), max_length=200, required=False)
    is_annual_meeting = forms.BooleanField(label=_("本项目为学术年会"), required=False)

    half_fields = {
        "discipline",
        "form",
        "website",
        "audience",
        "expected_participants",
        "sessions_planned",
        "credits",
        "fees",
    }

    def __init__(self, *args, project: Project, **kwargs):
        initial = {name: getattr(project, name) for name in self.base_fields}
        initial["discipline"] = project.discipline_id
        super().__init__(*args, initial=initial, **kwargs)
        list_year = Discipline.objects.filter(year__lte=project.year).aggregate(y=Max("year"))["y"]
        if list_year is None:  # a year before the first list: the earliest one
            list_year = Discipline.objects.aggregate(y=Max("year"))["y"]
        self.fields["discipline"].queryset = Discipline.objects.filter(year=list_year)

    def valid_values(self) -> dict:
        """The fields that passed validation: a draft keeps what is right so far."""
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}


# -- 项目负责人 ----------------------------------------------------------------------------


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return " · ".join(filter(None, [obj.name, obj.title, obj.department]))


class LeaderForm(ReviewCommentsMixin, StyledFormMixin, forms.Form):
    """The leader among the declaring unit's staff; a society branch, whose leaders work
    anywhere in the province, finds them by whole ID number (POSTed, never in a URL)."""

    leader = PersonField(
        label=_("项目负责人"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("请选择"),
    )
    leader_id_number = forms.CharField(
        label=_("项目负责人证件号码"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("填写完整的身份证号码，在本省在册人员中查找；不填则保持不变"),
    )
    leader_phone = forms.CharField(label=_("负责人电话"), max_length=32, required=False)
    academic_leader = PersonField(
        label=_("学术负责人（远程项目）"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("请选择"),
    )
    academic_leader_id_number = forms.CharField(
        label=_("学术负责人证件号码（远程项目）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    technical_leader = forms.CharField(
        label=_("技术负责人（远程项目）"), max_length=64, required=False
    )

    half_fields = {
        "leader",
        "leader_phone",
        "leader_id_number",
        "academic_leader",
        "technical_leader",
        "academic_leader_id_number",
    }

    def __init__(self, *args, project: Project, **kwargs):
        initial = {
            "leader": project.leader_id,
            "leader_phone": project.leader_phone,
            "academic_leader": project.academic_leader_id,
            "technical_leader": project.technical_leader,
        }
        super().__init__(*args, initial=initial, **kwargs)
        unit = project.declared_by
        self.by_id_number = unit.kind == Organisation.Kind.BRANCH
        self.province = (unit.region_id or project.sponsor.region_id or "43")[:2]
        if self.by_id_number:
            del self.fields["leader"], self.fields["academic_leader"]
        else:
            del self.fields["leader_id_number"], self.fields["academic_leader_id_number"]
            staff = (
                Person.objects.select_related("unit")
                .filter(Q(unit=unit) | Q(pk__in=[project.leader_id, project.academic_leader_id]))
                .order_by("name", "id")
            )
            self.fields["leader"].queryset = staff
            self.fields["academic_leader"].queryset = staff
        if project.form != Project.Form.DISTANCE:
            for name in ("academic_leader", "academic_leader_id_number", "technical_leader"):
                self.fields.pop(name, None)

    def _by_number(self, name: str) -> Person | None:
        number = idnumbers.normalise(self.cleaned_data.get(name, ""))
        if not number:
            return None
        person = (
            Person.objects.select_related("unit")
            .filter(id_number=number, unit__region__code__startswith=self.province)
            .first()
        )
        if person is None:
            raise forms.ValidationError(_("本省在册人员中没有该证件号码。"))
        return person

    def clean_leader_id_number(self):
        return self._by_number("leader_id_number")

    def clean_academic_leader_id_number(self):
        return self._by_number("academic_leader_id_number")

    def valid_values(self) -> dict:
        values = {
            k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors
        }
        for name in ("leader", "academic_leader"):
            found = values.pop(name + "_id_number", None)
            if found is not None:
                values[name] = found
        return values


# -- 课程与教师 ----------------------------------------------------------------------------


class RowFormMixin(StyledFormMixin):
    """Compact widgets for a form shown as one table row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            if css in ("form-control", "form-select"):
                field.widget.attrs["class"] = "{c} {c}-sm".format(c=css)


class TeacherForm(RowFormMixin, forms.Form):
    ref = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("姓名"), max_length=64)
    unit_name = forms.CharField(label=_("工作单位"), max_length=128)
    title = forms.CharField(
        label=_("职称"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "title-names"}),
    )
    specialty = forms.CharField(label=_("专业"), max_length=64, required=False)
    is_leader = forms.BooleanField(label=_("项目负责人"), required=False)
    consent = forms.BooleanField(label=_("已知情同意"), required=False)
    consent_evidence = forms.FileField(
        label=_("知情同意证据"),
        required=False,
        validators=[validate_scan],
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if level_of(title) is None:
            raise forms.ValidationError(_("无法识别的职称，请填写职称全称，如 副主任医师。"))
        return title


class LessonForm(RowFormMixin, forms.Form):
    topic = forms.CharField(label=_("授课题目"), max_length=200)
    teacher = forms.TypedChoiceField(label=_("授课教师"), coerce=int, choices=[])
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=Decimal("0.1")
    )
    kind = forms.ChoiceField(
        label=_("授课类型"), choices=Lesson.Kind.choices, initial=Lesson.Kind.THEORY
    )

    def __init__(self, *args, teacher_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].choices = [("", _("请选择")), *teacher_choices]
        self.fields["hours"].widget.attrs["step"] = "0.1"


class SessionForm(RowFormMixin, forms.Form):
    starts_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    region = forms.ChoiceField(label=_("举办地（省/市）"), required=False)
    address = forms.CharField(label=_("举办地点"), max_length=200, required=False)
    place_outside = forms.CharField(label=_("境外或港澳台举办地"), max_length=64, required=False)

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("请选择")), *region_choices]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        if not data.get("region") and not data.get("place_outside"):
            self.add_error("region", _("请选择举办地。"))
        return data


TeacherFormSet = forms.formset_factory(TeacherForm, extra=2, can_delete=True, max_num=100)


def _bounded_formset(form, project, key: str, extra: int):
    """Rows up to the policy limit of the project's year (courses.max_rows, sessions.max)."""
    limit = for_year(project.year).get(key)
    return forms.formset_factory(
        form, extra=extra, can_delete=True, max_num=limit, absolute_max=limit, validate_max=True
    )


def region_choices() -> tuple[list, dict[str, Region]]:
    """Hunan's cities and counties grouped by city, then the other provinces; and the
    regions by code. One query."""
    regions = list(Region.objects.order_by("code"))
    by_code = {r.code: r for r in regions}
    groups: dict[str, list] = {}
    others = []
    for r in regions:
        if r.code.startswith("43") and r.level != Region.Level.PROVINCE:
            city = r if r.level == Region.Level.CITY else by_code.get(r.parent_id)
            label = r.name if r is city else "{c} {n}".format(c=city.name if city else "", n=r.name)
            groups.setdefault(city.name if city else r.name, []).append((r.code, label))
        elif r.level == Region.Level.PROVINCE and not r.code.startswith("43"):
            others.append((r.code, r.name))
    return [*groups.items(), (str(_("其他省份")), others)], by_code


def _value(form, name):
    return form[name].value() if form.is_bound else form.initial.get(name)


class CoursesEditor:
    """The 课程与教师 tab: teachers and lessons, saved together through `replace_content`.

    Lessons name their teacher by the row of the teachers table; a teacher row keeps the
    person, unit and consent evidence of the saved teacher it came from (`ref`)."""

    error = ""  # a DomainError of replace_content, shown above the tables

    def __init__(self, project: Project, data=None, files=None):
        self.project = project
        self.saved = list(project.teachers.select_related("person"))
        by_pk = {t.pk: t for t in self.saved}
        teacher_rows = [
            {
                "ref": t.pk,
                "name": t.name,
                "unit_name": t.unit_name,
                "title": t.title,
                "specialty": t.specialty,
                "is_leader": t.is_leader,
                "consent": t.consent,
            }
            for t in self.saved
        ]
        self.teachers = TeacherFormSet(data, files, prefix="t", initial=teacher_rows)
        for form in self.teachers.forms:
            ref = _value(form, "ref")
            form.existing = by_pk.get(int(ref)) if str(ref or "").isdigit() else None
        index = {t.pk: i for i, t in enumerate(self.saved)}
        lesson_rows = [
            {"topic": x.topic, "teacher": index.get(x.teacher_id), "hours": x.hours, "kind": x.kind}
            for x in project.lessons.all()
        ]
        choices = [
            (i, _value(form, "name"))
            for i, form in enumerate(self.teachers.forms)
            if _value(form, "name")
        ]
        self.lessons = _bounded_formset(LessonForm, project, "courses.max_rows", extra=3)(
            data, prefix="l", initial=lesson_rows, form_kwargs={"teacher_choices": choices}
        )

    def is_valid(self) -> bool:
        return self.teachers.is_valid() and self.lessons.is_valid()

    def content(
        self, current: dict, evidence: dict, *, with_files: bool = True
    ) -> tuple[dict, dict]:
        """(content for `replace_content`, {teacher index: evidence}) from valid formsets;
        evidence is an uploaded file or the name of the file already stored."""
        teachers, new_index = [], {}
        evidence = {}
        for i, form in enumerate(self.teachers.forms):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            old = form.existing
            new_index[i] = len(teachers)
            teachers.append(
                {
                    "name": data["name"],
                    "unit_name": data["unit_name"],
                    "title": data["title"],
                    "specialty": data["specialty"],
                    "is_leader": data["is_leader"],
                    "consent": data["consent"],
                    "person": old.person if old and old.name == data["name"] else None,
                    "unit": self._unit(old, data["unit_name"]),
                }
            )
            upload = data.get("consent_evidence") if with_files else None
            if upload:
                evidence[new_index[i]] = upload
            elif old and old.consent_evidence:
                evidence[new_index[i]] = old.consent_evidence.name
        lessons = []
        for form in self.lessons.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if data["teacher"] not in new_index:
                form.add_error("teacher", _("所选教师已删除，请重新选择。"))
                continue
            lessons.append(
                {
                    "topic": data["topic"],
                    "teacher": new_index[data["teacher"]],
                    "hours": data["hours"],
                    "kind": data["kind"],
                }
            )
        return {**current, "teachers": teachers, "lessons": lessons}, evidence

    def _unit(self, old, unit_name: str) -> Organisation | None:
        if old and old.unit_name == unit_name:
            return old.unit
        sponsor = self.project.sponsor
        return sponsor if unit_name.strip() == sponsor.name else None

    @property
    def row_errors(self) -> bool:
        """Errors found while building the content (a lesson whose teacher was removed)."""
        return any(form.errors for form in self.lessons.forms)


class SessionsEditor:
    """The 期次与地点 tab (its save writes the teachers and lessons back unchanged)."""

    error = ""

    def __init__(self, project: Project, data=None, files=None):
        choices, self.regions = region_choices()
        rows = [
            {
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "region": s.region_id or "",
                "address": s.address,
                "place_outside": s.place_outside,
            }
            for s in project.planned_sessions.all()
        ]
        self.sessions = _bounded_formset(SessionForm, project, "sessions.max", extra=1)(
            data, prefix="s", initial=rows, form_kwargs={"region_choices": choices}
        )

    def is_valid(self) -> bool:
        return self.sessions.is_valid()

    row_errors = False

    def content(self, current: dict, evidence: dict, **_kw) -> tuple[dict, dict]:
        sessions = [
            {**form.cleaned_data, "region": self.regions.get(form.cleaned_data["region"])}
            for form in self.sessions.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for row in sessions:
            row.pop("DELETE", None)
        return {**current, "sessions": sessions}, evidence


def current_content(project: Project) -> tuple[dict, dict]:
    """What `replace_content` needs to write the saved teachers, lessons and sessions back
    unchanged, and the stored consent evidence by teacher index."""
    teachers = list(project.teachers.all())
    index = {t.pk: i for i, t in enumerate(teachers)}
    content = {
        "teachers": [
            {
                "name": t.name,
                "unit_name": t.unit_name,
                "title": t.title,
                "specialty": t.specialty,
                "is_leader": t.is_leader,
                "consent": t.consent,
                "person": t.person,
                "unit": t.unit,
            }
            for t in teachers
        ],
        "lessons": [
            {"topic": x.topic, "teacher": index[x.teacher_id], "hours": x.hours, "kind": x.kind}
            for x in project.lessons.all()
        ],
        "sessions": [
            {
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "region": s.region,
                "address": s.address,
                "place_outside": s.place_outside,
            }
            for s in project.planned_sessions.all()
        ],
    }
    evidence = {i: t.consent_evidence.name for i, t in enumerate(teachers) if t.consent_evidence}
    return content, evidence


# -- 附件 ----------------------------------------------------------------------------------


class AttachmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=Attachment.Kind.choices, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("文件"),
        validators=[validate_scan],
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


# -- 审核 ----------------------------------------------------------------------------------

Decision = ReviewStep.Decision


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[
            (Decision.APPROVED, _("通过")),
            (Decision.RETURNED, _("退回修改")),
            (Decision.REJECTED, _("不予通过")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回或不予通过时必填"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in COMMENT_FIELDS:
            self.fields["on_" + key] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 1})
            )
            self.fields["on_" + key].widget.attrs["class"] = "form-control form-control-sm"

    @property
    def field_comments_given(self) -> bool:
        return self.is_bound and any(self.data.get("on_" + key) for key, _label in COMMENT_FIELDS)

    @property
    def comment_fields(self):
        return [self["on_" + key] for key, _label in COMMENT_FIELDS]

    def field_comments(self) -> dict[str, str]:
        return {
            key: self.cleaned_data["on_" + key].strip()
            for key, _label in COMMENT_FIELDS
            if self.cleaned_data.get("on_" + key, "").strip()
        }


class BatchDecisionForm(forms.Form):
    """The queue's batch buttons; the steps are the ticked rows of the user's own queue."""

    decision = forms.ChoiceField(
        choices=[(Decision.APPROVED, _("通过")), (Decision.RETURNED, _("退回修改"))]
    )
    comment = forms.CharField(required=False, max_length=1000)
