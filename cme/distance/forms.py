from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.credits.models import Category
from cme.distance.queries import city_authorities
from cme.orgs.models import Organisation


class FilingForm(StyledFormMixin, forms.Form):
    city = forms.ModelChoiceField(
        label=_("备案机关（市州卫生健康委员会）"), queryset=Organisation.objects.none()
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32)
    pc_platform = forms.CharField(label=_("电脑端学习平台网址"), max_length=200)
    mobile_platform = forms.CharField(label=_("手机端学习平台（App或小程序名称）"), max_length=200)
    introduction = forms.CharField(
        label=_("机构简介及资质说明"), widget=forms.Textarea(attrs={"rows": 4})
    )
    qualification = forms.FileField(
        label=_("资质证明文件（盖章扫描件）"), help_text=_("PDF、JPG或PNG，不超过10MB。")
    )
    commitment = forms.BooleanField(
        label=_(
            "承诺提供手机端和电脑端学习平台，完整保存学习记录，提供培训数据，维护学员个人信息安全"
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = city_authorities()


class CourseForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"))
    name = forms.CharField(label=_("课程名称"), max_length=200)
    code = forms.CharField(label=_("课程编号"), max_length=32, required=False)
    summary = forms.CharField(label=_("内容简介"), widget=forms.Textarea(attrs={"rows": 4}))
    hours = forms.DecimalField(
        label=_("学时"), max_digits=5, decimal_places=1, min_value=Decimal("0.1")
    )
    category = forms.ChoiceField(label=_("学分类别"), choices=Category.choices)
    project_number = forms.CharField(
        label=_("国家级远程继续医学教育项目编号"),
        max_length=64,
        required=False,
        help_text=_("I类学分仅限国家级远程项目，须填写项目编号。"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("accept", _("通过")), ("refuse", _("不通过"))]
    )
    reason = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不通过时必填。"),
    )

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("名单文件（.xlsx / .xls / .csv）"))


class MeetingForm(StyledFormMixin, forms.Form):
    branch = forms.ModelChoiceField(
        label=_("举办的专业委员会/分会"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("学会本身"),
    )
    year = forms.IntegerField(label=_("年度"))
    name = forms.CharField(label=_("年会名称"), max_length=200)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("举办地点"), max_length=200)
    in_plan = forms.BooleanField(
        label=_("本年会已列入学会年度学术计划（年底报送学术计划时已报送年会计划）"), required=False
    )
    plan_document = forms.FileField(
        label=_("年度学术计划（盖章扫描件）"), help_text=_("PDF、JPG或PNG，不超过10MB。")
    )

    def __init__(self, *args, society: Organisation, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = society.branches.filter(
            status=Organisation.Status.ACTIVE
        ).order_by("name")


class AttendeeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(
        label=_("证件号码"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
