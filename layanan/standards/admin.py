from django.contrib import admin

from .models import Requirement, Service, ServiceStandard, Step


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
    inlines = [RequirementInline, StepInline]


admin.site.register(Service)
