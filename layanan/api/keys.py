"""The agency admin's screen for API keys (/kelola/api/): create (shown once), revoke, see last use;
and the per-service options integrations need (a complaint service that requires a location)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from layanan.accounts.models import User
from layanan.core.tenancy import scoped
from layanan.requests import access
from layanan.standards.models import Service, ServiceKind

from .models import ApiKey, Scope, ServiceOptions


def desk_staff(admin):
    people = scoped(User.objects.filter(is_active=True), admin, region_wide=False).order_by(
        "full_name", "username"
    )
    return [p for p in people if access.may_hold_api_desk_key(p, admin.agency_id)]


class KeyForm(forms.Form):
    name = forms.CharField(
        label=_("Nama integrasi"),
        max_length=100,
        help_text=_("Mis. “Aplikasi kota pintar”, “Mesin antrean MPP”."),
    )
    scope = forms.ChoiceField(label=_("Cakupan"), choices=Scope.choices)
    staff_user = forms.TypedChoiceField(
        label=_("Bertindak sebagai (hanya untuk cakupan meja layanan)"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin = admin
        self.people = {p.pk: p for p in desk_staff(admin)}
        self.fields["staff_user"].choices = [("", "—")] + [(p.pk, str(p)) for p in self.people.values()]

    def clean(self):
        data = super().clean()
        if data.get("scope") == Scope.DESK:
            person = self.people.get(data.get("staff_user"))
            if person is None:
                self.add_error(
                    "staff_user",
                    _(
                        "Kunci meja layanan harus bertindak sebagai seorang pegawai "
                        "meja layanan instansi ini."
                    ),
                )
            data["staff_user"] = person
        else:
            data["staff_user"] = None
        return data


def keys_of(admin):
    return scoped(ApiKey.objects.select_related("staff_user", "created_by"), admin, region_wide=False)


def complaint_services(admin):
    services = list(
        scoped(Service.objects.filter(kind=ServiceKind.COMPLAINT), admin, region_wide=False).order_by(
            "position", "name"
        )
    )
    required = set(
        ServiceOptions.objects.filter(service__in=services, location_required=True).values_list(
            "service_id", flat=True
        )
    )
    for service in services:
        service.location_required = service.pk in required
    return services


def set_location_required(admin, service_ids: set[int]) -> None:
    for service in complaint_services(admin):
        ServiceOptions.objects.update_or_create(
            service=service, defaults={"location_required": service.pk in service_ids}
        )
