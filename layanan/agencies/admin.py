from django.contrib import admin

from .models import Agency, Holiday, Region, Unit

admin.site.register(Region)
admin.site.register(Unit)
admin.site.register(Holiday)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "timezone")
