"""Services and their versioned standards (Permenpan RB 15/2014).

Every component is data the software uses, not only text: requirements feed
the counter checklist, steps drive the requests, the duration spec drives the
clock. The original wording of each component is kept in `texts` so that the
public page can show the standard the way the agency wrote it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from layanan.accounts.roles import Role

# Component keys of the standard interchange JSON (DESIGN §2), in the order
# the documents use: service delivery first, then manufacturing.
DELIVERY_COMPONENTS = [
    ("persyaratan", _("Persyaratan")),
    ("prosedur", _("Sistem, mekanisme dan prosedur")),
    ("jangka_waktu", _("Jangka waktu penyelesaian")),
    ("biaya", _("Biaya / tarif")),
    ("produk", _("Produk pelayanan")),
    ("pengaduan", _("Penanganan pengaduan, saran dan masukan")),
]
MANUFACTURING_COMPONENTS = [
    ("dasar_hukum", _("Dasar hukum")),
    ("sarana_prasarana", _("Sarana, prasarana dan/atau fasilitas")),
    ("kompetensi_pelaksana", _("Kompetensi pelaksana")),
    ("pengawasan_internal", _("Pengawasan internal")),
    ("jumlah_pelaksana", _("Jumlah pelaksana")),
    ("jaminan_pelayanan", _("Jaminan pelayanan")),
    ("jaminan_keamanan", _("Jaminan keamanan dan keselamatan pelayanan")),
    ("evaluasi_kinerja", _("Evaluasi kinerja pelaksana")),
]
COMPONENT_KEYS = [key for key, _label in DELIVERY_COMPONENTS + MANUFACTURING_COMPONENTS]


class ServiceKind(models.TextChoices):
    CONSULTATION = "consultation", _("Konsultasi")
    DATA_REQUEST = "data_request", _("Permintaan data")
    INFORMATION = "information", _("Permintaan informasi")
    COMPLAINT = "complaint", _("Pengaduan")
    OTHER = "other", _("Layanan lainnya")


class DurationUnit(models.TextChoices):
    MINUTE = "minute", _("menit (jam kerja)")
    HOUR = "hour", _("jam (jam kerja)")
    WORKING_DAY = "working_day", _("hari kerja")
    DAY = "day", _("hari kalender")
    WEEK = "week", _("minggu")
    MONTH = "month", _("bulan")
    YEAR = "year", _("tahun")
    NONE = "none", _("layanan berkelanjutan")


class ChannelKind(models.TextChoices):
    COUNTER = "counter", _("Datang langsung")
    LETTER = "letter", _("Surat")
    SUGGESTION_BOX = "suggestion_box", _("Kotak saran")
    PHONE = "phone", _("Telepon")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    WEBSITE = "website", _("Situs web")
    LAPOR = "lapor", _("SP4N-LAPOR!")
    APP = "app", _("Aplikasi")
    SOCIAL_MEDIA = "social_media", _("Media sosial")
    RADIO = "radio", _("Radio")
    TEAM = "team", _("Tim / petugas khusus")
    OTHER = "other", _("Lainnya")


class EvaluationPeriod(models.TextChoices):
    MONTHLY = "monthly", _("bulanan")
    QUARTERLY = "quarterly", _("triwulanan")
    YEARLY = "yearly", _("tahunan")
    AFTER_CASE = "after_case", _("setiap kasus selesai")
    ON_DEMAND = "on_demand", _("sewaktu-waktu")


class Service(models.Model):
    """A jenis layanan of an agency; its rules live in versioned standards."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="services")
    code = models.SlugField(_("kode"), max_length=80)
    name = models.CharField(_("nama layanan"), max_length=255)
    kind = models.CharField(_("jenis"), max_length=20, choices=ServiceKind.choices)
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    position = models.PositiveIntegerField(_("urutan"), default=0)
    # Denormalised pointer to the version the public sees; kept by services.publish().
    published_standard = models.OneToOneField(
        "ServiceStandard", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agency", "position", "name"]
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unique_service_code")
        ]

    def __str__(self):
        return self.name


class ServiceStandard(models.Model):
    """One version of a service's standard and its life: draft → published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        DISCUSSED = "discussed", _("Sudah dibahas")
        ENACTED = "enacted", _("Ditetapkan")
        PUBLISHED = "published", _("Dipublikasikan")
        SUPERSEDED = "superseded", _("Digantikan")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="standards")
    version = models.PositiveIntegerField(_("versi"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    source_url = models.URLField(_("sumber"), blank=True, max_length=500)

    # Original wording of each component, keyed by COMPONENT_KEYS.
    texts = models.JSONField(_("teks komponen"), default=dict, blank=True)

    # Jangka waktu: the parsed duration spec (see standards/duration.py).
    duration_text = models.CharField(_("jangka waktu (teks)"), max_length=500, blank=True)
    duration_min = models.PositiveIntegerField(null=True, blank=True)
    duration_max = models.PositiveIntegerField(null=True, blank=True)
    duration_unit = models.CharField(max_length=20, choices=DurationUnit.choices, blank=True)
    clock_starts_at = models.CharField(
        _("waktu mulai dihitung"), max_length=300, default="submitted", blank=True
    )

    # Biaya / tarif: 0 means free.
    cost_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    cost_legal_basis = models.CharField(_("dasar tarif"), max_length=300, blank=True)

    product = models.TextField(_("produk pelayanan"), blank=True)
    # [{"kind": ChannelKind, "value": "...", "label": "..."}]
    channels = models.JSONField(_("kanal pengaduan"), default=list, blank=True)
    # [{"type": "UU", "number": "25", "year": 2009, "title": "...", "text": "..."}]
    legal_basis = models.JSONField(_("dasar hukum"), default=list, blank=True)
    facilities = models.JSONField(_("sarana dan prasarana"), default=list, blank=True)
    accessible = models.BooleanField(
        _("fasilitas untuk penyandang disabilitas / kelompok rentan"), default=False
    )
    competencies = models.JSONField(_("kompetensi pelaksana"), default=list, blank=True)
    supervision = models.JSONField(_("pengawasan internal"), default=list, blank=True)
    staff_count = models.PositiveIntegerField(_("jumlah pelaksana"), null=True, blank=True)
    guarantee = models.TextField(_("jaminan pelayanan"), blank=True)
    compensation_on_breach = models.TextField(
        _("kompensasi bila standar tidak dipenuhi"), blank=True
    )
    security_guarantee = models.TextField(_("jaminan keamanan dan keselamatan"), blank=True)
    # Who may close a request as withdrawn at the applicant's request (roles); empty = the
    # agency head and the unit head holding the request (requests.access.may_withdraw).
    withdraw_roles = models.JSONField(_("yang boleh menutup permohonan atas permintaan pemohon"),
                                      default=list, blank=True)
    evaluation_periods = models.JSONField(_("jadwal evaluasi"), default=list, blank=True)
    # Things a human should check (from the importer or the demo loader).
    warnings = models.JSONField(_("catatan pemeriksaan"), default=list, blank=True)
    # The kinds of request this standard takes (ServiceKind values). Empty: only the service's
    # kind. Seed 001 "Pelayanan data dan pengaduan" takes data requests and complaints: the
    # citizen chooses, and the form, the requirements and the receipt follow the choice.
    kinds = models.JSONField(_("jenis permohonan yang dilayani"), default=list, blank=True)
    # The overseer sent the standard back to the agency with a note (services.return_for_revision).
    review_note = models.TextField(_("catatan pengembalian untuk perbaikan"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    # Lifecycle records.
    discussed_on = models.DateField(_("tanggal pembahasan"), null=True, blank=True)
    discussion_notes = models.TextField(_("catatan pembahasan"), blank=True)
    discussion_minutes = models.FileField(
        _("berita acara pembahasan"), upload_to="minutes/%Y/", blank=True
    )
    decree_number = models.CharField(_("nomor keputusan"), max_length=200, blank=True)
    decree_date = models.DateField(_("tanggal keputusan"), null=True, blank=True)
    enacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service", "-version"]
        verbose_name = _("standar pelayanan")
        verbose_name_plural = _("standar pelayanan")
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="unique_standard_version")
        ]

    def __str__(self):
        return f"{self.service} v{self.version}"

    @property
    def agency(self):
        return self.service.agency

    @property
    def is_editable(self):
        return self.status in {self.Status.DRAFT, self.Status.DISCUSSED}

    @property
    def is_free(self):
        return self.cost_amount is not None and self.cost_amount == 0

    @property
    def accepted_kinds(self) -> list[str]:
        """The kinds of request this standard takes, the service's own first."""
        own = self.service.kind
        others = [k for k in (self.kinds or []) if k != own and k in ServiceKind.values]
        return [own, *others]


class Requirement(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Dokumen")
        IDENTITY = "identity", _("Identitas")
        FORM = "form", _("Formulir")
        OTHER = "other", _("Lainnya")

    class ProvidedBy(models.TextChoices):
        # Only what the applicant brings becomes an upload on the web form and a line of the
        # receipt's checklist; what the office provides (ATK, a computer, the internet line) never.
        APPLICANT = "applicant", _("Pemohon (diunggah / diserahkan)")
        SHOWN = "shown", _("Pemohon, ditunjukkan di loket (tidak diunggah)")
        OFFICE = "office", _("Disediakan kantor")

    standard = models.ForeignKey(ServiceStandard, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveIntegerField(_("urutan"))
    label = models.CharField(_("persyaratan"), max_length=500)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    mandatory = models.BooleanField(_("wajib"), default=True)
    group = models.CharField(
        _("kelompok"), max_length=200, blank=True, help_text=_("mis. Persyaratan Teknis")
    )
    provided_by = models.CharField(_("disediakan oleh"), max_length=20, choices=ProvidedBy.choices,
                                   default=ProvidedBy.APPLICANT)
    # The kinds of request it is asked for (ServiceKind values); empty: every kind the standard takes.
    kinds = models.JSONField(_("untuk jenis permohonan"), default=list, blank=True)

    class Meta:
        ordering = ["standard", "position"]
        verbose_name = _("persyaratan")
        verbose_name_plural = _("persyaratan")

    def __str__(self):
        return self.label

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or not kind or kind in self.kinds

    @property
    def from_applicant(self) -> bool:
        return self.provided_by != self.ProvidedBy.OFFICE


class StepAction(models.TextChoices):
    SUBMIT = "submit", _("Mengajukan")
    REGISTER = "register", _("Mencatat / registrasi")
    VERIFY = "verify", _("Memeriksa persyaratan")
    DISPOSE = "dispose", _("Disposisi")
    PROCESS = "process", _("Memproses")
    CONSULT = "consult", _("Konsultasi")
    INITIAL = "initial", _("Paraf")
    APPROVE = "approve", _("Mengesahkan / menandatangani")
    DELIVER = "deliver", _("Menyerahkan hasil")
    ANSWER = "answer", _("Menjawab")


# Who acts in a step: agency roles, plus the applicant and parties outside the
# agency (the Sekda or Bupati in seed 002) whose steps the agency only awaits.
APPLICANT = "applicant"
EXTERNAL = "external"
STEP_ROLES = [(APPLICANT, _("Pemohon")), (EXTERNAL, _("Pihak luar"))] + list(Role.choices)


class Step(models.Model):
    """One step of a standard's procedure.

    Transitions are step positions within the same standard: `on_done` empty
    means "the next step in order" (and the end after the last step);
    `on_cannot_resolve` names the escalation step; `on_incomplete` sends the
    request back to the applicant (clock paused); `can_reject` lets the actor
    close it with a reason. `track` separates parallel intake paths of one
    procedure (seed 000: at the counter / over WhatsApp), `stage` the
    A./B./C. stages of seed 002.
    """

    class Incomplete(models.TextChoices):
        NONE = "", _("—")
        RETURN_TO_APPLICANT = "return_to_applicant", _("Kembali ke pemohon")

    standard = models.ForeignKey(ServiceStandard, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("urutan"))
    text = models.TextField(_("uraian langkah"))
    actor = models.CharField(_("pelaksana"), max_length=200, help_text=_("mis. Kepala Seksi"))
    role = models.CharField(_("peran"), max_length=20, choices=STEP_ROLES)
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("tindakan"), max_length=20, choices=StepAction.choices)
    stage = models.CharField(_("tahap"), max_length=200, blank=True)
    track = models.CharField(_("jalur"), max_length=200, blank=True)
    on_done = models.PositiveIntegerField(_("selesai → langkah"), null=True, blank=True)
    on_cannot_resolve = models.PositiveIntegerField(
        _("tidak dapat diselesaikan → langkah"), null=True, blank=True
    )
    on_incomplete = models.CharField(
        _("tidak lengkap"), max_length=30, choices=Incomplete.choices, blank=True, default=""
    )
    can_reject = models.BooleanField(_("dapat menolak"), default=False)
    starts_clock = models.BooleanField(_("waktu mulai dihitung di langkah ini"), default=False)

    class Meta:
        ordering = ["standard", "position"]
        verbose_name = _("langkah prosedur")
        verbose_name_plural = _("langkah prosedur")
        constraints = [
            models.UniqueConstraint(fields=["standard", "position"], name="unique_step_position")
        ]

    def __str__(self):
        return f"{self.position}. {self.text[:60]}"

    @property
    def is_applicant(self):
        return self.role == APPLICANT

