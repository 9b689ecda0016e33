from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Position, User


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0


@admin.register(User)
class LayananUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Layanan", {"fields": ("full_name", "nip", "agency", "region")}),)
    list_display = ("username", "full_name", "agency", "is_active")
    list_filter = ("agency", "is_active")
    inlines = [PositionInline]
