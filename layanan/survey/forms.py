"""Forms of the survey: the questionnaire (web link and kiosk), paper data entry, the kiosk start,
the agency's settings, follow-up plans and report requests."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .ikm import CODES
from .models import FollowUp, SurveyReport
from .periods import KIND_CHOICES, parse
from .questionnaire import ELEMENTS, PROFILE, ordered

SCORE_ERROR = _("Pilih salah satu jawaban.")


class AnswerForm(forms.Form):
    """The nine questions (radio buttons, all required), the profile and a suggestion."""

    form_token = forms.CharField(widget=forms.HiddenInput)
    suggestion = forms.CharField(
        label=_("Saran dan masukan (boleh dikosongkan)"),
        required=False,
        max_length=services.MAX_SUGGESTION,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": services.MAX_SUGGESTION}),
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = ordered(order)
        for element in self.elements:
            self.fields[element.field] = forms.TypedChoiceField(
                label=element.question,
                choices=element.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": SCORE_ERROR, "invalid_choice": SCORE_ERROR},
            )
        for name, label, choices in PROFILE:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": SCORE_ERROR, "invalid_choice": SCORE_ERROR},
            )
        if not self.is_bound:
            self.initial.setdefault("form_token", services.new_form_token())

    def clean_form_token(self):
        return services.read_form_token(self.cleaned_data["form_token"])

    def questions(self):
        """(element, bound field) in the agency's order, for the template."""
        return [(element, self[element.field]) for element in self.elements]

    def profile(self):
        return [self[name] for name, _label, _choices in PROFILE]

    def scores(self) -> dict:
        return {code: self.cleaned_data.get(code.lower()) for code in CODES}

    def profile_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name, _label, _choices in PROFILE}


class DigitField(forms.CharField):
    """One keystroke: a digit in `allowed`, or 0 for "left blank on the paper"."""

    def __init__(self, *, allowed, **kwargs):
        self.allowed = allowed
        hint = f"0–{max(allowed)}"
        super().__init__(
            strip=True,
            widget=forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "pattern": f"[0-{max(allowed)}]",
                    "maxlength": 1,
                    "size": 1,
                    "autocomplete": "off",
                    "class": "digit",
                    "title": hint,
                }
            ),
            **kwargs,
        )
        self.error_messages["required"] = _("Ketik %(hint)s (0 bila kosong di kertas).") % {"hint": hint}

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return value
        if len(value) != 1 or not value.isdigit() or (int(value) != 0 and int(value) not in self.allowed):
            raise forms.ValidationError(
                _("Ketik %(hint)s (0 bila kosong di kertas).") % {"hint": f"0–{max(self.allowed)}"},
                code="digit",
            )
        return int(value)  # 0: left blank on the paper


class PaperForm(forms.Form):
    """One paper questionnaire typed in: keyboard only, one keystroke per answer."""

    form_token = forms.CharField(widget=forms.HiddenInput)
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=None, empty_label=None)
    answered_on = forms.DateField(
        label=_("Tanggal pada kuesioner"), widget=forms.DateInput(attrs={"type": "date"})
    )
    suggestion = forms.CharField(
        label=_("Saran (bila ditulis)"),
        required=False,
        max_length=services.MAX_SUGGESTION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, agency, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        from layanan.standards.models import Service

        self.agency = agency
        self.fields["service"].queryset = Service.objects.filter(agency=agency).order_by("position", "name")
        self.elements = ordered(order)
        for element in self.elements:
            self.fields[element.field] = DigitField(
                allowed=(1, 2, 3, 4), label=f"{element.code} {element.name}"
            )
        self.fields[self.elements[0].field].widget.attrs["autofocus"] = True
        for name, label, choices in PROFILE:
            self.fields[name] = DigitField(allowed=tuple(choices.values), label=label)
        if not self.is_bound:
            self.initial.setdefault("form_token", services.new_form_token())

    def clean_form_token(self):
        return services.read_form_token(self.cleaned_data["form_token"])

    def clean_answered_on(self):
        value = self.cleaned_data["answered_on"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(_("Tanggal kuesioner tidak boleh di masa depan."))
        if value < date(2000, 1, 1):
            raise forms.ValidationError(_("Tanggal kuesioner terlalu lama."))
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(e.field) for e in self.elements):
            raise forms.ValidationError(_("Kuesioner tanpa satu pun jawaban tidak disimpan."))
        return data

    def focus_first_error(self) -> None:
        """After a refused form the cursor goes to the first box to correct, not back to U1."""
        wrong = [name for name in self.fields if name in self.errors]
        if wrong:
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)
            self.fields[wrong[0]].widget.attrs["autofocus"] = True

    def element_fields(self):
        return [(element, self[element.field]) for element in self.elements]

    def profile_fields(self):
        return [(self[name], choices) for name, _label, choices in PROFILE]

    def scores(self) -> dict:
        return {code: self.cleaned_data.get(code.lower()) or None for code in CODES}

    def profile_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or None for name, _label, _choices in PROFILE}


class KioskStartForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=None, empty_label=None)
    label = forms.CharField(label=_("Nama perangkat (mis. Tablet loket 1)"), required=False, max_length=100)
    sign_out = forms.BooleanField(
        label=_("Keluar dari akun petugas di perangkat ini (disarankan: tablet dipakai warga)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        from layanan.standards.models import Service

        self.fields["service"].queryset = Service.objects.filter(agency=agency).order_by("position", "name")


class ConfigForm(forms.Form):
    period_kind = forms.ChoiceField(
        label=_("Periode survei (halaman publik dan laporan terjadwal)"), choices=KIND_CHOICES
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        positions = [(i, str(i)) for i in range(1, len(CODES) + 1)]
        current = {element.code: i for i, element in enumerate(ordered(order), start=1)}
        for code in CODES:
            self.fields[f"pos_{code}"] = forms.TypedChoiceField(
                label=f"{code} {ELEMENTS[code].name}", choices=positions, coerce=int, initial=current[code]
            )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"pos_{code}") for code in CODES]
        if None not in chosen and len(set(chosen)) != len(CODES):
            raise forms.ValidationError(_("Setiap nomor urut 1–9 harus dipakai tepat satu kali."))
        return data

    def order(self) -> list[str]:
        return sorted(CODES, key=lambda code: self.cleaned_data[f"pos_{code}"])

    def position_fields(self):
        return [self[f"pos_{code}"] for code in CODES]


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["element", "action", "owner", "due_date", "status", "result"]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 2}),
            "result": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["element"].choices = [(code, f"{code} {ELEMENTS[code].name}") for code in CODES]


class ReportForm(forms.Form):
    period = forms.CharField(max_length=10)
    format = forms.ChoiceField(choices=SurveyReport.Format.choices)

    def clean_period(self):
        period = parse(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("Periode tidak dikenal."))
        return period
