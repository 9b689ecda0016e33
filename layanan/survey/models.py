"""The satisfaction survey (SKM): answers, the agency's questionnaire settings, kiosk sessions,
the follow-up plans and the generated reports.

Anonymous by design: a response keeps the request it answers only so that a request gets one
survey (the unique `request` column); no staff screen, export or admin page shows that link,
and the response holds no name, NIK or contact.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .ikm import CODES
from .periods import KIND_CHOICES, SEMESTER
from .questionnaire import AgeBand, Education, Occupation, Sex


class Channel(models.TextChoices):
    WEB = "web", _("Tautan survei (setelah layanan selesai)")
    KIOSK = "kiosk", _("Kios di loket")
    PAPER = "paper", _("Kuesioner kertas")


def default_order():
    return list(CODES)


class SurveyConfig(models.Model):
    """An agency's questionnaire: the order of the elements and its survey period."""

    agency = models.OneToOneField("agencies.Agency", on_delete=models.CASCADE, related_name="survey_config")
    element_order = models.JSONField(_("urutan unsur"), default=default_order)
    period_kind = models.CharField(_("periode survei"), max_length=10, choices=KIND_CHOICES, default=SEMESTER)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("pengaturan survei")
        verbose_name_plural = _("pengaturan survei")

    def __str__(self):
        return str(self.agency)


class KioskSession(models.Model):
    """A tablet at the counter taking answers for one service, opened by the front desk.

    The kiosk's address carries a signed token naming this row; it works without a login until
    `expires_at` or until staff end it."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("standards.Service", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("nama perangkat"), max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("sesi kios survei")
        verbose_name_plural = _("sesi kios survei")

    def __str__(self):
        return f"{self.service} {self.started_at:%Y-%m-%d %H:%M}"


def _score_field(code):
    return models.PositiveSmallIntegerField(code, null=True, blank=True)


class SurveyResponse(models.Model):
    """One respondent's answers. u1..u9 are the scores 1–4 (NULL: left blank on a paper form)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    # Denormalised for the overseers' aggregates (region × year without a join).
    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("standards.Service", on_delete=models.PROTECT, related_name="+")
    # The service's unit when the answer was given (units and services move; results do not).
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Only to allow one survey per request: never shown to staff (module docstring).
    request = models.OneToOneField(
        "requests.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_response"
    )
    channel = models.CharField(_("cara pengisian"), max_length=10, choices=Channel.choices)
    answered_at = models.DateTimeField(_("waktu pengisian"))
    answered_on = models.DateField(_("tanggal pengisian"))  # in the agency's time zone
    u1 = _score_field("U1")
    u2 = _score_field("U2")
    u3 = _score_field("U3")
    u4 = _score_field("U4")
    u5 = _score_field("U5")
    u6 = _score_field("U6")
    u7 = _score_field("U7")
    u8 = _score_field("U8")
    u9 = _score_field("U9")
    sex = models.PositiveSmallIntegerField(_("jenis kelamin"), choices=Sex.choices, null=True, blank=True)
    age_band = models.PositiveSmallIntegerField(_("umur"), choices=AgeBand.choices, null=True, blank=True)
    education = models.PositiveSmallIntegerField(
        _("pendidikan"), choices=Education.choices, null=True, blank=True
    )
    occupation = models.PositiveSmallIntegerField(
        _("pekerjaan"), choices=Occupation.choices, null=True, blank=True
    )
    suggestion = models.TextField(_("saran"), blank=True)
    # One submission of a form display: a double click or a resend stores one response.
    form_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    kiosk = models.ForeignKey(
        KioskSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    # The officer who typed a paper form in (not the respondent).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("jawaban survei")
        verbose_name_plural = _("jawaban survei")
        constraints = [
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{code.lower()}__isnull": True})
                    | Q(**{f"{code.lower()}__gte": 1, f"{code.lower()}__lte": 4}),
                    name=f"survey_{code.lower()}_1_4",
                )
                for code in CODES
            ],
        ]
        indexes = [
            # The aggregates read the nine scores straight from these (index-only on PostgreSQL).
            models.Index(fields=["agency", "answered_on"], name="survey_agency_day"),
            models.Index(fields=["service", "answered_on"], name="survey_service_day"),
            models.Index(fields=["unit", "answered_on"], name="survey_unit_day"),
            models.Index(fields=["entered_by", "created_at"], name="survey_entered_by"),
        ]

    def __str__(self):
        return f"{self.service_id} {self.answered_on}"

    def scores(self) -> dict:
        return {code: getattr(self, code.lower()) for code in CODES}


class FollowUp(models.Model):
    """The follow-up the regulation asks for: an action on a weak element, its owner, due date
    and status (per unit, or for the whole agency when `unit` is empty)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Direncanakan")
        IN_PROGRESS = "in_progress", _("Sedang dikerjakan")
        DONE = "done", _("Selesai")
        DROPPED = "dropped", _("Dibatalkan")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("periode"), max_length=10)  # periods.Period.slug
    element = models.CharField(_("unsur"), max_length=2, choices=[(c, c) for c in CODES])
    action = models.TextField(_("rencana tindak lanjut"))
    owner = models.CharField(_("penanggung jawab"), max_length=200)
    due_date = models.DateField(_("batas waktu"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    result = models.TextField(_("hasil / keterangan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("tindak lanjut survei")
        verbose_name_plural = _("tindak lanjut survei")

    def __str__(self):
        return f"{self.period} {self.element}: {self.action[:40]}"


def report_path(instance, filename):
    return f"survey/reports/{instance.agency_id}/{filename}"


class SurveyReport(models.Model):
    """A generated survey report file (XLSX or PDF), on demand or by the schedule: the history."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("periode"), max_length=10)  # periods.Period.slug
    format = models.CharField(max_length=4, choices=Format.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=report_path, max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    scheduled = models.BooleanField(_("terjadwal"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("laporan survei")
        verbose_name_plural = _("laporan survei")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period", "format"],
                condition=Q(scheduled=True),
                name="survey_one_scheduled_report",
            ),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.period}.{self.format}"


def _sum_field():
    return models.PositiveIntegerField(default=0)


class DailyTotal(models.Model):
    """The answers of one service on one day, summed: what every IKM is computed from.

    Kept in the same transaction as each answer (rollups.add_answer); `manage.py survey_rollup`
    rebuilds it from the answers. s1..s9 are the sums of the scores, c1..c9 the numbers of
    answers per element (a paper form may leave one blank), `respondents` the forms."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("standards.Service", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField()
    respondents = models.PositiveIntegerField(default=0)
    s1, s2, s3, s4, s5, s6, s7, s8, s9 = (_sum_field() for _i in range(9))
    c1, c2, c3, c4, c5, c6, c7, c8, c9 = (_sum_field() for _i in range(9))

    class Meta:
        verbose_name = _("rekap harian survei")
        verbose_name_plural = _("rekap harian survei")
        constraints = [models.UniqueConstraint(fields=["service", "unit", "day"], name="survey_daily_key")]
        indexes = [
            models.Index(fields=["region", "day"], name="survey_daily_region"),
            models.Index(fields=["agency", "day"], name="survey_daily_agency"),
            models.Index(fields=["unit", "day"], name="survey_daily_unit"),
        ]

    def __str__(self):
        return f"{self.service_id} {self.day}: {self.respondents}"


class DeliveredRequest(models.Model):
    """A request delivered (resolved or closed) and the local day it was delivered: the population
    of the survey's minimum sample. Kept from Request's post_save (rollups.request_saved) and
    re-synchronised nightly and by `manage.py survey_rollup`."""

    request = models.OneToOneField(
        "requests.Request", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("agencies.Region", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("standards.Service", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField()

    class Meta:
        verbose_name = _("permohonan selesai (populasi survei)")
        verbose_name_plural = _("permohonan selesai (populasi survei)")
        indexes = [
            models.Index(fields=["region", "day"], name="survey_delivered_region"),
            models.Index(fields=["agency", "day"], name="survey_delivered_agency"),
            models.Index(fields=["service", "day"], name="survey_delivered_service"),
            models.Index(fields=["unit", "day"], name="survey_delivered_unit"),
        ]

    def __str__(self):
        return f"{self.request_id} {self.day}"
