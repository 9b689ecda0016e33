"""The dashboards' filters, the report forms and the region's zone thresholds."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from layanan.agencies.models import Agency, Unit
from layanan.requests.models import Channel
from layanan.standards.models import Service

from . import periods
from .models import EvaluationReport, RegionSetting
from .scope import Scope, Selection

PRESETS = [
    ("bulan-ini", _("Bulan ini")),
    ("bulan-lalu", _("Bulan lalu")),
    ("triwulan-ini", _("Triwulan ini")),
    ("triwulan-lalu", _("Triwulan lalu")),
    ("tahun-ini", _("Tahun ini")),
    ("tahun-lalu", _("Tahun lalu")),
]


def today_in(tz: str) -> date:
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(tz)).date()


def preset_period(name: str, today: date) -> periods.Period:
    kind = {"bulan": "month", "triwulan": "quarter", "tahun": "year"}[name.split("-")[0]]
    if name.endswith("-lalu"):
        return periods.previous(kind, today)
    return periods.containing(kind, today)


class FilterForm(forms.Form):
    """period (a preset, a month/quarter/year such as 2026-11, 2026-T4, 2026, or dari–sampai),
    unit, service and channel — each limited to what the viewer's scope holds."""

    periode = forms.CharField(label=_("Periode"), required=False, max_length=20)
    dari = forms.DateField(
        label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sampai = forms.DateField(
        label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    instansi = forms.ModelChoiceField(
        label=_("Instansi"),
        queryset=Agency.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Semua instansi"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("Semua unit")
    )
    layanan = forms.ModelChoiceField(
        label=_("Layanan"), queryset=Service.objects.none(), required=False, empty_label=_("Semua layanan")
    )
    kanal = forms.ChoiceField(
        label=_("Kanal"), required=False, choices=[("", _("Semua kanal")), *Channel.choices]
    )

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        if scope.level == "region":
            self.fields["instansi"].queryset = Agency.objects.filter(pk__in=scope.agency_ids).order_by("name")
            del self.fields["unit"]
            services = Service.objects.filter(agency_id__in=scope.agency_ids)
        else:
            del self.fields["instansi"]
            units = Unit.objects.filter(agency_id__in=scope.agency_ids)
            if scope.units is not None:
                units = units.filter(pk__in=scope.units)
            self.fields["unit"].queryset = units.order_by("name")
            services = Service.objects.filter(agency_id__in=scope.agency_ids)
            if scope.units is not None:
                services = services.filter(unit_id__in=scope.units) | services.filter(unit__isnull=True)
        self.fields["layanan"].queryset = services.select_related("agency").order_by(
            "agency__name", "position"
        )
        self.fields["periode"].widget = forms.Select(choices=[("", _("Pilih…")), *PRESETS, *self._recent()])

    def _recent(self):
        today = today_in(self.scope.tz)
        months, d = [], today.replace(day=1)
        for _i in range(12):
            p = periods.month(d.year, d.month)
            months.append((p.slug, p.label))
            d = p.start - timedelta(days=1)
            d = d.replace(day=1)
        year = periods.previous("year", today)
        return [*months, (year.slug, year.label)]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = today_in(self.scope.tz)
        start, end, name = data.get("dari"), data.get("sampai"), (data.get("periode") or "").strip()
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Isi tanggal awal dan akhir periode."))
            if end < start:
                raise forms.ValidationError(_("Tanggal akhir tidak boleh sebelum tanggal awal."))
            period = periods.Period(start, end + timedelta(days=1))
        elif name:
            try:
                period = preset_period(name, today) if name in dict(PRESETS) else periods.parse_slug(name)
            except (ValueError, KeyError):
                raise forms.ValidationError(
                    _("Periode tidak dikenal: pilih bulan, triwulan atau tahun.")
                ) from None
        else:
            period = periods.containing("month", today)
        if period.days > periods.MAX_DAYS:
            raise forms.ValidationError(_("Periode paling panjang satu tahun (366 hari)."))
        if period.start.year < 2000 or period.end.year > today.year + 1:
            raise forms.ValidationError(_("Periode di luar rentang data."))
        data["period"] = period
        return data

    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(
            self.scope,
            data["period"],
            use_cache=True,
            unit=data.get("unit"),
            service=data.get("layanan"),
            channel=data.get("kanal") or "",
            agency=data.get("instansi"),
        )

    def query(self, **changes) -> str:
        """The current filters as a query string (for links to the report and the CSV)."""
        from urllib.parse import urlencode

        values = {k: v for k, v in (self.data.items() if self.data else []) if v and k in self.fields}
        values.update({k: v for k, v in changes.items() if v})
        return urlencode(values)


class RecommendationsForm(forms.ModelForm):
    class Meta:
        model = EvaluationReport
        fields = ["recommendations"]
        labels = {"recommendations": _("Rekomendasi pimpinan")}
        help_texts = {
            "recommendations": _(
                "Tindak lanjut yang diputuskan atas hasil evaluasi ini; dicetak pada laporan yang disahkan."
            )
        }
        widgets = {"recommendations": forms.Textarea(attrs={"rows": 6, "maxlength": 5000})}

    def clean_recommendations(self):
        text = self.cleaned_data["recommendations"].strip()
        if len(text) > 5000:
            raise forms.ValidationError(_("Rekomendasi paling panjang 5.000 karakter."))
        return text


class GenerateForm(forms.Form):
    """Make a report now: a month, a quarter or a year of the agency."""

    jenis = forms.ChoiceField(
        label=_("Jenis"),
        choices=[
            (EvaluationReport.Kind.MONTHLY, _("Bulanan")),
            (EvaluationReport.Kind.QUARTERLY, _("Triwulanan")),
            (EvaluationReport.Kind.YEARLY, _("Tahunan")),
        ],
    )
    periode = forms.CharField(
        label=_("Periode"),
        max_length=10,
        help_text=_("mis. 2026-11 (bulan), 2026-T4 (triwulan), 2026 (tahun)"),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            period = periods.parse_slug(data["periode"])
        except ValueError:
            raise forms.ValidationError(
                _("Periode tidak dikenal: tulis 2026-11, 2026-T4 atau 2026.")
            ) from None
        expected = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}[data["jenis"]]
        if period.kind != expected:
            raise forms.ValidationError(_("Periode tidak cocok dengan jenis laporan."))
        if period.start.year < 2000 or period.start > timezone.now().date():
            raise forms.ValidationError(_("Periode belum dimulai."))
        data["period"] = period
        return data


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = RegionSetting
        fields = ["green_min", "yellow_min"]
        help_texts = {
            "green_min": _("Skor ≥ batas ini: zona hijau (Ombudsman 2021: 81,00)."),
            "yellow_min": _(
                "Skor ≥ batas ini dan di bawah zona hijau: zona kuning (51,00); di bawahnya zona merah."
            ),
        }

    def clean(self):
        data = super().clean()
        green, yellow = data.get("green_min"), data.get("yellow_min")
        if green is not None and yellow is not None and yellow >= green:
            raise forms.ValidationError(_("Batas zona kuning harus di bawah batas zona hijau."))
        return data
