"""Evaluation reports: what a head signs, per the standards' evaluation schedule.

A report is identified by its key (agency, kind, period, unit/service/channel filters, or the
request of an "after each case" evaluation). `ensure()` returns the report, generating it
when it does not exist yet (or when a draft's period has not ended, so its numbers may still
move); `generate()` computes the figures from immutable facts (arrivals, Resolution rows,
pauses, timeline notes, published versions), writes the XLSX and the PDF to the default
storage and e-mails the head a link (never the file). `finalise()` records the head's
recommendations and approval; a final report is never regenerated.

Regenerating a past period gives the same figures: nothing in `figures` depends on when it
is computed (`generated_at` is kept beside it, not in it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from layanan.accounts.roles import Role
from layanan.agencies.models import Agency
from layanan.requests.models import OPEN_STATES, Pause, Request
from layanan.standards.models import EvaluationPeriod, Service

from . import exports, ikm, metrics, notify, periods, queries
from .models import EvaluationReport, Resolution, Withdrawal
from .scope import Scope, Selection

Kind_ = EvaluationReport.Kind
SCHEDULE_KINDS = {Kind_.MONTHLY: "month", Kind_.QUARTERLY: "quarter", Kind_.YEARLY: "year"}


# ---------------------------------------------------------------- which report


def report_key(
    agency, kind, period: periods.Period, *, unit=None, service=None, channel="", request=None
) -> str:
    parts = [agency.code, kind, period.start.isoformat(), period.end.isoformat()]
    if request is not None:
        parts.append(f"r{request.pk}")
    if unit is not None:
        parts.append(f"u{unit.pk}")
    if service is not None:
        parts.append(f"s{service.pk}")
    if channel:
        parts.append(f"c{channel}")
    return ":".join(parts)[:200]


def kind_of(period: periods.Period) -> str:
    return {"month": Kind_.MONTHLY, "quarter": Kind_.QUARTERLY, "year": Kind_.YEARLY}.get(
        period.kind, Kind_.ON_DEMAND
    )


def period_of(report) -> periods.Period:
    kind = {Kind_.MONTHLY: "month", Kind_.QUARTERLY: "quarter", Kind_.YEARLY: "year"}.get(
        report.kind, "custom"
    )
    return periods.Period(report.period_start, report.period_end, kind)


def scheduled_services(agency, kind: str, period: periods.Period) -> list[int]:
    """The agency's services whose standard schedules this kind of evaluation. Every standard is
    evaluated at least once a year (Permenpan RB 15/2014), so the yearly report covers all."""
    from django.db.models import Min

    _start, end = period.bounds(agency.timezone)
    # Due only for a service whose first standard was published before the period ended.
    services = (
        Service.objects.filter(agency=agency, published_standard__isnull=False)
        .annotate(first=Min("standards__published_at"))
        .filter(first__lt=end)
    )
    if kind == Kind_.YEARLY:
        return sorted(services.values_list("pk", flat=True))
    return sorted(
        pk
        for pk, schedule in services.values_list("pk", "published_standard__evaluation_periods")
        if kind in (schedule or [])
    )


def selection_for(report) -> Selection:
    agency = report.agency
    scope = Scope("agency", agency.region, [agency], None, personal=True)
    return Selection(
        scope,
        period_of(report),
        unit=report.unit,
        channel=report.channel,
        service_ids=tuple(report.services) if report.services else None,
        request_id=report.request_id,
    )


# ---------------------------------------------------------------- the figures


def _iso(value):
    return value.isoformat() if value else None


def _sla_dict(f: metrics.SlaFigures) -> dict:
    return {
        "finished": f.finished,
        "rejected": f.rejected,
        "with_promise": f.with_promise,
        "met": f.met,
        "breached": f.breached,
        "met_pct": None if f.met_pct is None else round(f.met_pct, 2),
        "median_days": None if f.median is None else round(f.median, 2),
        "p90_days": None if f.p90 is None else round(f.p90, 2),
        "median_text": f.median_text,
        "p90_text": f.p90_text,
    }


def open_at_end(sel: Selection) -> dict:
    """Requests of the selection still open at the end of the period, per service, and how many waited
    on the applicant then. Open at the end: arrived before it and neither finished (Resolution) nor
    withdrawn (Withdrawal) before it — made of immutable facts, so a past period's count never changes.
    Read as three small sets instead of everything that ever arrived: open now, finished after the end,
    withdrawn after the end (each without an earlier finish)."""
    from collections import Counter

    _start, end = sel.bounds
    before_end = Resolution.objects.filter(finished_at__lt=end)
    still = dict(
        Withdrawal.objects.filter(sel.resolution_q(), withdrawn_at__gte=end, created_at__lt=end)
        .filter(~Exists(before_end.filter(request_id=OuterRef("request_id"))))
        .values_list("request_id", "service_id")
    )
    still.update(
        Resolution.objects.filter(sel.resolution_q(), finished_at__gte=end, created_at__lt=end)
        .filter(~Exists(before_end.filter(request_id=OuterRef("request_id"))))
        .values_list("request_id", "service_id")
    )
    still.update(
        Request.objects.filter(sel.request_q(), state__in=sorted(OPEN_STATES), created_at__lt=end)
        .filter(~Exists(before_end.filter(request_id=OuterRef("pk"))))
        .values_list("pk", "service_id")
    )
    per_service = dict(Counter(still.values()))
    waiting = {
        request_id
        for request_id in Pause.objects.filter(started_at__lt=end)
        .exclude(ended_at__lt=end)
        .values_list("request_id", flat=True)
        if request_id in still
    }
    return {"per_service": per_service, "total": len(still), "waiting": len(waiting)}


def withdrawn_in(sel: Selection) -> dict:
    start, end = sel.bounds
    return dict(
        Withdrawal.objects.filter(sel.resolution_q(), withdrawn_at__gte=start, withdrawn_at__lt=end)
        .values_list("service_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def compute_figures(report, *, now: datetime | None = None) -> dict:
    """Every number of the report, JSON-ready and independent of when it is computed (for a
    period that has ended)."""
    sel = selection_for(report)
    period = sel.period
    start, end = sel.bounds
    services = set(report.services or [])
    volumes = queries.volumes(sel)
    sla = queries.sla(sel)
    ended = min(end, now or timezone.now())
    backlog_end = open_at_end(sel)
    withdrawn = withdrawn_in(sel)
    received = {pk: n for pk, _name, n in volumes.by_service}
    sla_by_service = {row.key: row for row in sla.by_service}
    service_rows = []
    names = dict(Service.objects.filter(agency=report.agency).values_list("pk", "name"))
    promises = queries._promises(names, before=end)
    listed = sorted(
        set(received) | set(sla_by_service) | set(backlog_end["per_service"]) | set(withdrawn) | services
    )
    total = sla.total  # the selection holds only the report's services: the total is theirs
    for pk in listed:
        if services and pk not in services:
            continue
        figures = sla_by_service[pk].figures if pk in sla_by_service else metrics.SlaFigures()
        service_rows.append(
            {
                "id": pk,
                "name": names.get(pk, "?"),
                "promise": promises.get(pk, ""),
                "received": received.get(pk, 0),
                "withdrawn": withdrawn.get(pk, 0),
                "open_end": backlog_end["per_service"].get(pk, 0),
                **_sla_dict(figures),
            }
        )
    service_rows.sort(key=lambda r: r["name"])
    totals = {
        "received": sum(r["received"] for r in service_rows),
        "withdrawn": sum(r["withdrawn"] for r in service_rows),
        "open_end": sum(r["open_end"] for r in service_rows),
        **_sla_dict(total),
    }
    breaches = queries.breaches(sel, ended, limit=200, open_now=False)
    complaints = queries.complaints(sel, with_answers=True)
    comp = queries.compensation(sel)
    found_ikm = ikm.for_selection(sel) if ikm.available() else None
    return {
        "agency": {"code": report.agency.code, "name": report.agency.name},
        "filters": {
            "unit": report.unit.name if report.unit else None,
            "services": [r["name"] for r in service_rows] if services else None,
            "channel": str(queries.CHANNEL_LABELS.get(sel.channel, "")) if sel.channel else None,
            "request": report.request.tracking_code if report.request else None,
        },
        "period": {
            "kind": str(report.kind),
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.last_day.isoformat(),
            "ended": end <= (now or timezone.now()),
        },
        "services": service_rows,
        "totals": totals,
        "channels": [[label, n] for _k, label, n in volumes.by_channel],
        "kinds": [[label, n] for _k, label, n in volumes.by_kind],
        "units": [[label, n] for _k, label, n in volumes.by_unit],
        "histogram": [list(r) for r in sla.histogram],
        "waiting_end": backlog_end["waiting"],
        "breaches": {
            "finished_late": breaches.finished_late,
            "rows": [
                {
                    "code": b.code,
                    "service": b.service,
                    "due": _iso(b.due_at),
                    "finished": _iso(b.finished_at),
                    "late_days": b.late_days,
                    "causes": b.causes,
                }
                for b in breaches.late_list
            ],
        },
        "complaints": {
            "received": complaints.received,
            "finished": complaints.finished,
            "with_promise": complaints.with_promise,
            "met": complaints.met,
            "met_pct": None if complaints.met_pct is None else round(complaints.met_pct, 2),
            "by_channel": [[label, n] for _k, label, n in complaints.by_channel],
            "topics": [list(t) for t in complaints.topics],
            "answered": [
                {
                    "code": code,
                    "service": svc,
                    "finished": _iso(fin),
                    "on_time": on_time,
                    "answer": answer,
                    "outcome": outcome,
                }
                for code, svc, fin, on_time, answer, outcome in complaints.answered
            ],
        },
        "compensation": {"due": comp.due, "done": comp.done},
        "ikm": None
        if found_ikm is None
        else {
            "respondents": found_ikm.respondents,
            "converted": found_ikm.converted,
            "category": found_ikm.category,
            "category_label": found_ikm.category_label,
            "minimum_sample": found_ikm.minimum_sample,
            "adequate": found_ikm.adequate,
        },
        "changes": [
            {
                "service": c.service,
                "version": c.version,
                "published": _iso(c.published_at),
                "decree": c.decree,
                "changed": c.changed,
            }
            for c in queries.versions_published(sel)
        ],
    }


# ---------------------------------------------------------------- making and keeping reports


def _file_name(report, ext: str) -> str:
    period = period_of(report)
    parts = ["laporan-evaluasi", slugify(report.agency.code), period.slug]
    if report.unit_id:
        parts.append(f"unit{report.unit_id}")
    if report.request_id:
        parts.append(f"kasus{report.request_id}")
    return "-".join(parts) + f"-{report.pk}.{ext}"


def _store(report, field: str, content: bytes, ext: str) -> None:
    old = getattr(report, field).name
    getattr(report, field).save(_file_name(report, ext), ContentFile(content), save=False)
    if old and old != getattr(report, field).name:
        transaction.on_commit(lambda: default_storage.delete(old))


def generate(report, *, user=None, now=None, notify_head: bool = True) -> EvaluationReport:
    """(Re)compute the figures and write both files. A final report is never regenerated."""
    if report.is_final:
        raise ValidationError(_("Laporan yang sudah disahkan tidak dapat dibuat ulang."))
    now = now or timezone.now()
    report.figures = compute_figures(report, now=now)
    report.generated_at, report.generated_by = now, user
    with transaction.atomic():
        if report.pk is None:
            report.save()
        _store(report, "xlsx", exports.report_xlsx(report), "xlsx")
        _store(report, "pdf", exports.report_pdf(report), "pdf")
        report.save()
        if notify_head:
            notify.report_ready(report)
    return report


def ensure(
    agency,
    kind: str,
    period: periods.Period,
    *,
    unit=None,
    service=None,
    channel: str = "",
    request=None,
    services=None,
    user=None,
    now=None,
) -> EvaluationReport:
    """The report of this key; generated when missing, or regenerated while it is a draft of a period
    that has not ended (its numbers may still move) or lacks a file."""
    now = now or timezone.now()
    key = report_key(agency, kind, period, unit=unit, service=service, channel=channel, request=request)
    report = EvaluationReport.objects.filter(key=key).first()
    if report is None:
        report = EvaluationReport(
            agency=agency,
            unit=unit,
            kind=kind,
            period_start=period.start,
            period_end=period.end,
            request=request,
            key=key,
            channel=channel,
            services=services if services is not None else ([service.pk] if service else []),
        )
        # The worker's reports are e-mailed to the head; who asks for one on screen downloads it.
        return generate(report, user=user, now=now, notify_head=user is None)
    _start, end = period.bounds(agency.timezone)
    if not report.is_final and (end > report.generated_at or not report.xlsx or not report.pdf):
        generate(report, user=user, now=now, notify_head=False)
    return report


def may_finalise(user, report) -> bool:
    """The agency head signs the report of their agency."""
    return user.agency_id == report.agency_id and user.has_role(Role.HEAD)


def finalise(report, user, recommendations: str, *, now=None) -> EvaluationReport:
    if not may_finalise(user, report):
        raise PermissionDenied(_("Hanya kepala instansi yang mengesahkan laporan evaluasi."))
    if report.is_final:
        raise ValidationError(_("Laporan ini sudah disahkan."))
    now = now or timezone.now()
    _start, end = period_of(report).bounds(report.agency.timezone)
    if end > now:
        raise ValidationError(_("Laporan baru dapat disahkan setelah periodenya berakhir."))
    report.recommendations = recommendations.strip()
    report.finalised_at, report.finalised_by = now, user
    with transaction.atomic():
        # Files once more with the recommendations and the approval; the figures are unchanged.
        report.status = EvaluationReport.Status.FINAL
        _store(report, "xlsx", exports.report_xlsx(report), "xlsx")
        _store(report, "pdf", exports.report_pdf(report), "pdf")
        report.save()
    return report


def save_recommendations(report, user, text: str) -> EvaluationReport:
    if report.is_final:
        raise ValidationError(_("Laporan ini sudah disahkan."))
    if user.agency_id != report.agency_id:
        raise PermissionDenied
    report.recommendations = text.strip()
    report.save(update_fields=["recommendations"])
    return report


# ---------------------------------------------------------------- the schedule (the worker)


def due_reports(today_by_agency: dict, now=None) -> list[tuple]:
    """(agency, kind, period, services) of every scheduled report whose period has ended."""
    out = []
    for agency in Agency.objects.all():
        today = today_by_agency.get(agency.pk)
        if today is None:
            continue
        for kind, period_kind in SCHEDULE_KINDS.items():
            services = scheduled_services(agency, kind, periods.previous(period_kind, today))
            if services:
                out.append((agency, kind, periods.previous(period_kind, today), services))
    return out


def run_schedule(now=None) -> list[EvaluationReport]:
    """Make every scheduled report that is due and missing (monthly, quarterly, yearly), and one
    after each finished case of a standard evaluated after each case (seed 003)."""
    from zoneinfo import ZoneInfo

    now = now or timezone.now()
    today = {a.pk: now.astimezone(ZoneInfo(a.timezone)).date() for a in Agency.objects.all()}
    made = []
    for agency, kind, period, services in due_reports(today, now):
        key = report_key(agency, kind, period)
        if not EvaluationReport.objects.filter(key=key).exists():
            made.append(ensure(agency, kind, period, services=services, now=now))
    made += run_after_case(now)
    return made


def run_after_case(now=None, *, window_days: int = 30) -> list[EvaluationReport]:
    """An evaluation for every request finished in the last `window_days` under a standard that is
    evaluated after each case and that has none yet."""
    from zoneinfo import ZoneInfo

    from layanan.standards.models import ServiceStandard

    now = now or timezone.now()
    standards = [
        pk
        for pk, schedule in ServiceStandard.objects.exclude(status=ServiceStandard.Status.DRAFT).values_list(
            "pk", "evaluation_periods"
        )
        if EvaluationPeriod.AFTER_CASE in (schedule or [])
    ]
    done = Resolution.objects.filter(
        standard_id__in=standards, finished_at__gte=now - timedelta(days=window_days), finished_at__lte=now
    ).select_related("agency", "request", "service")
    made = []
    for row in done.order_by("finished_at", "id"):
        tz = row.agency.timezone
        start = min(row.created_at, row.started_at).astimezone(ZoneInfo(tz)).date()
        end = row.finished_at.astimezone(ZoneInfo(tz)).date() + timedelta(days=1)
        period = periods.Period(start, end)
        key = report_key(row.agency, Kind_.AFTER_CASE, period, request=row.request, service=row.service)
        if EvaluationReport.objects.filter(key=key).exists():
            continue
        made.append(
            ensure(row.agency, Kind_.AFTER_CASE, period, request=row.request, service=row.service, now=now)
        )
    return made
