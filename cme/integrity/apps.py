from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "cme.integrity"
    verbose_name = _("诚信预警")
