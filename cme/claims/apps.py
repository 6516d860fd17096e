from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "cme.claims"
    verbose_name = _("学分申报与单位学术活动")
