"""The region overseer's compliance table: each agency scored the way an Ombudsman check looks.

Parts (each 0–100; a part that cannot be measured is left out of the mean and shown "—"):

* **completeness** — the mean stored completeness score of its published standards;
* **published** — services with a published standard / services;
* **evaluated on time** — evaluations due in the last 12 complete months (per each standard's
  schedule: monthly, quarterly, yearly — every standard at least yearly — and after each
  case) whose report the head finalised within EVALUATION_GRACE_DAYS after the period ended;
* **SLA met** and **complaints answered within the standard** — the last 12 complete months;
* **IKM** — the survey's converted IKM of the same months, when a survey exists;
* **maklumat**, **complaint channel** (100 or 0) and **facilities for people with
  disabilities** (the share of published standards that provide them).

The score is the mean of the parts; the zone (green / yellow / red) uses the region's
thresholds (RegionSetting, Ombudsman 2021 defaults 81 / 51).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Avg, Count, Min, Q

from layanan.standards.models import EvaluationPeriod, Service, ServiceStandard

from . import ikm, metrics, periods, rollup
from .models import (
    DEFAULT_GREEN_MIN,
    DEFAULT_YELLOW_MIN,
    EvaluationReport,
    RegionSetting,
    Resolution,
    StandardScore,
)

EVALUATION_GRACE_DAYS = 30
Status = ServiceStandard.Status


def setting_for(region) -> RegionSetting:
    found = RegionSetting.objects.filter(region=region).first()
    return found or RegionSetting(region=region, green_min=DEFAULT_GREEN_MIN, yellow_min=DEFAULT_YELLOW_MIN)


@dataclass
class Row:
    agency: object
    services: int = 0
    published: int = 0
    with_decree: int = 0
    pending: int = 0
    completeness: float | None = None
    evaluations_due: int = 0
    evaluations_done: int = 0
    sla_with_promise: int = 0
    sla_met: int = 0
    complaints_with_promise: int = 0
    complaints_met: int = 0
    ikm: object = None
    maklumat: bool = False
    complaint_channel: bool = False
    accessible: float | None = None
    parts: dict = field(default_factory=dict)
    score: float | None = None
    zone: str | None = None

    @property
    def published_pct(self):
        return metrics.share(self.published, self.services)

    @property
    def evaluated_pct(self):
        return metrics.share(self.evaluations_done, self.evaluations_due)

    @property
    def sla_pct(self):
        return metrics.share(self.sla_met, self.sla_with_promise)

    @property
    def complaints_pct(self):
        return metrics.share(self.complaints_met, self.complaints_with_promise)

    @property
    def zone_label(self):
        return metrics.ZONE_LABELS.get(self.zone, "—")

    @property
    def score_text(self) -> str:
        return metrics.fmt_num(self.score, 2)

    @property
    def texts(self) -> dict:
        """Each part as the table prints it."""
        p = self.parts
        return {
            "completeness": metrics.fmt_num(p.get("completeness"), 1),
            "evaluated": metrics.fmt_pct(p.get("evaluated")),
            "sla": metrics.fmt_pct(p.get("sla")),
            "complaints": metrics.fmt_pct(p.get("complaints")),
            "ikm": self.ikm.text if self.ikm else "Belum ada survei",
            "maklumat": "ada" if self.maklumat else "tidak ada",
            "channel": "ada" if self.complaint_channel else "tidak ada",
            "accessible": metrics.fmt_pct(p.get("accessible")),
        }


def _periods_ending_in(kind: str, today, window_start, window_end) -> list[periods.Period]:
    """The complete periods of `kind` that ended inside (window_start, window_end]."""
    out, period = [], periods.previous(kind, today)
    while period.end > window_start:
        if period.end <= window_end:
            out.append(period)
        period = periods.previous(kind, period.start)
    return out


def _evaluations(agency, window: list[periods.Period], today) -> tuple[int, int]:
    """(due, done on time) evaluations of the agency's published standards over the window."""
    first_published = dict(
        ServiceStandard.objects.filter(service__agency=agency, published_at__isnull=False)
        .values_list("service_id")
        .annotate(first=Min("published_at"))
        .order_by()
    )
    schedules = dict(
        Service.objects.filter(agency=agency, published_standard__isnull=False).values_list(
            "pk", "published_standard__evaluation_periods"
        )
    )
    finals = defaultdict(list)
    for kind, start, end, services, finalised in EvaluationReport.objects.filter(
        agency=agency,
        status=EvaluationReport.Status.FINAL,
        unit__isnull=True,
        channel="",
        request__isnull=True,
    ).values_list("kind", "period_start", "period_end", "services", "finalised_at"):
        finals[(kind, start, end)].append((set(services or []), finalised))
    tz = agency.timezone
    window_start, window_end = window[0].start, window[-1].end
    grace = timedelta(days=EVALUATION_GRACE_DAYS)
    due = done = 0
    for service_id, schedule in schedules.items():
        published = first_published.get(service_id)
        schedule = set(schedule or [])
        kinds = {EvaluationPeriod.YEARLY} | (
            schedule & {EvaluationPeriod.MONTHLY, EvaluationPeriod.QUARTERLY}
        )
        for kind in sorted(kinds):
            period_kind = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}[kind]
            for period in _periods_ending_in(period_kind, today, window_start, window_end):
                period_end = period.bounds(tz)[1]
                if published is None or period_end <= published:
                    continue  # not due: the standard was not published yet
                due += 1
                done += int(
                    any(
                        (not covered or service_id in covered) and finalised <= period_end + grace
                        for covered, finalised in finals.get((kind, period.start, period.end), [])
                    )
                )
    after = {k for k, s in schedules.items() if EvaluationPeriod.AFTER_CASE in (s or [])}
    if after:
        s_utc, e_utc = periods.Period(window_start, window_end).bounds(tz)
        finished = Resolution.objects.filter(
            agency=agency, service_id__in=after, finished_at__gte=s_utc, finished_at__lt=e_utc
        ).values_list("request_id", "finished_at")
        reports = dict(
            EvaluationReport.objects.filter(
                agency=agency, kind=EvaluationReport.Kind.AFTER_CASE, status=EvaluationReport.Status.FINAL
            ).values_list("request_id", "finalised_at")
        )
        for request_id, finished_at in finished:
            due += 1
            finalised = reports.get(request_id)
            done += int(finalised is not None and finalised <= finished_at + grace)
    return due, done


def table(scope, *, months: int = 12) -> tuple[list[Row], RegionSetting]:
    setting = setting_for(scope.region)
    green, yellow = float(setting.green_min), float(setting.yellow_min)
    rows = []
    for agency in scope.agencies:
        row = Row(agency)
        services = Service.objects.filter(agency=agency)
        counts = services.aggregate(
            n=Count("id"),
            published=Count("id", filter=Q(published_standard__isnull=False)),
            decree=Count(
                "id", filter=Q(published_standard__isnull=False) & ~Q(published_standard__decree_number="")
            ),
            accessible=Count("id", filter=Q(published_standard__accessible=True)),
        )
        row.services, row.published, row.with_decree = counts["n"], counts["published"], counts["decree"]
        row.pending = ServiceStandard.objects.filter(
            service__agency=agency, status__in=[Status.DISCUSSED, Status.ENACTED]
        ).count()
        row.accessible = metrics.share(counts["accessible"], counts["published"])
        row.completeness = StandardScore.objects.filter(
            standard__in=services.filter(published_standard__isnull=False).values("published_standard")
        ).aggregate(avg=Avg("score"))["avg"]
        window = rollup.last_months(agency, months, include_current=False)
        stats = rollup.months(agency, window)
        for by_service in stats.values():
            total = by_service.get(None)
            if total is None:
                continue
            row.sla_with_promise += total.with_promise
            row.sla_met += total.met
            row.complaints_with_promise += total.complaints_with_promise
            row.complaints_met += total.complaints_met
        row.evaluations_due, row.evaluations_done = _evaluations(agency, window, rollup.today(agency))
        if ikm.available():
            row.ikm = ikm.summary(periods.Period(window[0].start, window[-1].end), agency_id=agency.pk)
        row.maklumat = bool(agency.maklumat.strip())
        row.complaint_channel = (
            bool(agency.channels)
            or ServiceStandard.objects.filter(service__agency=agency, status=Status.PUBLISHED)
            .exclude(channels=[])
            .exists()
        )
        row.parts = {
            "completeness": row.completeness,
            "published": row.published_pct,
            "evaluated": row.evaluated_pct,
            "sla": row.sla_pct,
            "complaints": row.complaints_pct,
            "ikm": row.ikm.converted if row.ikm else None,
            "maklumat": 100.0 if row.maklumat else 0.0,
            "channel": 100.0 if row.complaint_channel else 0.0,
            "accessible": row.accessible,
        }
        row.score = metrics.composite(row.parts)
        row.zone = metrics.zone(row.score, green, yellow)
        rows.append(row)
    rows.sort(key=lambda r: (-(r.score if r.score is not None else -1), r.agency.name))
    return rows, setting
