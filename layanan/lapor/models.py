"""SP4N-LAPOR! (the national complaint system) reports handled by an agency on Layanan.

Each LAPOR! report an agency receives is one Request (channel "lapor"), created through
requests.lifecycle like any other; this app keeps what only LAPOR! has: the Tracking ID
(unique per agency: a re-import updates, never duplicates), the topic and type, the
anonim / rahasia flags as LAPOR! gave them, LAPOR!'s own clock (the follow-up is due 5
working days after the report reached the agency, on the agency's calendar), the follow-up
text written once for LAPOR! and its "copied" mark, and LAPOR!'s status.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from layanan.core.crypto import EncryptedTextField

FOLLOWUP_WORKING_DAYS = 5


class LaporStatus(models.TextChoices):
    DITERUSKAN = "diteruskan", _("Diteruskan ke instansi")
    DITINDAKLANJUTI = "ditindaklanjuti", _("Ditindaklanjuti")
    SELESAI = "selesai", _("Selesai")


class LaporType(models.TextChoices):
    PENGADUAN = "pengaduan", _("Pengaduan")
    ASPIRASI = "aspirasi", _("Aspirasi")
    INFORMASI = "permintaan_informasi", _("Permintaan informasi")


class Source(models.TextChoices):
    DESK = "desk", _("Dicatat di meja layanan")
    IMPORT = "import", _("Impor berkas")
    PULL = "pull", _("Diambil dari LAPOR!")


class LaporReport(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="lapor_reports")
    request = models.OneToOneField("requests.Request", on_delete=models.CASCADE, related_name="lapor")
    tracking_id = models.CharField(_("Tracking ID LAPOR!"), max_length=40)
    topic = models.CharField(_("topik"), max_length=300, blank=True)
    report_type = models.CharField(
        _("jenis laporan"), max_length=30, choices=LaporType.choices, default=LaporType.PENGADUAN
    )
    anonymous = models.BooleanField(_("anonim"), default=False)
    confidential = models.BooleanField(_("rahasia"), default=False)
    status = models.CharField(
        _("status LAPOR!"), max_length=20, choices=LaporStatus.choices, default=LaporStatus.DITERUSKAN
    )
    reported_at = models.DateTimeField(_("dilaporkan di LAPOR!"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("diteruskan ke instansi"))
    followup_due_at = models.DateTimeField(_("batas tindak lanjut LAPOR!"), null=True, blank=True)
    followup_text = models.TextField(_("tindak lanjut untuk LAPOR!"), blank=True)
    followup_written_at = models.DateTimeField(null=True, blank=True)
    followup_written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followup_copied_at = models.DateTimeField(null=True, blank=True)
    followup_copied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followup_pushed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DESK)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("laporan SP4N-LAPOR!")
        verbose_name_plural = _("laporan SP4N-LAPOR!")
        constraints = [
            models.UniqueConstraint(fields=["agency", "tracking_id"], name="lapor_unique_tracking_id")
        ]
        indexes = [
            models.Index(fields=["agency", "status", "followup_due_at"], name="lapor_agency_status_due")
        ]

    def __str__(self):
        return self.tracking_id


class LaporSettings(models.Model):
    """The agency's LAPOR! integration (LaporClient); switched off until the admin turns it on."""

    agency = models.OneToOneField("agencies.Agency", on_delete=models.CASCADE, related_name="lapor_settings")
    enabled = models.BooleanField(_("aktif"), default=False)
    base_url = models.URLField(_("alamat API LAPOR!"), blank=True)
    token = EncryptedTextField(_("token API"), blank=True)
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    # The service a report becomes a request of (a complaint service of the agency).
    service = models.ForeignKey(
        "standards.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("layanan untuk laporan LAPOR!"),
    )
    last_pulled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"LAPOR! {self.agency_id} ({'on' if self.enabled else 'off'})"
