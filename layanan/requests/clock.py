"""The Django side of the SLA clock: an agency's calendar and a request's deadline.

The arithmetic lives in the pure package layanan.sla; this module only feeds
it the agency's office hours, closed days and the request's pauses.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Q

from layanan.core import generation as shared_generation
from layanan.sla import Pause as ClockPause
from layanan.sla import WorkingCalendar, compute_deadline
from layanan.standards.duration import DurationSpec

from .models import OPEN_STATES, SlaStatus

# Per process: {agency id: (generation, calendar)}. The calendar changes rarely; building it
# costs a query and some work, so every process keeps its own copy and checks one small
# shared value (the agency's calendar generation, in the shared cache) to know it is current.
_LOCAL: dict[int, tuple[str, WorkingCalendar]] = {}
CARRIED = "_kept_working_calendar"  # set by requests.published on the agencies it keeps


def carry_calendar(agency) -> None:
    """Give a kept agency instance its calendar, read now from the database (requests.published,
    when it loads a standard; not this process's kept copy, which may not have heard yet of the
    change that made the standards load anew)."""
    setattr(agency, CARRIED, _build_calendar(agency))


def _generation_key(agency_id: int) -> str:
    return f"calendar-generation:{agency_id}"


def _generation(agency_id: int) -> str:
    return shared_generation.current(_generation_key(agency_id))


def calendar_for(agency) -> WorkingCalendar:
    """The agency's working calendar (kept per process; a calendar change anywhere renews it).

    The agency of a kept published standard (requests.published) carries its calendar: a
    calendar change renews the published standards too, so what it carries needs no check."""
    carried = getattr(agency, CARRIED, None)
    if carried is not None:
        return carried
    generation = _generation(agency.pk)
    kept = _LOCAL.get(agency.pk)
    if kept is not None and kept[0] == generation:
        return kept[1]
    calendar = _build_calendar(agency)
    _LOCAL[agency.pk] = (generation, calendar)
    return calendar


def _build_calendar(agency) -> WorkingCalendar:
    closed = agency.holidays.filter(closed=True).values_list("date", flat=True)
    return WorkingCalendar.from_config(agency.timezone, agency.office_hours, list(closed))


def forget_calendar(agency_id: int) -> None:
    """Every process builds the agency's calendar anew on its next use."""
    shared_generation.renew(_generation_key(agency_id))
    _LOCAL.pop(agency_id, None)


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
    if getattr(request, "extended_days", 0) and deadline.due:
        # UU 14/2008: extended once by N working days; past the first deadline it is at risk.
        request.due_at = working_days_after(request.agency, deadline.due - timedelta(seconds=1),
                                            request.extended_days)
        request.at_risk_at = deadline.due


def working_days_after(agency, moment, days: int):
    """`days` working days after `moment` on the agency's calendar (the end of that day's hours)."""
    spec = DurationSpec(min=None, max=days, unit="working_day", clock_starts_at="submitted", text="")
    return compute_deadline(spec, moment, calendar_for(agency), []).due


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
