from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cme.core"
    verbose_name = "基础"
