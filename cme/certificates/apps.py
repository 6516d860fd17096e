from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "cme.certificates"
    label = "certificates"
    verbose_name = "电子学分证书"
