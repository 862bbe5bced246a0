"""Django's admin (/django-admin/, administrators only): granting HR scopes, reading logs."""

from django.contrib import admin

from .models import AnonymisationRun, HRScope


@admin.register(HRScope)
class HRScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "unit"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["unit"]
    search_fields = ["user__username", "user__email", "unit__name", "unit__code"]


@admin.register(AnonymisationRun)
class AnonymisationRunAdmin(admin.ModelAdmin):
    list_display = ["ran_at", "left_before", "people"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
