from django.contrib import admin

from cme.claims.models import UnitActivity


@admin.register(UnitActivity)
class UnitActivityAdmin(admin.ModelAdmin):
    """Read-only: activities are recorded by units through `record_unit_activity` (audited)."""

    list_display = ("activity_date", "unit", "source", "title", "credits", "lecturer_credits")
    list_filter = ("source", "year")
    search_fields = ("title", "unit__name")
    raw_id_fields = ("records",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
