from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistanceConfig(AppConfig):
    name = "cme.distance"
    verbose_name = _("远程教育与学术年会")
