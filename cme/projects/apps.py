from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "cme.projects"
    verbose_name = _("继续医学教育项目")
