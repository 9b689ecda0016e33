from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from layanan import sla

# Indonesia's three time zones (WIB, WITA, WIT).
TIMEZONES = [
    ("Asia/Jakarta", "WIB (UTC+7)"),
    ("Asia/Makassar", "WITA (UTC+8)"),
    ("Asia/Jayapura", "WIT (UTC+9)"),
]
TIMEZONE_ABBR = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

# Perpres 21/2023 hours (Mon–Fri from 07:30) when an agency sets none: defined once, in
# the pure calendar package that computes with them.
DEFAULT_OFFICE_HOURS = sla.DEFAULT_OFFICE_HOURS

# Personal data of finished requests is kept this long unless the agency sets its own period
# (docs/decisions.md "Personal data has a lifetime"); never less than a month.
DEFAULT_RETENTION_DAYS = 5 * 365
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 100 * 365


class Region(models.Model):
    """A kabupaten or kota (or a province) whose agencies publish here."""

    name = models.CharField(_("nama"), max_length=200)
    slug = models.SlugField(unique=True)
    # Below this completeness score (0–100) enacting or publishing a standard asks for a confirmation;
    # the region's overseer sets it on the league table.
    min_completeness = models.PositiveSmallIntegerField(
        _("ambang kelengkapan standar"), default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        ordering = ["name"]
        verbose_name = _("daerah")
        verbose_name_plural = _("daerah")

    def __str__(self):
        return self.name


class Agency(models.Model):
    """An instansi / perangkat daerah: the tenant of everything staff see."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("nama"), max_length=255)
    code = models.SlugField(
        _("kode"), max_length=40, unique=True, help_text=_("Kode singkat, mis. DINSOS-SEKADAU")
    )
    timezone = models.CharField(_("zona waktu"), max_length=40, choices=TIMEZONES, default="Asia/Jakarta")
    office_hours = models.JSONField(_("jam layanan"), default=dict, blank=True)
    address = models.TextField(_("alamat"), blank=True)
    # Contact channels as typed records: [{"kind": "phone", "value": "+62…", "label": "…"}]
    channels = models.JSONField(_("kanal kontak"), default=list, blank=True)
    website = models.URLField(_("situs web"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    maklumat = models.TextField(
        _("maklumat pelayanan"),
        blank=True,
        help_text=_("Janji tertulis instansi untuk memberikan layanan sesuai standar."),
    )
    # How long the applicant's personal data is kept after a request is finished (UU 27/2022):
    # then it is anonymised (layanan/privacy). Blank per-kind periods use the general one.
    retention_days = models.PositiveIntegerField(
        _("masa simpan data pribadi (hari)"), default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(MIN_RETENTION_DAYS), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_("Berapa hari data pribadi pemohon disimpan setelah permohonan selesai, ditolak atau "
                    "dicabut. Sesudah itu nama, NIK, kontak dan berkas pemohon dihapus; statistik tetap. "
                    "Sesuaikan dengan jadwal retensi arsip instansi."),
    )
    retention_days_complaint = models.PositiveIntegerField(
        _("masa simpan untuk pengaduan (hari)"), null=True, blank=True,
        validators=[MinValueValidator(MIN_RETENTION_DAYS), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_("Kosongkan untuk memakai masa simpan umum."),
    )
    retention_days_information = models.PositiveIntegerField(
        _("masa simpan untuk permintaan informasi dan data (hari)"), null=True, blank=True,
        validators=[MinValueValidator(MIN_RETENTION_DAYS), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_("Kosongkan untuk memakai masa simpan umum."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self):
        return self.name

    @property
    def timezone_abbr(self):
        return TIMEZONE_ABBR.get(self.timezone, self.timezone)

    def retention_days_for(self, kind: str) -> int:
        """Days personal data of a finished request of `kind` (a ServiceKind value) is kept."""
        if kind == "complaint" and self.retention_days_complaint:
            return self.retention_days_complaint
        if kind in {"information", "data_request"} and self.retention_days_information:
            return self.retention_days_information
        return self.retention_days


class Unit(models.Model):
    """A bidang, sub bagian, seksi… inside an agency (a tree)."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Pimpinan")
        SECRETARIAT = "secretariat", _("Sekretariat")
        DIVISION = "division", _("Bidang / Bagian")
        SUBDIVISION = "subdivision", _("Sub Bagian / Sub Bidang")
        SECTION = "section", _("Seksi")
        SERVICE_UNIT = "service_unit", _("Unit layanan / UPT")
        TEAM = "team", _("Tim")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("nama"), max_length=255)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.DIVISION)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("unit")

    def __str__(self):
        return self.name


class Holiday(models.Model):
    """A day the agency is closed: national holiday, cuti bersama or local.

    Seeded from the `holidays` package and kept in the database so that an
    admin can add or move days when the government changes them mid-year.
    """

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Hari libur nasional")
        COLLECTIVE_LEAVE = "collective_leave", _("Cuti bersama")
        LOCAL = "local", _("Libur daerah / instansi")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("tanggal"))
    name = models.CharField(_("keterangan"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.LOCAL)
    # Whether the front desk closes on this day (cuti bersama is the agency's choice).
    closed = models.BooleanField(_("layanan tutup"), default=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")
        constraints = [
            models.UniqueConstraint(fields=["agency", "date"], name="unique_agency_holiday")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"
