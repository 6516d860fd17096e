from django.contrib import admin

from cme.audits.models import AnnualAudit, AnnualCertificate, HrTransmission


@admin.register(AnnualAudit)
class AnnualAuditAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "state", "holder", "staff_count", "qualified_count"]
    list_filter = ["year", "state"]
    search_fields = ["unit__name"]
    readonly_fields = [f.name for f in AnnualAudit._meta.fields]


@admin.register(AnnualCertificate)
class AnnualCertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "year", "unit_name", "issued_on", "voided_at"]
    list_filter = ["year"]
    readonly_fields = [f.name for f in AnnualCertificate._meta.fields]


@admin.register(HrTransmission)
class HrTransmissionAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "persons", "units", "sent_at"]
