from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "cme.credits"
    label = "credits"
    verbose_name = "学分"
