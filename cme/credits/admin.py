from django.contrib import admin

from cme.core import audit
from cme.credits.models import AnnualRequirement, CreditSource

CATALOGUE_FIELDS = [
    "name",
    "category",
    "claim",
    "unit",
    "credits_per_unit",
    "lecturer_credits_per_unit",
    "hours_per_credit",
    "cap_per_entry",
    "cap_per_year",
    "cap_group",
    "needs_certificate_number",
    "evidence",
    "active",
]


@admin.register(CreditSource)
class CreditSourceAdmin(admin.ModelAdmin):
    """The credit source catalogue (CREDIT-RULES §3): system admins edit rates, caps and
    evidence here; each change goes to the audit trail with old and new values."""

    list_display = (
        "code",
        "name",
        "category",
        "claim",
        "unit",
        "credits_per_unit",
        "cap_per_year",
        "active",
    )
    list_filter = ("category", "claim", "active")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        old = (
            {f: getattr(CreditSource.objects.get(pk=obj.pk), f) for f in CATALOGUE_FIELDS}
            if change
            else {}
        )
        super().save_model(request, obj, form, change)
        audit.record(
            "credit_source.update" if change else "credit_source.create",
            actor=request.user,
            obj=obj,
            changes=audit.diff(obj, CATALOGUE_FIELDS, old) if change else {"代码": obj.code},
        )


@admin.register(AnnualRequirement)
class AnnualRequirementAdmin(admin.ModelAdmin):
    list_display = ("year", "province", "unit_level", "total_min", "class1_min", "note")
    list_filter = ("year", "unit_level")
