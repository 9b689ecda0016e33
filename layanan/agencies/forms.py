from django import forms
from django.utils.translation import gettext_lazy as _

from layanan.accounts.models import Position, User
from layanan.accounts.roles import REGION_WIDE, Role

from .models import DEFAULT_OFFICE_HOURS, Agency, Holiday, Unit

WEEKDAYS = [(1, _("Senin")), (2, _("Selasa")), (3, _("Rabu")), (4, _("Kamis")), (5, _("Jumat")),
            (6, _("Sabtu")), (7, _("Minggu"))]
# Roles an agency admin may give; region-wide roles are granted by the platform operator.
AGENCY_ROLES = [(value, label) for value, label in Role.choices if value not in REGION_WIDE]


class AgencyProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Situs web"), required=False, assume_scheme="https")

    class Meta:
        model = Agency
        fields = ["name", "timezone", "address", "website", "maklumat", "logo",
                  "retention_days", "retention_days_complaint", "retention_days_information"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2}),
                   "maklumat": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retention_days"].required = False
        # The hours the clock actually uses: the agency's own, else the Perpres 21/2023 defaults.
        hours = self.instance.office_hours or DEFAULT_OFFICE_HOURS
        for day, label in WEEKDAYS:
            opens, closes = (hours.get(str(day)) or ["", ""])
            self.fields[f"open_{day}"] = forms.TimeField(label=_("%s buka") % label, required=False,
                                                         initial=opens or None)
            self.fields[f"close_{day}"] = forms.TimeField(label=_("%s tutup") % label,
                                                          required=False, initial=closes or None)
        # The retention periods (UU 27/2022) come last, after the office hours.
        for name in ("retention_days", "retention_days_complaint", "retention_days_information"):
            self.fields[name] = self.fields.pop(name)

    def clean(self):
        data = super().clean()
        hours = {}
        for day, _label in WEEKDAYS:
            opens, closes = data.get(f"open_{day}"), data.get(f"close_{day}")
            if bool(opens) != bool(closes):
                self.add_error(f"close_{day}", _("Isi jam buka dan tutup, atau kosongkan keduanya."))
            elif opens and closes:
                if opens >= closes:
                    self.add_error(f"close_{day}", _("Jam tutup harus setelah jam buka."))
                hours[str(day)] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        self.instance.office_hours = hours
        return data

    def clean_retention_days(self):
        # Left empty (an older form, a client that does not send it): the period stays as it was.
        value = self.cleaned_data.get("retention_days")
        return self.instance.retention_days if value is None else value

    def weekday_fields(self):
        return [(label, self[f"open_{day}"], self[f"close_{day}"]) for day, label in WEEKDAYS]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "parent"]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        parents = agency.units.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name", "kind", "closed"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_date(self):
        day = self.cleaned_data["date"]
        clash = self.agency.holidays.filter(date=day).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Tanggal ini sudah ada di kalender."))
        return day


class StaffForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "nip", "email", "is_active"]


class NewStaffForm(StaffForm):
    """No password: the new staff member chooses it through a one-time link (accounts.staffing)."""

    title = forms.CharField(label=_("Jabatan"), max_length=200)
    role = forms.ChoiceField(label=_("Peran"), choices=AGENCY_ROLES)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = agency.units.all()


class PositionForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Peran"), choices=AGENCY_ROLES)

    class Meta:
        model = Position
        fields = ["title", "role", "unit"]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = agency.units.all()
        self.fields["unit"].required = False

