"""Forms of the channel screens. Secrets are write-only: never rendered back into a page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.requests import intake
from layanan.standards.models import Service

from .models import Mailbox, StaffPreference, WhatsAppAccount

KEEP = gettext_lazy("Kosongkan untuk memakai nilai yang tersimpan (tidak pernah ditampilkan lagi).")


class SecretsForm(forms.ModelForm):
    """A ModelForm whose SECRETS are password inputs that never show the stored value; left empty on
    an edit they keep it."""

    SECRETS: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        for name in self.SECRETS:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            field.required = not editing
            if editing:
                field.help_text = KEEP
            self.initial[name] = ""

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            stored = type(self.instance).objects.get(pk=self.instance.pk)
            for name in self.SECRETS:
                if not data.get(name):
                    data[name] = getattr(stored, name)
                    setattr(self.instance, name, getattr(stored, name))
        return data


class WhatsAppAccountForm(SecretsForm):
    SECRETS = ("verify_token", "app_secret", "access_token")

    class Meta:
        model = WhatsAppAccount
        fields = [
            "display_number",
            "phone_number_id",
            "waba_id",
            "verify_token",
            "app_secret",
            "access_token",
            "active",
        ]

    def clean_phone_number_id(self):
        value = self.cleaned_data["phone_number_id"].strip()
        if not value.isdigit():
            raise ValidationError(_("Phone number ID berupa angka (lihat WhatsApp Manager → API Setup)."))
        return value


class MailboxForm(SecretsForm):
    SECRETS = ("password",)

    class Meta:
        model = Mailbox
        fields = [
            "address",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "default_service",
            "active",
        ]

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_service"].queryset = Service.objects.filter(
            agency=agency, published_standard__isnull=False
        ).order_by("position", "name")


class ClassifyForm(forms.Form):
    service = forms.ModelChoiceField(label=gettext_lazy("Layanan"), queryset=Service.objects.none())

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(
            agency=agency, published_standard__isnull=False
        ).order_by("position", "name")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = StaffPreference
        fields = ["whatsapp_number", "whatsapp_opt_in", "digest"]
        widgets = {"whatsapp_number": forms.TextInput(attrs={"inputmode": "tel", "type": "tel"})}

    def clean_whatsapp_number(self):
        return intake.clean_phone(self.cleaned_data.get("whatsapp_number", ""))

    def clean(self):
        data = super().clean()
        if data.get("whatsapp_opt_in") and not data.get("whatsapp_number"):
            self.add_error(
                "whatsapp_number", _("Isi nomor WhatsApp untuk menerima pemberitahuan lewat WhatsApp.")
            )
        return data
