"""The citizen's web form and the counter form. Checks live in requests.intake."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.core.forms import FieldCopies, FocusFirstError, with_field_copies
from layanan.standards.models import ServiceKind
from layanan.standards.requirement_rules import asked_of_applicant

from . import intake
from .models import ApplicantType, Attachment, Channel, IdType

ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png," + intake.DOCX
COUNTER_CHANNELS = [Channel.COUNTER, Channel.PHONE, Channel.LETTER, Channel.SUGGESTION_BOX,
                    Channel.WHATSAPP, Channel.EMAIL, Channel.SOCIAL_MEDIA]
KIP_KINDS = {ServiceKind.DATA_REQUEST, ServiceKind.INFORMATION}
OBTAIN_CHOICES = [("", "—"), ("melihat", gettext_lazy("Melihat / membaca / mendengarkan / mencatat")),
                  ("salinan", gettext_lazy("Mendapatkan salinan (hardcopy / softcopy)"))]
RECEIVE_CHOICES = [("", "—"), ("langsung", gettext_lazy("Mengambil langsung")),
                   ("email", gettext_lazy("E-mail")), ("pos", gettext_lazy("Pos / kurir")),
                   ("whatsapp", gettext_lazy("WhatsApp"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadField(forms.FileField):
    """One file, accepted only if its content is a PDF/DOCX of at most 5 MB or a photo of at most 10 MB."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("help_text", intake.ALLOWED_TYPES_TEXT)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        return intake.check_upload(uploaded) if uploaded else None


class UploadsField(UploadField):
    """Several files in one input (supporting evidence)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            return super().clean(None, initial) or []
        checked, errors = [], []
        for uploaded in files:
            try:
                checked.append(super().clean(uploaded, initial))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


def _text(label, *, max_length=200, required=False, **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.TextInput(attrs=attrs))


class ApplicantForm(FocusFirstError, forms.Form):
    """Who asks: a person, an organisation with its official letter, or (complaints) nobody."""

    applicant_type = forms.ChoiceField(
        label=gettext_lazy("Diajukan oleh"), widget=forms.RadioSelect, initial=ApplicantType.PERSON,
        required=False,  # empty means a person
        choices=[(ApplicantType.PERSON, gettext_lazy("Perorangan")),
                 (ApplicantType.ORGANISATION, gettext_lazy("Instansi / organisasi, dengan surat resmi"))])
    name = _text(gettext_lazy("Nama lengkap"), autocomplete="name")
    nik = _text(gettext_lazy("NIK (16 angka, sesuai KTP)"), max_length=32, inputmode="numeric",
                autocomplete="off")
    phone = _text(gettext_lazy("Nomor telepon / WhatsApp"), max_length=40, inputmode="tel",
                  autocomplete="tel", type="tel")
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    whatsapp_consent = forms.BooleanField(
        label=gettext_lazy("Kirim kabar permohonan ini juga lewat WhatsApp ke nomor di atas"), required=False)
    address = forms.CharField(label=gettext_lazy("Alamat"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}))
    organisation_name = _text(gettext_lazy("Nama instansi / organisasi"), max_length=255,
                              autocomplete="organization")
    letter_number = _text(gettext_lazy("Nomor surat"))
    letter_date = forms.DateField(label=gettext_lazy("Tanggal surat"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    letter_signatory = _text(gettext_lazy("Penanda tangan surat (nama dan jabatan)"))

    PERSON_FIELDS = ["name", "nik", "address"]
    ORGANISATION_FIELDS = ["organisation_name", "letter_number", "letter_date", "letter_signatory"]
    CONTACT_FIELDS = ["phone", "email", "whatsapp_consent"]

    def clean_nik(self):
        return intake.clean_nik(self.cleaned_data.get("nik", ""))

    def clean_phone(self):
        return intake.clean_phone(self.cleaned_data.get("phone", ""))

    # What this form insists on; the counter is more lenient than the web.
    def nik_required(self) -> bool:
        return True

    def address_required(self) -> bool:
        return True

    def contact_required(self) -> bool:
        return True

    def letter_required(self) -> bool:
        return True

    def clean_identity(self, kind: str) -> None:
        """The identity rules of requests.intake (shared with the API), as this form insists on them."""
        rules = intake.IdentityRules(nik=self.nik_required(), address=self.address_required(),
                                     contact=self.contact_required(), letter=self.letter_required())
        for name, error in intake.identity_problems(self.cleaned_data, kind, rules):
            if name not in self.errors:
                self.add_error(name, error)

    def read_token(self) -> None:
        """The one-time token → the idempotency key; an expired one is replaced for the next try."""
        try:
            self.idempotency_key = intake.read_form_token(self.cleaned_data.get("token"), self.token_scope())
        except ValidationError as exc:
            self.add_error(None, exc)
            self.data = self.data.copy()
            self.data[self.add_prefix("token")] = intake.new_form_token(self.token_scope())

    def token_scope(self) -> str:
        raise NotImplementedError

    def _require(self, name, message):
        if name not in self.errors and not self.cleaned_data.get(name):
            self.add_error(name, message)

    def bound(self, names):
        return [self[name] for name in names if name in self.fields]

    @property
    def person_fields(self):
        return self.bound(self.PERSON_FIELDS)

    @property
    def organisation_fields(self):
        return self.bound(self.ORGANISATION_FIELDS)

    @property
    def contact_fields(self):
        return self.bound(self.CONTACT_FIELDS)


@with_field_copies  # built on every GET and POST of the citizen's form: a cheaper copy of its fields
class WebRequestForm(ApplicantForm):
    """/<AGENCY>/<service>/ajukan/: one service, its document uploads, consent, SP4N-LAPOR! options."""

    subject = forms.CharField(label=gettext_lazy("Perihal"), max_length=300)
    description = forms.CharField(label=gettext_lazy("Uraian"), max_length=10000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    consent = forms.BooleanField(
        label=gettext_lazy("Saya setuju data pribadi yang saya berikan (termasuk lampiran) digunakan "
                           "hanya untuk menangani permohonan/pengaduan ini, sesuai UU 27/2022 tentang "
                           "Pelindungan Data Pribadi."),
        error_messages={"required": gettext_lazy("Centang persetujuan ini agar permohonan dapat kami "
                                                 "proses.")})
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, standard, requirements, documents_later=False, idempotency_key=None, kind=None,
                 **kwargs):
        """`documents_later` and `idempotency_key`: the API validates with this very form; its
        documents arrive in a second call and its retries carry an Idempotency-Key, not a form token."""
        super().__init__(*args, **kwargs)
        self.standard, self.service = standard, standard.service
        # The kind chosen among those the standard takes (seed 001: a data request or a complaint).
        self.kind = kind if kind in standard.accepted_kinds else self.service.kind
        self.requirements = asked_of_applicant(requirements, self.kind)
        self.idempotency_key = idempotency_key
        complaint = self.kind == ServiceKind.COMPLAINT
        self.location_required = complaint and intake.location_required(self.service)
        if complaint:
            self.fields["subject"].label = gettext_lazy("Judul pengaduan")
            self.fields["description"].label = gettext_lazy("Uraian pengaduan (apa, di mana, kapan, siapa)")
        # The fields this standard adds (its documents, a complaint's or a KIP request's own): built
        # once per kept standard, kind and language, then copied for each form as base_fields are.
        kept = standard.__dict__.setdefault("_web_form_fields", {})
        key = (self.kind, documents_later, translation.get_language(), tuple(r.pk for r in self.requirements))
        if key not in kept:
            kept[key] = self._standard_fields(complaint, documents_later)
        self.fields.update(copy.deepcopy(FieldCopies(kept[key])))
        for name in ("name", "nik", "address", "phone"):  # required by clean_identity: marked *
            self.fields[name].show_required = True
            self.fields[name].widget.attrs.setdefault("aria-required", "true")
        self.fields["phone"].help_text = gettext_lazy("Isi nomor telepon atau e-mail (salah satu wajib).")

    def _standard_fields(self, complaint: bool, documents_later: bool) -> dict:
        fields = {}
        if complaint:
            fields["anonymous"] = forms.BooleanField(
                required=False,
                label=gettext_lazy("Anonim: laporkan tanpa identitas. Nama, NIK dan kontak Anda tidak "
                                   "dicatat; simpan kode lacak dan tautan pada tanda terima."))
            fields["confidential"] = forms.BooleanField(
                required=False,
                label=gettext_lazy("Rahasia: identitas saya hanya boleh dilihat petugas pengaduan."))
        if self.kind in KIP_KINDS:
            fields["purpose"] = forms.CharField(
                label=gettext_lazy("Tujuan penggunaan data / informasi"), max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}))
            fields["obtain"] = forms.ChoiceField(
                label=gettext_lazy("Cara memperoleh"), choices=OBTAIN_CHOICES, required=False)
            fields["receive"] = forms.ChoiceField(
                label=gettext_lazy("Cara menerima"), choices=RECEIVE_CHOICES, required=False)
        if complaint:
            fields["location_text"] = forms.CharField(
                label=gettext_lazy("Lokasi kejadian (alamat atau patokan)"), max_length=500,
                required=False, widget=forms.Textarea(attrs={"rows": 2}))
            fields["location_lat"] = forms.FloatField(required=False, min_value=-90, max_value=90,
                                                      widget=forms.HiddenInput)
            fields["location_lon"] = forms.FloatField(required=False, min_value=-180, max_value=180,
                                                      widget=forms.HiddenInput)
        for requirement in intake.document_requirements(self.requirements):
            mandatory = requirement.mandatory and not complaint and not documents_later
            fields[f"doc_{requirement.pk}"] = UploadField(
                label=requirement.label + ("" if mandatory else _(" (bila ada)")), required=mandatory,
                error_messages={"required": gettext_lazy("Lampirkan dokumen ini (wajib menurut standar "
                                                         "pelayanan).")})
        if complaint:
            fields["evidence"] = UploadsField(
                label=gettext_lazy("Bukti pendukung lain (foto, dokumen) — boleh lebih dari satu"),
                required=False)
        return fields

    # Groups for the template.
    @property
    def document_fields(self):
        return [self[name] for name in self.fields if name.startswith("doc_")] + self.bound(["evidence"])

    @property
    def request_fields(self):
        return self.bound(["subject", "description", "location_text", "purpose", "obtain", "receive"])

    @property
    def lapor_fields(self):
        return self.bound(["anonymous", "confidential"])

    @property
    def is_complaint(self):
        return "anonymous" in self.fields

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_type") or ApplicantType.PERSON
        if data.get("anonymous"):
            kind = ApplicantType.ANONYMOUS
            for name in self.PERSON_FIELDS + self.ORGANISATION_FIELDS + self.CONTACT_FIELDS:
                self.errors.pop(name, None)  # nothing of it is kept, so nothing of it can be wrong
        data["applicant_type"] = kind
        self.clean_identity(kind)
        if "location_text" in self.fields:
            for name, error in intake.location_problems(data, required=self.location_required):
                if name not in self.errors:
                    self.add_error(name, error)
        try:
            intake.check_file_count(len(self.uploads()))
        except ValidationError as exc:
            self.add_error(None, exc)
        if self.idempotency_key is None:
            self.read_token()
        return data

    def token_scope(self) -> str:
        return f"web.{self.service.pk}"

    def uploads(self) -> list[intake.CheckedUpload]:
        """The checked uploads, each tagged with what it is for."""
        result = []
        for requirement in intake.document_requirements(self.requirements):
            upload = self.cleaned_data.get(f"doc_{requirement.pk}")
            if upload:
                upload.purpose, upload.requirement = Attachment.Purpose.REQUIREMENT, requirement
                result.append(upload)
        for upload in self.cleaned_data.get("evidence") or []:
            upload.purpose = Attachment.Purpose.EVIDENCE
            result.append(upload)
        return result

    def submission(self) -> intake.Submission:
        data = self.cleaned_data
        applicant = intake.applicant_fields(data, consent_at=timezone.now())
        if "location_text" in self.fields:
            applicant.update(intake.location_fields(data))
        uploads = self.uploads()
        asked = asked_of_applicant(self.requirements, self.kind,
                                   anonymous=applicant["applicant_type"] == ApplicantType.ANONYMOUS)
        details = intake.kip_details([  # UU 14/2008 requests only (a complaint has no such fields)
            (_("Tujuan penggunaan"), data.get("purpose")),
            (_("Cara memperoleh"), dict(OBTAIN_CHOICES).get(data.get("obtain") or "", "")),
            (_("Cara menerima"), dict(RECEIVE_CHOICES).get(data.get("receive") or "", "")),
        ]) if self.kind in KIP_KINDS else ""
        description = "\n\n".join(part for part in (data["description"], details) if part)
        return intake.Submission(
            standard=self.standard, channel=Channel.WEB, subject=data["subject"], applicant=applicant,
            description=description, idempotency_key=self.idempotency_key,
            checks=intake.web_checks(asked, uploads, applicant), uploads=uploads, kind=self.kind)


@with_field_copies
class CounterForm(ApplicantForm):
    """The front desk: buku tamu, the checklist and the applicant on one screen.

    `register=False` records the guest-book line only (a visitor without a request).
    """

    channel = forms.ChoiceField(label=gettext_lazy("Kanal"), initial=Channel.COUNTER, required=False,
                                choices=[(c.value, c.label) for c in COUNTER_CHANNELS])
    subject = forms.CharField(label=gettext_lazy("Perihal / keperluan"), max_length=300)
    description = forms.CharField(label=gettext_lazy("Uraian (bila perlu)"), max_length=10000,
                                  required=False, widget=forms.Textarea(attrs={"rows": 3}))
    time_in = forms.DateTimeField(
        label=gettext_lazy("Jam datang"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    consent = forms.BooleanField(
        required=False, label=gettext_lazy("Pemohon setuju data pribadinya digunakan untuk layanan ini "
                                           "(UU 27/2022)."))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    id_type = forms.ChoiceField(label=gettext_lazy("Jenis identitas"), required=False, choices=IdType.choices)

    def __init__(self, *args, agency, standard=None, requirements=(), register=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency, self.standard, self.register = agency, standard, register
        self.service = standard.service if standard else None
        # What the applicant brings or shows, never what the office provides (ATK, a computer).
        self.requirements = asked_of_applicant(requirements)
        self.idempotency_key = None
        self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["name"].show_required = True
        # NIK (16 digits) by default; a SIM, passport or KITAS number with its type.
        self.fields["nik"].label = _("Nomor identitas (NIK: 16 angka)")
        self.fields["nik"].help_text = _("NIK diperiksa strukturnya; nomor SIM, paspor atau KITAS dicatat "
                                         "apa adanya dengan jenisnya.")
        self.fields["time_in"].initial = timezone.localtime().replace(second=0, microsecond=0)
        kinds = standard.accepted_kinds if standard else []
        if len(kinds) > 1:  # seed 001: a data request or a complaint, the officer asks which
            from .kinds import CHOICE_TEXT

            self.fields["kind"] = forms.ChoiceField(
                label=_("Jenis"), choices=[(k, CHOICE_TEXT[k][0]) for k in kinds], initial=kinds[0],
                required=False)
        if self.service and (intake.is_complaint(self.service) or "complaint" in kinds):
            anonymous = (ApplicantType.ANONYMOUS, _("Anonim (tanpa identitas)"))
            self.fields["applicant_type"].choices = [*self.fields["applicant_type"].choices, anonymous]
            self.fields["confidential"] = forms.BooleanField(
                required=False, label=_("Rahasia: identitas pelapor hanya untuk petugas pengaduan."))
        kind_labels = dict(ServiceKind.choices)
        for requirement in self.requirements:
            only = ", ".join(str(kind_labels.get(k, k)).lower() for k in requirement.kinds) \
                if len(kinds) > 1 and requirement.kinds else ""
            self.fields[f"req_{requirement.pk}"] = forms.BooleanField(
                required=False, label=requirement.label + (_(" (wajib)") if requirement.mandatory else "")
                + (_(" — hanya untuk %(kinds)s") % {"kinds": only} if only else ""))

    def clean_nik(self):
        return (self.cleaned_data.get("nik") or "").strip()  # checked in clean(), by its type

    def chosen_kind(self) -> str:
        return self.cleaned_data.get("kind") or (self.service.kind if self.service else "")

    def nik_required(self):
        return (self.register and self.service is not None and self.chosen_kind() in KIP_KINDS
                and self.cleaned_data.get("channel") == Channel.COUNTER)

    def address_required(self):
        return False

    def contact_required(self):
        return False

    def letter_required(self):
        return self.cleaned_data.get("channel") == Channel.LETTER

    @property
    def checklist_fields(self):
        return [self[name] for name in self.fields if name.startswith("req_")]

    @property
    def request_fields(self):
        return self.bound(["subject", "description"])

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_type") or ApplicantType.PERSON
        data["channel"] = data.get("channel") or Channel.COUNTER
        if data.get("nik") and "nik" not in self.errors:
            try:
                data["nik"] = intake.clean_identity_number(data["nik"], data.get("id_type") or IdType.NIK)
            except ValidationError as exc:
                self.add_error("nik", exc)
        self.read_token()
        if not self.register:
            self._require("name", _("Isi nama tamu."))
            return data
        if kind == ApplicantType.ANONYMOUS and self.chosen_kind() != ServiceKind.COMPLAINT:
            self.add_error("applicant_type", _("Hanya pengaduan yang dapat disampaikan tanpa identitas."))
        if self.standard is None:
            self.add_error(None, _("Pilih layanan terlebih dahulu."))
        if kind == ApplicantType.ANONYMOUS:
            for name in self.PERSON_FIELDS + self.ORGANISATION_FIELDS + self.CONTACT_FIELDS:
                self.errors.pop(name, None)
        self.clean_identity(kind)
        return data

    def token_scope(self) -> str:
        return f"counter.{self.agency.pk}"

    def checks(self) -> dict:
        """The ticks of the requirements of the chosen kind (an anonymous report: none about identity)."""
        anonymous = self.cleaned_data.get("applicant_type") == ApplicantType.ANONYMOUS
        asked = asked_of_applicant(self.requirements, self.chosen_kind(), anonymous=anonymous)
        return {r.pk: bool(self.cleaned_data.get(f"req_{r.pk}")) for r in asked}

    def guest(self, actor):
        """The buku-tamu line: someone is at the desk (counter channel, or a visitor only)."""
        if self.register and self.cleaned_data.get("channel") != Channel.COUNTER:
            return None
        data = dict(self.cleaned_data)
        if data.get("applicant_type") == ApplicantType.ANONYMOUS:
            data = {"subject": data.get("subject"), "time_in": data.get("time_in")}
        elif self.register and data.get("confidential"):
            # The buku tamu is read by every desk officer: a confidential complainant is not named there.
            data = {"name": _("(pelapor rahasia)"), "subject": _("Pengaduan"), "time_in": data.get("time_in")}
        elif data.get("nik") and data.get("id_type"):
            data["nik"] = f"{dict(IdType.choices)[data['id_type']]} {data['nik']}"
        return intake.guest_entry(self.agency, data, actor)

    def submission(self, actor) -> intake.Submission:
        data = self.cleaned_data
        checks = self.checks()
        applicant = intake.applicant_fields(data, consent_at=timezone.now() if data.get("consent") else None)
        if applicant.get("applicant_nik") and data.get("id_type"):
            applicant["applicant_id_type"] = data["id_type"]
        kind = self.chosen_kind()
        if kind != ServiceKind.COMPLAINT:
            applicant["confidential"] = False  # only a complaint may be confidential
        return intake.Submission(
            standard=self.standard, channel=data["channel"], subject=data["subject"], applicant=applicant,
            description=data.get("description", ""), idempotency_key=self.idempotency_key, checks=checks,
            missing=intake.missing_mandatory(self.requirements, checks), guest=self.guest(actor), kind=kind)
