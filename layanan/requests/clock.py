"""The Django side of the SLA clock: an agency's calendar and a request's deadline.

The arithmetic lives in the pure package layanan.sla; this module only feeds
it the agency's office hours, closed days and the request's pauses.
"""

from django.core.cache import cache
from django.db import models
from django.db.models import Q

from layanan.sla import Pause as ClockPause
from layanan.sla import WorkingCalendar, compute_deadline
from layanan.standards.duration import DurationSpec

from .models import OPEN_STATES, SlaStatus


def _cache_key(agency_id: int) -> str:
    return f"calendar:{agency_id}"


def calendar_for(agency) -> WorkingCalendar:
    """The agency's working calendar (cached; invalidated when holidays change)."""
    key = _cache_key(agency.pk)
    calendar = cache.get(key)
    if calendar is None:
        closed = agency.holidays.filter(closed=True).values_list("date", flat=True)
        calendar = WorkingCalendar.from_config(agency.timezone, agency.office_hours, list(closed))
        cache.set(key, calendar, 3600)
    return calendar


def forget_calendar(agency_id: int) -> None:
    cache.delete(_cache_key(agency_id))


def spec_of(standard) -> DurationSpec | None:
    if not standard.duration_unit or standard.duration_unit == "none":
        return None
    return DurationSpec(
        min=standard.duration_min, max=standard.duration_max, unit=standard.duration_unit,
        clock_starts_at=standard.clock_starts_at or "submitted", text=standard.duration_text,
    )


def recompute(request, pauses=None) -> None:
    """Set request.due_at / at_risk_at from its standard, start and pauses (no save)."""
    spec = spec_of(request.standard)
    if spec is None or request.clock_started_at is None:
        request.due_at = request.at_risk_at = None
        return
    pauses = list(request.pauses.all()) if pauses is None else pauses
    deadline = compute_deadline(
        spec, request.clock_started_at, calendar_for(request.agency),
        [ClockPause(p.started_at, p.ended_at) for p in pauses],
    )
    request.due_at, request.at_risk_at = deadline.due, deadline.at_risk


def relax_sla_status(request, now) -> None:
    """After a deadline moved later (pause, holiday), lift a mark that no longer holds.
    Marking at risk or breached is the sweep's job: it also tells people."""
    if request.sla_status != SlaStatus.ON_TIME and _by_the_clock(request, now) == SlaStatus.ON_TIME:
        request.sla_status = SlaStatus.ON_TIME


def _by_the_clock(request, now) -> str:
    if request.due_at and now >= request.due_at:
        return SlaStatus.BREACHED
    if request.at_risk_at and now >= request.at_risk_at:
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TIME


def sla_status(request, now) -> str:
    """THE SLA status of a request at `now`: the request page, the inbox and the sweep ask this.

    An open request is breached past its due time and at risk past its at-risk time (or
    marked so by the sweep). A finished request is never "at risk": it was breached
    (marked, or finished after its due time) or it kept its promise.
    """
    if request.state not in OPEN_STATES:
        finished = request.resolved_at or request.closed_at
        late = bool(request.due_at and finished and finished > request.due_at)
        return SlaStatus.BREACHED if late or request.sla_status == SlaStatus.BREACHED else SlaStatus.ON_TIME
    if request.sla_status == SlaStatus.BREACHED:
        return SlaStatus.BREACHED
    return _by_the_clock(request, now)


def sla_status_q(status: str, now) -> Q:
    """sla_status() == `status` as a filter over Request (the inbox's deadline filter)."""
    open_ = Q(state__in=sorted(OPEN_STATES))
    finished = ~open_
    late_finish = (Q(resolved_at__isnull=False, due_at__isnull=False, resolved_at__gt=models.F("due_at"))
                   | Q(resolved_at__isnull=True, closed_at__isnull=False, due_at__isnull=False,
                       closed_at__gt=models.F("due_at")))
    breached = (Q(sla_status=SlaStatus.BREACHED) | (open_ & Q(due_at__lte=now))
                | (finished & late_finish))
    if status == SlaStatus.BREACHED:
        return breached
    if status == SlaStatus.AT_RISK:
        return open_ & Q(at_risk_at__lte=now) & ~breached
    return ~breached & ~(open_ & Q(at_risk_at__lte=now))
