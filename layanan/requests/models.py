"""Requests (permohonan / tiket / laporan) and everything that happens to them.

A request keeps the standard version it started under; its state and step are
changed only by requests.lifecycle, which writes an Event and the outbox
messages in the same transaction.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from layanan.core.crypto import EncryptedTextField, mask
from layanan.standards.models import ServiceKind

# A request's kind is its service's kind (consultation, data request, …).
Kind = ServiceKind


class Channel(models.TextChoices):
    COUNTER = "counter", _("Loket / datang langsung")
    WEB = "web", _("Situs web")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Telepon")
    LETTER = "letter", _("Surat")
    SUGGESTION_BOX = "suggestion_box", _("Kotak saran")
    SOCIAL_MEDIA = "social_media", _("Media sosial")
    LAPOR = "lapor", _("SP4N-LAPOR!")
    API = "api", _("API")


class State(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    IN_PROGRESS = "in_progress", _("Diproses")
    WAITING_APPLICANT = "waiting_applicant", _("Menunggu kelengkapan dari pemohon")
    RESOLVED = "resolved", _("Selesai")
    CLOSED = "closed", _("Ditutup")
    REJECTED = "rejected", _("Ditolak")
    WITHDRAWN = "withdrawn", _("Dicabut pemohon")


OPEN_STATES = {State.RECEIVED, State.IN_PROGRESS, State.WAITING_APPLICANT}


class ApplicantType(models.TextChoices):
    PERSON = "person", _("Perorangan")
    ORGANISATION = "organisation", _("Instansi / organisasi")
    ANONYMOUS = "anonymous", _("Anonim")


class IdType(models.TextChoices):
    """The identity document the counter recorded (the web form asks for the NIK only)."""

    NIK = "", _("NIK (KTP / KK)")
    SIM = "sim", _("SIM")
    PASSPORT = "passport", _("Paspor")
    KITAS = "kitas", _("KITAS / KITAP")
    OTHER = "other", _("Identitas lain")


class SlaStatus(models.TextChoices):
    ON_TIME = "on_time", _("Tepat waktu")
    AT_RISK = "at_risk", _("Mendekati tenggat")
    BREACHED = "breached", _("Melewati tenggat")


def new_secret() -> str:
    return secrets.token_urlsafe(12)


class Request(models.Model):
    # No index of its own on agency, assignee, assigned unit: the inbox's composite indexes below
    # lead with them and serve those lookups; every index is one more write per submission.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="requests",
                               db_index=False)
    service = models.ForeignKey("standards.Service", on_delete=models.PROTECT, related_name="requests")
    standard = models.ForeignKey(
        "standards.ServiceStandard", on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)

    # The applicant. NIK, phone and address are personal data: encrypted at rest.
    applicant_type = models.CharField(max_length=20, choices=ApplicantType.choices,
                                      default=ApplicantType.PERSON)
    confidential = models.BooleanField(
        _("rahasia"), default=False,
        help_text=_("Identitas pelapor hanya terlihat oleh petugas pengaduan."))
    applicant_name = models.CharField(_("nama pemohon"), max_length=200, blank=True)
    applicant_nik = EncryptedTextField(_("NIK"), blank=True)
    # "" = applicant_nik holds a NIK; else the number of the identity document of this type.
    applicant_id_type = models.CharField(_("jenis identitas"), max_length=20, blank=True,
                                         choices=IdType.choices, default=IdType.NIK)
    applicant_phone = EncryptedTextField(_("telepon"), blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = EncryptedTextField(_("alamat"), blank=True)
    organisation_name = models.CharField(_("instansi pemohon"), max_length=255, blank=True)
    letter_number = models.CharField(_("nomor surat"), max_length=200, blank=True)
    letter_date = models.DateField(_("tanggal surat"), null=True, blank=True)
    letter_signatory = models.CharField(_("penanda tangan surat"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("persetujuan penggunaan data pribadi"), null=True, blank=True)
    # The applicant agreed to hear about the request on WhatsApp at applicant_phone (channels app).
    whatsapp_consent = models.BooleanField(_("kabar lewat WhatsApp"), default=False)

    subject = models.CharField(_("perihal"), max_length=300)
    description = models.TextField(_("uraian"), blank=True)
    # Where it is (a complaint about a road, Open311 reports): an optional WGS84 point and/or the
    # address as written. A complaint service may require one of them (Service.location_required).
    location_lat = models.FloatField(_("lintang"), null=True, blank=True)
    location_lon = models.FloatField(_("bujur"), null=True, blank=True)
    location_text = models.CharField(_("lokasi"), max_length=500, blank=True, default="", db_default="")

    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.RECEIVED)
    current_step = models.ForeignKey(
        "standards.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,  # req_assignee_due leads with it
    )
    assigned_unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,  # req_unit_due leads with it
    )

    # The clock (UTC). due_at/at_risk_at are derived from the standard's duration,
    # clock_started_at and the pauses; lifecycle recomputes them on every change.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    at_risk_at = models.DateTimeField(null=True, blank=True)
    sla_status = models.CharField(max_length=10, choices=SlaStatus.choices, default=SlaStatus.ON_TIME)
    # Working days the deadline was extended by (UU 14/2008: an information request, once, by 7).
    extended_days = models.PositiveSmallIntegerField(default=0)

    # Unique through Meta.constraints: `unique=True` would add a second, LIKE-only index that
    # no query uses and every submission would write.
    tracking_code = models.CharField(_("kode lacak"), max_length=60)
    tracking_secret = models.CharField(max_length=32, default=new_secret)
    # Retries of the same submission (double click, webhook re-delivery, API
    # Idempotency-Key) carry the same key and get the same request back.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    product_text = models.TextField(_("hasil layanan"), blank=True)
    reject_reason = models.TextField(_("alasan penolakan"), blank=True)
    # Optimistic concurrency: the desk posts the version it saw.
    version = models.PositiveIntegerField(default=1)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the applicant's personal data was removed (retention ended or an erasure request, UU 27/2022).
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("permohonan")
        verbose_name_plural = _("permohonan")
        constraints = [
            models.UniqueConstraint(fields=["agency", "idempotency_key"], name="unique_idempotency_key",
                                    condition=models.Q(idempotency_key__isnull=False)),
            models.UniqueConstraint(fields=["tracking_code"], name="unique_tracking_code"),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_at", "id"], name="req_agency_state_due"),
            models.Index(fields=["agency", "due_at", "id"], name="req_agency_due"),
            # The default "open" tab (three states) in due order: the page reads its 51 rows from
            # here instead of filtering the agency's whole history in req_agency_due.
            models.Index(fields=["agency", "due_at", "id"], name="req_agency_open_due",
                         condition=models.Q(state__in=["received", "in_progress", "waiting_applicant"])),
            models.Index(fields=["assignee", "state", "due_at", "id"], name="req_assignee_due"),
            models.Index(fields=["assigned_unit", "state", "due_at", "id"], name="req_unit_due"),
            models.Index(fields=["state", "sla_status", "due_at"], name="req_sweep"),
            # Reports: the requests an agency received in a period (layanan/reports, one range scan).
            models.Index(fields=["agency", "created_at"], name="req_agency_created"),
        ]

    def __str__(self):
        return self.tracking_code

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def masked_phone(self):
        return mask(self.applicant_phone)

    @property
    def masked_nik(self):
        return mask(self.applicant_nik)


class Pause(models.Model):
    """A period the clock stood still: the request waited on the applicant."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    missing = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} → {self.ended_at or '…'}"


class Event(models.Model):
    """One line of a request's timeline. Append-only."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events",
                                db_index=False)  # event_request_at leads with it
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # staff / applicant / system (requests.access), and the role the actor acted in: the public
    # timeline names the role ("Kepala Dinas", "Pemohon"), never "by the applicant" unless it was.
    actor_kind = models.CharField(max_length=10, default="staff")
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    from_step = models.PositiveIntegerField(null=True, blank=True)
    to_step = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="event_request_at")]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    # Outside the web root (MEDIA_ROOT is never served directly); random name.
    return f"requests/{instance.request.agency_id}/{instance.request_id}/{secrets.token_hex(8)}"


class Attachment(models.Model):
    class Purpose(models.TextChoices):
        REQUIREMENT = "requirement", _("Persyaratan")
        EVIDENCE = "evidence", _("Bukti pendukung")
        PRODUCT = "product", _("Hasil layanan")
        DRAFT = "draft", _("Draf jawaban / surat")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    requirement = models.ForeignKey(
        "standards.Requirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return self.filename


class RequirementCheck(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="checks",
                                db_index=False)  # unique_check leads with it
    requirement = models.ForeignKey("standards.Requirement", on_delete=models.PROTECT, related_name="+")
    satisfied = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "requirement"], name="unique_check")]

    def __str__(self):
        return f"{self.requirement_id}: {self.satisfied}"


class OutboxMessage(models.Model):
    """A notification written in the same transaction as the change it reports.

    The row holds the template and its context; the worker (requests/outbox.py)
    renders the text when it sends it (notifications.render) and keeps it on the
    row. The worker claims it (`claimed_at`, `claim_token`, committed), sends it
    outside any transaction, then marks it sent. Delivery
    is at-least-once: `dedupe_key` makes a second write of the same message (a
    retried transition) a no-op, and the e-mail's Message-ID (derived from the
    id and dedupe key) is the same on every attempt, so a resend after a crash
    is recognisable. `failed_at` is set when the worker gives up.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WHATSAPP = "whatsapp", "WhatsApp"

    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="outbox")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recipient = EncryptedTextField()
    template = models.CharField(max_length=60)
    # Written by the worker when it sends (notifications.render); a row queued with its text
    # (a WhatsApp dialogue reply, a report link) has it from the start.
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    # The template's extra variables (JSON; model instances as {"$model": label, "pk": …}) until
    # the text is rendered; the request, its agency and the site address are added at render time.
    context = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200)  # unique: Meta.constraints (no LIKE index)
    created_at = models.DateTimeField(auto_now_add=True)
    not_before = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=255, blank=True)  # Message-ID, or the provider's id
    # WhatsApp: the agency whose number sends it (also for dialogue replies without a request), and
    # the delivery status the webhook reports (sent, delivered, read, failed; layanan/channels).
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    delivery_status = models.CharField(max_length=10, blank=True)
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="unique_outbox_dedupe_key")]
        indexes = [models.Index(fields=["sent_at", "not_before"], name="outbox_pending"),
                   models.Index(fields=["provider_id"], name="outbox_provider_id")]

    def __str__(self):
        return f"{self.template} #{self.pk}"

    @property
    def status(self) -> str:
        """sent, failed (given up), claimed (a worker is sending it) or waiting."""
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        return "claimed" if self.claimed_at else "waiting"


class GuestBookEntry(models.Model):
    """Buku tamu at the counter."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="guestbook")
    name = models.CharField(_("nama"), max_length=200)
    identity_number = EncryptedTextField(_("nomor identitas"), blank=True)
    organisation = models.CharField(_("instansi / alamat"), max_length=255, blank=True)
    purpose = models.CharField(_("keperluan"), max_length=300)
    time_in = models.DateTimeField(_("jam datang"))
    time_out = models.DateTimeField(_("jam pulang"), null=True, blank=True)
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="guestbook")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-time_in"]

    def __str__(self):
        return f"{self.name} {self.time_in:%Y-%m-%d %H:%M}"


class CompensationTask(models.Model):
    """A breach of a standard that promises compensation (seed 004: deliver home)."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="compensation")
    promise = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    def __str__(self):
        return f"Kompensasi {self.request_id}"


class TrackingLock(models.Model):
    """Wrong phone digits typed for one tracking code: after LOCK_AFTER of them the lookup by
    code + digits is locked for a while (the receipt's link still works). Staff see it."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="tracking_lock")
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.request_id}: {self.failures}"


class IdentityView(models.Model):
    """Every view of a confidential complainant's identity (DESIGN: logged)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="identity_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.viewer_id} @ {self.at:%Y-%m-%d %H:%M}"


class Draft(models.Model):
    """A version of the answer or letter that goes up the paraf chain (Kasi → Kabid → Sekretaris →
    Kadis). Written at the step before the first paraf, or again after a return for revision; the
    version the head signed (`signed_at`) is the one delivered to the applicant."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="drafts")
    number = models.PositiveIntegerField()
    text = models.TextField(_("isi draf"), blank=True)
    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField()
    step_position = models.PositiveIntegerField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="unique_draft_number")]

    def __str__(self):
        return f"{self.request_id} draf {self.number}"


class Objection(models.Model):
    """Keberatan (UU 14/2008 art. 35–36): the applicant objects to the answer or refusal of an
    information request, to the official's superior, within 30 working days; the superior
    answers within 30 working days (its own clock, `due_at`)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="objections")
    lodged_at = models.DateTimeField()
    reason = models.TextField(_("alasan keberatan"))
    due_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("tanggapan atasan"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["lodged_at"]

    def __str__(self):
        return f"Keberatan {self.request_id}"

    @property
    def is_open(self):
        return self.answered_at is None
