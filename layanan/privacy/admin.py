from django.contrib import admin

from .models import DataSubjectRequest


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(admin.ModelAdmin):
    """Read-only: the record of what was asked and done is never edited."""

    list_display = ("agency", "kind", "subject_hint", "requested_at", "outcome", "handled_at")
    list_filter = ("kind", "outcome")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
