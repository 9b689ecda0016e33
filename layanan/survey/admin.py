"""Django admin (platform operators). Answers are read-only and never show the request they
answered: the survey is anonymous by design."""

from django.contrib import admin

from .models import FollowUp, KioskSession, SurveyConfig, SurveyReport, SurveyResponse


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the day totals are kept with every answer (rollups.py)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnly):
    list_display = (
        "answered_on",
        "agency",
        "service",
        "channel",
        "u1",
        "u2",
        "u3",
        "u4",
        "u5",
        "u6",
        "u7",
        "u8",
        "u9",
    )
    list_filter = ("channel", "agency")
    date_hierarchy = "answered_on"
    exclude = ("request", "form_token", "entered_by", "kiosk")


@admin.register(SurveyConfig)
class SurveyConfigAdmin(admin.ModelAdmin):
    list_display = ("agency", "period_kind", "updated_at")


@admin.register(KioskSession)
class KioskSessionAdmin(ReadOnly):
    list_display = ("agency", "service", "label", "started_at", "expires_at", "ended_at")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("agency", "unit", "period", "element", "owner", "due_date", "status")
    list_filter = ("status",)


@admin.register(SurveyReport)
class SurveyReportAdmin(ReadOnly):
    list_display = ("agency", "period", "format", "status", "scheduled", "created_at", "size")
