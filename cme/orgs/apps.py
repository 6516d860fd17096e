from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "cme.orgs"
    verbose_name = "行政区划与单位"
