from django import forms
from django.utils.translation import gettext_lazy as _

from cme.core.forms import StyledFormMixin
from cme.notices.models import Notice


class NoticeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    document_number = forms.CharField(
        label=_("文号"),
        max_length=64,
        required=False,
        help_text=_("没有文号可不填，如：湘卫科教发〔2024〕3号"),
    )
    audience = forms.ChoiceField(
        label=_("发布范围"),
        choices=Notice.Audience.choices,
        initial=Notice.Audience.SCOPE,
        help_text=_("本辖区：本机构及下属各单位的用户可见；公开：所有人可见，无需登录。"),
    )
    pinned = forms.BooleanField(label=_("置顶"), required=False)
    body = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("纯文本，空一行另起一段。"),
    )

    @classmethod
    def for_notice(cls, notice: Notice, data=None) -> "NoticeForm":
        initial = {
            name: getattr(notice, name)
            for name in ("title", "document_number", "audience", "pinned", "body")
        }
        return cls(data, initial=initial)


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("附件文件（PDF、图片、Word或Excel，不超过10MB）"))
    is_template = forms.BooleanField(label=_("附件模板（需下载填写的表格等）"), required=False)


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 3}))
