"""What the reports keep: the facts they count, stored scores, settings and the reports themselves.

* `Resolution` — one finished request (resolved, or rejected with a reason): when, against
  which due time, whether the promise was kept (requests.clock.sla_status at that moment)
  and how much working time it took. Written once in the lifecycle's transaction by a
  receiver (facts.py) and never changed afterwards, so a past period always counts the same.
* `MonthlyStat` — the figures of one complete month of an agency (and of each service), made
  from immutable facts once and then read by the open data page and the compliance table.
* `StandardScore` — the completeness score of a published standard, stored on publish.
* `RegionSetting` — the region's compliance zone thresholds (the overseer edits them).
* `EvaluationReport` — a generated evaluation report (figures, recommendations, XLSX and PDF).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resolution(models.Model):
    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Selesai")
        REJECTED = "rejected", _("Ditolak")

    request = models.ForeignKey("requests.Request", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("standards.Service", on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey("standards.ServiceStandard", on_delete=models.CASCADE, related_name="+")
    # The unit that answers for the request in reports: the service's unit, else the request's.
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created_at = models.DateTimeField()  # the request's arrival
    started_at = models.DateTimeField()  # the clock's start (arrival when it never started)
    finished_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)  # None: the standard promises no time
    breached = models.BooleanField(default=False)
    office_minutes = models.PositiveIntegerField(default=0)  # pauses (waiting on the applicant) excluded
    working_days = models.FloatField(default=0)
    late_days = models.FloatField(default=0)  # working days past the due time (0 when on time)

    class Meta:
        verbose_name = _("penyelesaian permohonan")
        verbose_name_plural = _("penyelesaian permohonan")
        constraints = [models.UniqueConstraint(fields=["request", "finished_at"], name="unique_resolution")]
        indexes = [
            # On PostgreSQL migration 0005 makes it covering (INCLUDE the columns the dashboards read),
            # so a period's finishes come from the index alone; SQLite has no INCLUDE.
            models.Index(fields=["agency", "finished_at"], name="resolution_agency_finished"),
        ]

    def __str__(self):
        return f"{self.request_id} @ {self.finished_at:%Y-%m-%d %H:%M}"

    @property
    def has_promise(self) -> bool:
        return self.due_at is not None


class Withdrawal(models.Model):
    """A request withdrawn by its applicant (or closed at the applicant's request): recorded once, in the
    lifecycle's transaction, like a Resolution (a withdrawn request is final)."""

    request = models.OneToOneField("requests.Request", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("standards.Service", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField()

    class Meta:
        verbose_name = _("pencabutan permohonan")
        verbose_name_plural = _("pencabutan permohonan")
        indexes = [models.Index(fields=["agency", "withdrawn_at"], name="withdrawal_agency_at")]

    def __str__(self):
        return f"{self.request_id} @ {self.withdrawn_at:%Y-%m-%d %H:%M}"


class MonthlyStat(models.Model):
    """A complete month of an agency (service = None) or of one of its services."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day, in the agency's own calendar
    service = models.ForeignKey(
        "standards.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    received = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    with_promise = models.PositiveIntegerField(default=0)
    met = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    median_days = models.FloatField(null=True, blank=True)
    p90_days = models.FloatField(null=True, blank=True)
    complaints_received = models.PositiveIntegerField(default=0)
    complaints_finished = models.PositiveIntegerField(default=0)
    complaints_met = models.PositiveIntegerField(default=0)
    complaints_with_promise = models.PositiveIntegerField(default=0)
    channels = models.JSONField(default=dict, blank=True)  # {channel: requests received}
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("statistik bulanan")
        verbose_name_plural = _("statistik bulanan")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "service"],
                name="unique_monthly_stat",
                condition=models.Q(service__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["agency", "month"],
                name="unique_monthly_total",
                condition=models.Q(service__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.month:%Y-%m} {self.service_id or '*'}"


class StandardScore(models.Model):
    standard = models.OneToOneField(
        "standards.ServiceStandard", on_delete=models.CASCADE, related_name="stored_score"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    missing = models.JSONField(default=list, blank=True)
    vague = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("skor kelengkapan")
        verbose_name_plural = _("skor kelengkapan")

    def __str__(self):
        return f"{self.standard_id}: {self.score}"


# Ombudsman zones (2021): green 81.00–100, yellow 51.00–80.99, red 0–50.99 (REGULATIONS.md).
DEFAULT_GREEN_MIN = Decimal("81.00")
DEFAULT_YELLOW_MIN = Decimal("51.00")


class RegionSetting(models.Model):
    region = models.OneToOneField("agencies.Region", on_delete=models.CASCADE, related_name="report_setting")
    green_min = models.DecimalField(
        _("batas bawah zona hijau"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_GREEN_MIN,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    yellow_min = models.DecimalField(
        _("batas bawah zona kuning"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_YELLOW_MIN,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("pengaturan kepatuhan daerah")
        verbose_name_plural = _("pengaturan kepatuhan daerah")

    def __str__(self):
        return f"{self.region}: {self.green_min}/{self.yellow_min}"


def report_path(instance, filename):
    return f"reports/{instance.agency_id}/{filename}"


class EvaluationReport(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Bulanan")
        QUARTERLY = "quarterly", _("Triwulanan")
        YEARLY = "yearly", _("Tahunan")
        AFTER_CASE = "after_case", _("Setelah kasus selesai")
        ON_DEMAND = "on_demand", _("Sewaktu-waktu")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        FINAL = "final", _("Disahkan")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("jenis laporan"), max_length=20, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()  # exclusive
    request = models.ForeignKey(
        "requests.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    services = models.JSONField(default=list, blank=True)  # service ids covered; [] = all
    channel = models.CharField(max_length=20, blank=True)  # an on-demand report of one channel
    key = models.CharField(max_length=200, unique=True)
    figures = models.JSONField(default=dict, blank=True)
    recommendations = models.TextField(_("rekomendasi"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    xlsx = models.FileField(upload_to=report_path, max_length=300, blank=True)
    pdf = models.FileField(upload_to=report_path, max_length=300, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("laporan evaluasi")
        verbose_name_plural = _("laporan evaluasi")
        indexes = [models.Index(fields=["agency", "kind", "period_start"], name="report_agency_period")]

    def __str__(self):
        return self.key

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL
