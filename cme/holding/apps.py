from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoldingConfig(AppConfig):
    name = "cme.holding"
    verbose_name = _("项目举办")

    def ready(self) -> None:
        from cme.holding import archive

        archive.connect()
