from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from layanan.accounts.roles import DESK_ROLES, Role
from layanan.agencies.models import Region

from .duration import DurationParseError, parse_duration
from .models import (
    STEP_ROLES,
    ChannelKind,
    EvaluationPeriod,
    Requirement,
    Service,
    ServiceKind,
    ServiceStandard,
    Step,
)

MINUTES_MAX_BYTES = 10 * 1024 * 1024
MINUTES_TYPES = {b"%PDF": "PDF", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"PK\x03\x04": "DOCX"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["code", "name", "kind", "unit"]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["unit"].queryset = agency.units.all()

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        if Service.objects.filter(agency=self.agency, code=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Kode layanan ini sudah dipakai di instansi Anda."))
        return code


class StandardForm(forms.ModelForm):
    """Every component except requirements and steps (those have their own screens)."""

    free = forms.BooleanField(label=_("Gratis (tidak dipungut biaya)"), required=False)
    facilities_text = forms.CharField(label=_("Sarana, prasarana dan/atau fasilitas (satu per baris)"),
                                      widget=forms.Textarea(attrs={"rows": 4}), required=False)
    competencies_text = forms.CharField(label=_("Kompetensi pelaksana (satu per baris)"),
                                        widget=forms.Textarea(attrs={"rows": 3}), required=False)
    supervision_text = forms.CharField(label=_("Pengawasan internal (satu per baris)"),
                                       widget=forms.Textarea(attrs={"rows": 3}), required=False)
    legal_text = forms.CharField(label=_("Dasar hukum (satu peraturan per baris)"),
                                 widget=forms.Textarea(attrs={"rows": 5}), required=False)
    evaluation = forms.MultipleChoiceField(label=_("Jadwal evaluasi kinerja"), required=False,
                                           choices=EvaluationPeriod.choices,
                                           widget=forms.CheckboxSelectMultiple)
    evaluation_text = forms.CharField(label=_("Evaluasi kinerja pelaksana (uraian)"),
                                      widget=forms.Textarea(attrs={"rows": 2}), required=False)
    withdraw_roles = forms.MultipleChoiceField(
        label=_("Yang boleh menutup permohonan atas permintaan pemohon"), required=False,
        choices=[(r, label) for r, label in Role.choices if r in DESK_ROLES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan untuk aturan baku: kepala instansi dan kepala unit yang menangani."))

    class Meta:
        model = ServiceStandard
        fields = ["duration_text", "cost_amount", "cost_legal_basis", "product", "accessible",
                  "staff_count", "guarantee", "compensation_on_breach", "security_guarantee"]
        widgets = {
            "product": forms.Textarea(attrs={"rows": 2}),
            "guarantee": forms.Textarea(attrs={"rows": 2}),
            "compensation_on_breach": forms.Textarea(attrs={"rows": 2}),
            "security_guarantee": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"cost_amount": _("Tarif (Rp)"), "duration_text": _("Jangka waktu penyelesaian")}
        help_texts = {"duration_text": _("Tulis seperti di dokumen, mis. \"5 hari kerja\" atau "
                                         "\"1 s/d 3 minggu\"; sistem membacanya untuk menghitung tenggat.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        std = self.instance
        self.fields["duration_text"].required = True
        self.fields["duration_text"].widget.attrs.update({"size": 60, "class": "wide"})
        # Rupiah in whole numbers ("Rp 0" / "Gratis"), never "0.00".
        cost = self.fields["cost_amount"]
        cost.widget = forms.NumberInput(attrs={"step": 1, "min": 0, "inputmode": "numeric"})
        cost.help_text = _("Dalam rupiah, tanpa titik; centang Gratis bila tidak dipungut biaya.")
        if std.cost_amount is not None and not self.is_bound:
            self.initial["cost_amount"] = int(std.cost_amount)
        self.initial.update({
            "free": std.is_free,
            "facilities_text": "\n".join(std.facilities),
            "competencies_text": "\n".join(std.competencies),
            "supervision_text": "\n".join(std.supervision),
            "legal_text": "\n".join(ref.get("text") or ref.get("title", "") for ref in std.legal_basis),
            "evaluation": std.evaluation_periods,
            "evaluation_text": (std.texts or {}).get("evaluasi_kinerja", ""),
            "withdraw_roles": std.withdraw_roles,
        })

    def clean_duration_text(self):
        text = self.cleaned_data["duration_text"].strip()
        try:
            self.duration_spec = parse_duration(text)
        except DurationParseError as exc:
            raise ValidationError(str(exc)) from exc
        return text

    def clean(self):
        data = super().clean()
        if data.get("free"):
            data["cost_amount"] = 0
        elif data.get("cost_amount") is None:
            self.add_error("cost_amount", _("Isi tarif, atau centang Gratis."))
        return data

    def save(self, commit=True):
        from .legal import parse_legal_reference

        std = super().save(commit=False)
        spec = getattr(self, "duration_spec", None)
        if spec:
            std.duration_min, std.duration_max, std.duration_unit = spec.min, spec.max, spec.unit
            std.clock_starts_at = spec.clock_starts_at
        data = self.cleaned_data
        std.cost_amount = data["cost_amount"]
        std.facilities = _lines(data["facilities_text"])
        std.competencies = _lines(data["competencies_text"])
        std.supervision = _lines(data["supervision_text"])
        std.legal_basis = [parse_legal_reference(line) for line in _lines(data["legal_text"])]
        std.evaluation_periods = data["evaluation"]
        std.withdraw_roles = data["withdraw_roles"]
        texts = dict(std.texts or {})
        texts["jangka_waktu"] = data["duration_text"]
        if data["evaluation_text"].strip():
            texts["evaluasi_kinerja"] = data["evaluation_text"].strip()
        std.texts = texts
        if commit:
            std.save()
        return std


class ChannelForm(forms.Form):
    # An empty first choice: a blank extra row stays blank (it used to post "Datang langsung" and
    # every save added two public "Datang langsung" channels).
    kind = forms.ChoiceField(label=_("Jenis"), choices=[("", "—"), *ChannelKind.choices], required=False)
    value = forms.CharField(label=_("Alamat / nomor"), max_length=300, required=False)
    label = forms.CharField(label=_("Keterangan"), max_length=300, required=False)

    def clean(self):
        from .contacts import normalise_channel_value

        data = super().clean()
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = normalise_channel_value(data["kind"], data["value"])
            except ValueError as exc:
                self.add_error("value", str(exc))
        return data


ChannelFormSet = forms.formset_factory(ChannelForm, extra=2, can_delete=True)


def channels_from(formset) -> list[dict]:
    """The channels of the components form: rows with a kind, each (kind, value, label) once."""
    kept, seen = [], set()
    for data in formset.cleaned_data:
        if not data or data.get("DELETE") or not data.get("kind"):
            continue
        row = {k: data.get(k) or "" for k in ("kind", "value", "label")}
        key = tuple(row.values())
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept

class RequirementForm(forms.ModelForm):
    """One requirement: what it is, who provides it (only the applicant's become uploads and
    receipt lines), and for which kinds of request it is asked (empty: every kind)."""

    kinds = forms.MultipleChoiceField(
        label=_("Hanya untuk jenis"), required=False, choices=ServiceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan bila diminta untuk semua jenis permohonan layanan ini."))

    class Meta:
        model = Requirement
        fields = ["label", "kind", "provided_by", "mandatory", "group", "kinds"]
        widgets = {"label": forms.TextInput(attrs={"size": 60})}
        help_texts = {"provided_by": _("Hanya persyaratan dari pemohon yang diunggah di formulir web dan "
                                       "tercantum di tanda terima.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("kinds", list(self.instance.kinds or []))


RequirementFormSet = forms.inlineformset_factory(
    ServiceStandard, Requirement, form=RequirementForm,
    extra=2, can_delete=True, can_order=True,
)


class StepForm(forms.ModelForm):
    # An empty first choice, so a blank "new step" row a browser posts stays blank.
    role = forms.ChoiceField(label=_("Peran"), choices=[("", "—"), *STEP_ROLES])

    class Meta:
        model = Step
        fields = ["text", "actor", "role", "unit", "action", "stage", "track", "on_done",
                  "on_cannot_resolve", "on_incomplete", "can_reject", "starts_clock"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 50})}


def step_label(step) -> str:
    text = " ".join(step.text.split())
    return f"{step.position}. {step.actor} — {text[:60]}{'…' if len(text) > 60 else ''}"


class BaseStepFormSet(forms.BaseInlineFormSet):
    """The procedure editor: steps chosen by name where one step leads to another (not by typing
    numbers), the order changed with ↑ / ↓ buttons (no JavaScript); the saved references follow
    the steps when the order changes (views.steps)."""

    def __init__(self, *args, agency, **kwargs):
        self.agency = agency
        super().__init__(*args, **kwargs)

    def step_choices(self):
        existing = list(self.instance.steps.order_by("position")) if self.instance.pk else []
        return [(s.position, step_label(s)) for s in existing]

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["unit"].queryset = self.agency.units.all()
        form.fields["unit"].required = False
        steps = self.step_choices()
        invalid = {"invalid_choice": _("Langkah %(value)s tidak ada.")}
        form.fields["on_done"] = forms.TypedChoiceField(
            label=_("Selesai → lanjut ke"), required=False, coerce=int, empty_value=None,
            choices=[("", _("langkah berikutnya")), (0, _("selesai (akhir prosedur)")), *steps],
            error_messages=invalid)
        form.fields["on_cannot_resolve"] = forms.TypedChoiceField(
            label=_("Tidak dapat diselesaikan → ke"), required=False, coerce=int, empty_value=None,
            choices=[("", "—"), *steps], error_messages=invalid)
        if "ORDER" in form.fields:
            form.fields["ORDER"].widget = forms.HiddenInput()

    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        deleted = {f.instance.position for f in self.forms
                   if f.instance.pk and f.cleaned_data and f.cleaned_data.get("DELETE")}
        for form in kept:
            for field in ("on_done", "on_cannot_resolve"):
                target = form.cleaned_data.get(field)
                if target and target in deleted:
                    form.add_error(field, _("Langkah %(t)s dihapus; pilih langkah lain.") % {"t": target})
        if sum(1 for f in kept if f.cleaned_data.get("starts_clock")) > 1:
            raise ValidationError(_("Hanya satu langkah yang boleh memulai perhitungan waktu."))


StepFormSet = forms.inlineformset_factory(
    ServiceStandard, Step, form=StepForm, formset=BaseStepFormSet, extra=2, can_delete=True,
    can_order=True,
)


class DiscussedForm(forms.Form):
    discussed_on = forms.DateField(label=_("Tanggal pembahasan"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Catatan / peserta pembahasan"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.FileField(label=_("Berita acara (PDF, gambar atau DOCX, maks. 10 MB)"),
                              required=False)

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        if not upload:
            return upload
        if upload.size > MINUTES_MAX_BYTES:
            raise ValidationError(_("Berkas terlalu besar (maksimal 10 MB)."))
        head = upload.read(8)
        upload.seek(0)
        kind = next((kind for magic, kind in MINUTES_TYPES.items() if head.startswith(magic)), None)
        if kind is None:
            raise ValidationError(_("Jenis berkas tidak didukung: unggah PDF, PNG, JPEG atau DOCX."))
        upload.name = f"berita-acara.{kind.lower().replace('jpeg', 'jpg')}"  # stored by type, not name
        return upload


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("Yang perlu diperbaiki"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["min_completeness"]
        help_texts = {"min_completeness": _("Standar dengan skor di bawah angka ini hanya dapat ditetapkan "
                                            "atau dipublikasikan dengan konfirmasi.")}


class EnactForm(forms.Form):
    decree_number = forms.CharField(label=_("Nomor keputusan"), max_length=200)
    decree_date = forms.DateField(label=_("Tanggal keputusan"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
