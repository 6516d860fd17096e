from django.contrib import admin, messages

from cme.core.errors import DomainError
from cme.policy import actions
from cme.policy.models import BannedPlace, DeclarationWindow, Discipline, PolicyValue


@admin.register(PolicyValue)
class PolicyValueAdmin(admin.ModelAdmin):
    """System admins edit values here; each change is written to the audit trail with its
    old and new value. A new year starts with “copy to the next year”."""

    list_display = ("year", "province", "key", "value", "verified", "source")
    list_filter = ("year", "province", "verified")
    search_fields = ("key", "source")
    list_editable = ("verified",)
    actions = ["copy_year_to_next"]

    def get_readonly_fields(self, request, obj=None):
        return ("year", "province", "key") if obj else ()

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        old = PolicyValue.objects.get(pk=obj.pk)
        actions.set_policy_value(old, actor=request.user, value=obj.value, verified=obj.verified)

    @admin.action(description="把所选年度复制为下一年度")
    def copy_year_to_next(self, request, queryset):
        for year in sorted(set(queryset.values_list("year", flat=True))):
            try:
                count = actions.copy_policy_year(year, year + 1, actor=request.user)
                self.message_user(
                    request,
                    "已复制{a}年度的{n}项参数为{b}年度。".format(a=year, n=count, b=year + 1),
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ("year", "secondary_code", "secondary_name", "tertiary_code", "tertiary_name")
    list_filter = ("year", "secondary_name")


@admin.register(DeclarationWindow)
class DeclarationWindowAdmin(admin.ModelAdmin):
    list_display = ("year", "level", "kind", "owner", "opens_at", "closes_at")
    list_filter = ("year", "level", "kind")


@admin.register(BannedPlace)
class BannedPlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "note")
    search_fields = ("name",)
