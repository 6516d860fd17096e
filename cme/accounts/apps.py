from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cme.accounts"
    verbose_name = "账户与角色"
