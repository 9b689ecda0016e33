"""Facts for what happened before the reports app existed (data migration, manage.py reports_backfill).

Finished requests get their Resolution row (the due time and SLA mark they have now — the best
record there is), published standards their stored completeness score.
"""

from django.db.models import Exists, OuterRef

from layanan.requests import clock


def resolutions(Request=None, Resolution=None, *, batch: int = 500) -> int:
    """A Resolution for every resolved/closed/rejected request that has none (idempotent)."""
    from layanan.requests.models import Request as LiveRequest
    from layanan.requests.models import SlaStatus, State

    from .facts import report_unit_id, working_days_between, working_time
    from .models import Resolution as LiveResolution

    Request = Request or LiveRequest
    Resolution = Resolution or LiveResolution
    done = Resolution.objects.filter(request_id=OuterRef("pk"))
    todo = (
        Request.objects.filter(state__in=[State.RESOLVED, State.CLOSED, State.REJECTED])
        .exclude(resolved_at__isnull=True, closed_at__isnull=True)
        .filter(~Exists(done))
        .select_related("agency", "service")
        .order_by("pk")
    )
    rows, n = [], 0
    has_late_days = any(f.name == "late_days" for f in Resolution._meta.get_fields())
    for request in todo.iterator(chunk_size=batch):
        rejected = request.state == State.REJECTED
        finished = request.closed_at if rejected else (request.resolved_at or request.closed_at)
        start = request.clock_started_at or request.created_at
        pauses = [(p.started_at, p.ended_at) for p in request.pauses.all()]
        calendar = clock.calendar_for(request.agency)
        minutes, days = working_time(calendar, start, finished, pauses)
        late = bool(request.due_at and finished > request.due_at) or request.sla_status == SlaStatus.BREACHED
        extra = {}
        if has_late_days:
            extra["late_days"] = (
                round(working_days_between(calendar, request.due_at, finished), 4) if request.due_at else 0.0
            )
        rows.append(
            Resolution(
                **extra,
                request_id=request.pk,
                agency_id=request.agency_id,
                service_id=request.service_id,
                standard_id=request.standard_id,
                unit_id=report_unit_id(request),
                kind=request.kind,
                channel=request.channel,
                outcome="rejected" if rejected else "resolved",
                created_at=request.created_at,
                started_at=start,
                finished_at=finished,
                due_at=request.due_at,
                breached=late,
                office_minutes=minutes,
                working_days=days,
            )
        )
        if len(rows) >= batch:
            n += len(Resolution.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    if rows:
        n += len(Resolution.objects.bulk_create(rows, ignore_conflicts=True))
    return n


def withdrawals(Request=None, Withdrawal=None, *, batch: int = 1000) -> int:
    """A Withdrawal for every withdrawn request that has none (idempotent)."""
    from layanan.requests.models import Request as LiveRequest

    from .facts import withdrawal_fields
    from .models import Withdrawal as LiveWithdrawal

    Request = Request or LiveRequest
    Withdrawal = Withdrawal or LiveWithdrawal
    done = Withdrawal.objects.filter(request_id=OuterRef("pk"))
    todo = (
        Request.objects.filter(state="withdrawn", closed_at__isnull=False)
        .filter(~Exists(done))
        .select_related("service")
        .order_by("pk")
    )
    rows, n = [], 0
    for request in todo.iterator(chunk_size=batch):
        rows.append(Withdrawal(**withdrawal_fields(request)))
        if len(rows) >= batch:
            n += len(Withdrawal.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    if rows:
        n += len(Withdrawal.objects.bulk_create(rows, ignore_conflicts=True))
    return n


def scores(ServiceStandard=None, StandardScore=None) -> int:
    """A stored completeness score for every published or superseded standard without one."""
    from layanan.standards.completeness import check_components, completeness_score
    from layanan.standards.models import ServiceStandard as LiveStandard

    from .models import StandardScore as LiveScore

    ServiceStandard = ServiceStandard or LiveStandard
    StandardScore = StandardScore or LiveScore
    have = StandardScore.objects.filter(standard_id=OuterRef("pk"))
    todo = (
        ServiceStandard.objects.filter(status__in=["published", "superseded"])
        .filter(~Exists(have))
        .select_related("service")
        .prefetch_related("requirements", "steps")
    )
    n = 0
    for std in todo:
        checks = check_components(std, list(std.requirements.all()), list(std.steps.all()))
        StandardScore.objects.create(
            standard_id=std.pk,
            agency_id=std.service.agency_id,
            score=completeness_score(checks),
            missing=[c.label for c in checks if not c.present],
            vague=[
                f"{c.label}: {c.note}" if c.note else c.label for c in checks if c.present and not c.specific
            ],
        )
        n += 1
    return n
