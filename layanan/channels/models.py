"""Channels: an agency's WhatsApp number and mailbox, what arrives through them, staff notices.

Secrets (the WhatsApp app secret, verify token and access token, the IMAP password) are stored
encrypted (core.crypto.EncryptedTextField) and never shown again after they are saved. Phone
numbers and e-mail addresses of citizens are personal data: stored encrypted, found through a
keyed hash (core.crypto.blind_index), never in clear in an index.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from layanan.core.crypto import EncryptedTextField, blind_index


def address_digest(kind: str, value: str) -> str:
    """The keyed hash a WhatsApp id or an e-mail address is found by ("wa", "6281…")."""
    return blind_index(f"channels:{kind}:{value.strip().lower()}")


class WhatsAppAccount(models.Model):
    """An agency's WhatsApp Business number (Cloud API): one number, all its services."""

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.CASCADE, related_name="whatsapp_account"
    )
    phone_number_id = models.CharField(_("Phone number ID"), max_length=64, unique=True)
    waba_id = models.CharField(_("WhatsApp Business Account ID"), max_length=64, blank=True)
    display_number = models.CharField(_("nomor WhatsApp (tampilan)"), max_length=40, blank=True)
    verify_token = EncryptedTextField(_("verify token"))
    app_secret = EncryptedTextField(_("app secret"))
    access_token = EncryptedTextField(_("access token"))
    active = models.BooleanField(_("aktif"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("akun WhatsApp")
        verbose_name_plural = _("akun WhatsApp")

    def __str__(self):
        return f"WhatsApp {self.display_number or self.phone_number_id}"


class WhatsAppContact(models.Model):
    """A citizen's WhatsApp number as this agency's number knows it: when they last wrote (the
    24-hour customer-service window) and the guided dialogue in progress, if any."""

    class Step(models.TextChoices):
        NONE = "", _("—")
        SERVICE = "service", _("memilih layanan")
        SUBJECT = "subject", _("perihal")
        DESCRIPTION = "description", _("uraian")
        EVIDENCE = "evidence", _("bukti")
        IDENTITY = "identity", _("identitas pelapor")
        CONFIRM = "confirm", _("konfirmasi")

    account = models.ForeignKey(WhatsAppAccount, on_delete=models.CASCADE, related_name="contacts")
    digest = models.CharField(max_length=64)
    wa_id = EncryptedTextField()
    profile_name = EncryptedTextField(blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    dialogue_step = models.CharField(max_length=20, choices=Step.choices, blank=True, default="")
    dialogue_data = EncryptedTextField(blank=True)  # JSON: the answers so far
    dialogue_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "digest"], name="unique_wa_contact")]
        indexes = [models.Index(fields=["dialogue_step", "dialogue_updated_at"], name="wa_dialogue_idle")]

    def __str__(self):
        return f"contact {self.pk}"


class WhatsAppEvent(models.Model):
    """One inbound message or delivery status from the webhook, stored before it is processed.

    `external_id` is the message id (`wamid…`), or `wamid…:status` for a status: the platform
    redelivers, and the unique constraint turns a redelivery into nothing. The payload (the
    citizen's words) is kept encrypted only until the worker has processed it.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("pesan masuk")
        STATUS = "status", _("status pengiriman")

    account = models.ForeignKey(WhatsAppAccount, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    external_id = models.CharField(max_length=200)
    contact_digest = models.CharField(max_length=64, blank=True)
    payload = EncryptedTextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # the platform's timestamp
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)
    request = models.ForeignKey(
        "requests.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "external_id"], name="unique_wa_event")]
        indexes = [models.Index(fields=["processed_at", "id"], name="wa_event_pending")]

    def __str__(self):
        return f"{self.kind} {self.external_id[:40]}"


def dialogue_file_path(instance, filename):
    return f"channels/dialogue/{instance.contact.account.agency_id}/{secrets.token_hex(8)}"


class DialogueFile(models.Model):
    """A photo or PDF sent during the guided dialogue, kept until the request is submitted
    (then it becomes the request's attachment) or the dialogue ends."""

    contact = models.ForeignKey(WhatsAppContact, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=dialogue_file_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.filename


class Mailbox(models.Model):
    """The agency's own mailbox, polled over IMAP by the worker every minute."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS (IMAPS, port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        NONE = "none", _("Tanpa enkripsi (hanya jaringan lokal)")

    agency = models.OneToOneField("agencies.Agency", on_delete=models.CASCADE, related_name="mailbox")
    address = models.EmailField(_("alamat e-mail instansi"))
    host = models.CharField(_("server IMAP"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("keamanan"), max_length=10, choices=Security.choices, default=Security.SSL)
    username = models.CharField(_("nama pengguna"), max_length=255)
    password = EncryptedTextField(_("kata sandi / app password"))
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    default_service = models.ForeignKey(
        "standards.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("layanan bawaan untuk e-mail baru"),
        help_text=_("Kosongkan agar e-mail baru masuk antrean klasifikasi di loket."),
    )
    active = models.BooleanField(_("aktif"), default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("kotak surat")
        verbose_name_plural = _("kotak surat")

    def __str__(self):
        return self.address


def inbound_email_path(instance, filename):
    return f"channels/mail/{instance.mailbox.agency_id}/{secrets.token_hex(8)}.eml"


class InboundEmail(models.Model):
    """One e-mail fetched from a mailbox and what became of it."""

    class State(models.TextChoices):
        NEW = "new", _("baru")
        REQUEST = "request", _("menjadi permohonan")
        REPLY = "reply", _("balasan pada permohonan")
        TRIAGE = "triage", _("menunggu klasifikasi")
        IGNORED = "ignored", _("diabaikan (otomatis / massal / pantulan)")
        LIMITED = "limited", _("ditahan: terlalu banyak dari pengirim ini")
        FAILED = "failed", _("gagal diproses")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="emails")
    message_key = models.CharField(max_length=64)  # sha256 of the Message-ID (or of the bytes)
    message_id = models.CharField(max_length=998, blank=True)  # for In-Reply-To of our answers
    sender = EncryptedTextField(blank=True)
    sender_digest = models.CharField(max_length=64, blank=True)
    subject = EncryptedTextField(blank=True)
    raw = models.FileField(upload_to=inbound_email_path, max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    reason = models.CharField(max_length=200, blank=True)
    request = models.ForeignKey(
        "requests.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_key"], name="unique_inbound_email")
        ]
        indexes = [
            models.Index(fields=["mailbox", "state", "received_at"], name="inbound_email_state"),
            models.Index(fields=["mailbox", "sender_digest", "received_at"], name="inbound_email_sender"),
        ]

    def __str__(self):
        return f"email {self.pk} ({self.state})"


class CallTask(models.Model):
    """A WhatsApp message could not be delivered and the citizen gave no e-mail: someone at the
    desk calls them."""

    request = models.ForeignKey("requests.Request", on_delete=models.CASCADE, related_name="call_tasks")
    outbox = models.OneToOneField(
        "requests.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["done_at", "-created_at"]

    def __str__(self):
        return f"call {self.request_id}"


class StaffPreference(models.Model):
    """How an officer hears of their work: e-mail (always, to the account's address), WhatsApp
    when they opted in with a number, each event at once or one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preference"
    )
    whatsapp_number = EncryptedTextField(_("nomor WhatsApp"), blank=True)
    whatsapp_opt_in = models.BooleanField(_("kirim juga lewat WhatsApp"), default=False)
    digest = models.BooleanField(_("ringkasan harian saja (bukan setiap kejadian)"), default=False)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"preference {self.user_id}"


class StaffNotice(models.Model):
    """One thing an officer should know about (the bell in the header counts the unseen ones)."""

    class Kind(models.TextChoices):
        NEW = "new", _("Permohonan baru pada tahap Anda")
        ASSIGNED = "assigned", _("Ditugaskan kepada Anda")
        DISPOSED = "disposed", _("Disposisi untuk Anda")
        RETURNED = "returned", _("Dikembalikan untuk diperbaiki")
        ESCALATED = "escalated", _("Eskalasi kepada Anda")
        STEP = "step", _("Tahap berikutnya menunggu Anda")
        APPLICANT = "applicant", _("Pemohon mengirim pesan / kelengkapan")
        SLA = "sla", _("Peringatan tenggat")
        CALL = "call", _("Hubungi pemohon lewat telepon")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    request = models.ForeignKey("requests.Request", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "requests.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="unique_notice_per_event")]
        indexes = [models.Index(fields=["user", "seen_at"], name="notice_unseen")]

    def __str__(self):
        return f"{self.kind} → {self.user_id}"


class NoticedEvent(models.Model):
    """Marks a timeline event whose staff notices were written (so a sweep can catch up on
    events whose after-commit task was lost, and never twice)."""

    event = models.OneToOneField("requests.Event", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"noticed {self.event_id}"
