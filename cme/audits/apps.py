from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "cme.audits"
    label = "audits"
    verbose_name = "年度学分审核"
