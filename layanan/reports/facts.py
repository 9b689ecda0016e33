"""The facts a report counts: a finished request, recorded once when it finishes (and a withdrawn one).

`request_saved` is connected to Request's post_save (ReportsConfig.ready). The lifecycle is
the only writer of requests; when one of its transactions leaves a request resolved (the
procedure reached its end) or rejected, this receiver writes a `Resolution` row in that same
transaction: the due time at that moment, whether the promise was kept — exactly
`requests.clock.sla_status` of the finished request — and the working time it took. The row
is never changed afterwards: a request reopened and resolved again gets a second row (with
its own finish time), a holiday added to the calendar later does not rewrite the past, so a
report of a past period always counts the same.

Working time runs from the clock's start (the arrival when the clock never started) to the
finish, without the pauses in which the request waited on the applicant:

* `office_minutes` — office time, as the SLA clock counts minutes and hours;
* `working_days` — each working day counts 1, a part of it the part of its office hours that
  passed: received Monday 07:30 and finished Wednesday at the middle of the office day is
  2.5 working days, whatever the length of each day's hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from layanan.requests import clock
from layanan.requests.models import SlaStatus, State

from .models import Resolution, Withdrawal

FINISHED = {State.RESOLVED: Resolution.Outcome.RESOLVED, State.REJECTED: Resolution.Outcome.REJECTED}


# ---------------------------------------------------------------- working time (pure)


def _merge(windows):
    merged = []
    for begin, end in sorted(windows):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _clip(start: datetime, end: datetime, pauses) -> list[tuple[datetime, datetime]]:
    """Pause windows (start, end or None = still running) clipped to [start, end] and merged."""
    windows = []
    for p_start, p_end in pauses:
        lo, hi = max(p_start, start), min(p_end or end, end)
        if hi > lo:
            windows.append((lo, hi))
    return _merge(windows)


def _day_part(calendar, tz, day: date, lo: datetime, hi: datetime) -> float:
    """The part of `day`'s office hours inside [lo, hi] (0 on a closed day)."""
    if not calendar.is_working_day(day):
        return 0.0
    opens, closes = calendar.office_hours[day.isoweekday()]
    o = datetime.combine(day, opens, tzinfo=tz)
    c = datetime.combine(day, closes, tzinfo=tz)
    low, high = max(lo, o), min(hi, c)
    return (high - low) / (c - o) if high > low else 0.0


def _whole_working_days(calendar, first: date, last: date) -> int:
    """Working days from `first` to `last`, both included: weeks by arithmetic, minus the closed days."""
    n = (last - first).days + 1
    if n <= 0:
        return 0
    open_days = set(calendar.office_hours)  # ISO weekdays with office hours
    weeks, rest = divmod(n, 7)
    start = first.isoweekday()
    count = weeks * len(open_days) + sum(1 for i in range(rest) if (start - 1 + i) % 7 + 1 in open_days)
    closed = sum(1 for d in calendar.closed_days if first <= d <= last and d.isoweekday() in open_days)
    return count - closed


def working_days_between(calendar, a: datetime, b: datetime) -> float:
    """Working days from a to b: each working day counts 1, a part of it in proportion to its
    office hours (0 when b <= a). The days in between are counted, not walked."""
    if b <= a:
        return 0.0
    tz = ZoneInfo(calendar.timezone)
    la, lb = a.astimezone(tz), b.astimezone(tz)
    first, last = la.date(), lb.date()
    if first == last:
        return _day_part(calendar, tz, first, la, lb)
    return (
        _day_part(calendar, tz, first, la, lb)
        + _whole_working_days(calendar, first + timedelta(days=1), last - timedelta(days=1))
        + _day_part(calendar, tz, last, la, lb)
    )


def working_time(calendar, start: datetime, end: datetime, pauses=()) -> tuple[int, float]:
    """(office minutes, working days) from start to end without the pauses ((begin, end|None), …)."""
    if end <= start:
        return 0, 0.0
    windows = _clip(start, end, pauses)
    office = calendar.office_time_between(start, end)
    days = working_days_between(calendar, start, end)
    for lo, hi in windows:
        office -= calendar.office_time_between(lo, hi)
        days -= working_days_between(calendar, lo, hi)
    return max(0, int(office.total_seconds() // 60)), max(0.0, round(days, 4))


# ---------------------------------------------------------------- the receiver


def finished_at(request):
    if request.state == State.RESOLVED:
        return request.resolved_at
    if request.state == State.REJECTED:
        return request.closed_at
    return None


def resolution_for(request, finished) -> Resolution:
    """The Resolution row of `request` finished at `finished` (not saved)."""
    start = request.clock_started_at or request.created_at
    pauses = [(p.started_at, p.ended_at) for p in request.pauses.all()]
    calendar = clock.calendar_for(request.agency)
    minutes, days = working_time(calendar, start, finished, pauses)
    late = working_days_between(calendar, request.due_at, finished) if request.due_at else 0.0
    return Resolution(
        request_id=request.pk,
        agency_id=request.agency_id,
        service_id=request.service_id,
        standard_id=request.standard_id,
        unit_id=report_unit_id(request),
        kind=request.kind,
        channel=request.channel,
        outcome=FINISHED[request.state],
        created_at=request.created_at,
        started_at=start,
        finished_at=finished,
        due_at=request.due_at,
        breached=clock.sla_status(request, finished) == SlaStatus.BREACHED,
        office_minutes=minutes,
        working_days=days,
        late_days=round(late, 4),
    )


def report_unit_id(request):
    """The unit that answers for a request in reports: the service's unit, else the request's."""
    return request.service.unit_id or request.assigned_unit_id


def withdrawal_fields(request) -> dict:
    """The values of a withdrawn request's Withdrawal row (for the live model and a migration's)."""
    return {
        "request_id": request.pk,
        "agency_id": request.agency_id,
        "service_id": request.service_id,
        "unit_id": report_unit_id(request),
        "kind": request.kind,
        "channel": request.channel,
        "created_at": request.created_at,
        "withdrawn_at": request.closed_at,
    }


def record(request) -> Resolution | None:
    """Write the Resolution of a finished request (once per finish time)."""
    finished = finished_at(request)
    if finished is None:
        return None
    if Resolution.objects.filter(request_id=request.pk, finished_at=finished).exists():
        return None
    row = resolution_for(request, finished)
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate must not spoil the caller
            row.save()
    except IntegrityError:
        return None
    return row


def record_withdrawal(request) -> Withdrawal | None:
    """Write the Withdrawal of a withdrawn request (once)."""
    if request.state != State.WITHDRAWN or request.closed_at is None:
        return None
    if Withdrawal.objects.filter(request_id=request.pk).exists():
        return None
    row = Withdrawal(**withdrawal_fields(request))
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None
    return row


def request_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    if instance.state == State.WITHDRAWN:
        if not getattr(instance, "_withdrawal_recorded", False):
            record_withdrawal(instance)
            instance._withdrawal_recorded = True
        return
    if instance.state not in FINISHED:
        return
    finished = finished_at(instance)
    if finished is None or getattr(instance, "_resolution_recorded", None) == finished:
        return
    record(instance)
    instance._resolution_recorded = finished
