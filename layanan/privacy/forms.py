from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DataSubjectRequest
from .subjects import parse_identifier


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Permintaan"), choices=DataSubjectRequest.Kind.choices,
                             widget=forms.RadioSelect)
    identifier = forms.CharField(
        label=_("NIK, nomor telepon atau e-mail pemohon"), max_length=200,
        help_text=_("Periksa identitas orang yang meminta (KTP) sebelum mencatat. Identitas ini tidak "
                    "disimpan apa adanya, hanya sidik kuncinya."))
    requested_at = forms.DateTimeField(
        label=_("Diminta pada"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Kosongkan bila diminta sekarang. Permintaan dijawab paling lambat 3 × 24 jam."))
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Mis. datang ke loket, surat tanggal …; jangan tulis NIK di sini."))

    def clean_identifier(self):
        return parse_identifier(self.cleaned_data["identifier"])

    def clean_requested_at(self):
        value = self.cleaned_data.get("requested_at")
        if value and value > timezone.now():
            raise forms.ValidationError(_("Waktu permintaan tidak boleh di masa depan."))
        return value


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Saya sudah memeriksa identitas pemohon; hapus data pribadinya dari permohonan yang sudah "
                "selesai. Tindakan ini tidak dapat dibatalkan."))
