"""Django admin for platform operators. A standard's status path (draft → discussed → enacted →
published → superseded) is changed only by standards.services, with its checks and records:
here it is read-only, and so is which version a service publishes."""

from django.contrib import admin

from .models import Requirement, Service, ServiceStandard, Step

STATUS_FIELDS = ("status", "discussed_on", "decree_number", "decree_date", "enacted_by", "published_at")


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0


class StepInline(admin.StackedInline):
    model = Step
    extra = 0


@admin.register(ServiceStandard)
class ServiceStandardAdmin(admin.ModelAdmin):
    list_display = ("service", "version", "status")
    list_filter = ("status",)
    readonly_fields = STATUS_FIELDS
    inlines = [RequirementInline, StepInline]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == ServiceStandard.Status.DRAFT


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "agency")
    readonly_fields = ("published_standard",)
