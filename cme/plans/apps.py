from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "cme.plans"
    verbose_name = _("市级培训计划与年度工作总结")
