"""The SLA clock: when a request on a given duration spec is due, and when it is at risk.

Rules (DESIGN "Duration spec", issue 3 "The clock"), by unit of the spec:

* ``minute``/``hour`` — office time only; a request received outside office hours starts
  counting at the next opening. Office time that runs out exactly at a close is due at
  that close.
* ``working_day`` — :meth:`WorkingCalendar.add_working_days`: due at close of office of the
  n-th working day; the day of receipt is day 0 if it is a working day and the office has
  not closed yet.
* ``day``/``week``/``month``/``year`` — calendar arithmetic on the local date of the start
  (month/year keep the day of month, clamped to the month's end: 31 Jan + 1 month = 28/29
  Feb). The result is a *day*: due at that day's close of office if it is a working day,
  else at the close of the next working day. The start's time of day is not carried over.
* ``none`` — a continuous service has no deadline.

At risk: past ``min`` of a range (same unit rules, so a calendar ``min`` is also snapped to
a working close). Without a range, at 75 % of the window: of the office time for minute,
hour and working_day specs, of the wall time from start to due for calendar units (this
point is not snapped; it is a warning time, and the sweep decides when to notify).

Pauses (waiting on the applicant) stop the clock. For office-time and working-day units the
due time moves later by exactly the office time that elapsed during the pause; for calendar
units by the pause's wall time, after which the result is snapped to a working close again.
Only the part of a pause after the start counts, overlapping pauses are merged, and a pause
that begins after a point has already been reached does not move that point (a breach stays
a breach). A still-open pause that begins before a point makes that point unknown (None);
``paused`` is True whenever a pause is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .working_calendar import _ORIGIN_ORDINAL, US_PER_DAY, US_PER_SECOND, WorkingCalendar, _Tables

_OFFICE_UNIT_US = {"minute": 60 * US_PER_SECOND, "hour": 3_600 * US_PER_SECOND}
_CALENDAR_UNITS = frozenset({"day", "week", "month", "year"})
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class Pause:
    """The request waited on the applicant from ``start`` to ``end`` (None: still waiting)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    """Due and at-risk times in UTC; None for a continuous service or while the clock stands."""

    due: datetime | None
    at_risk: datetime | None
    paused: bool


_NO_DEADLINE = Deadline(None, None, False)


def _read_spec(spec) -> tuple[str, int | None, int | None]:
    """DurationSpec or its interchange dict; both carry unit, min and max."""
    try:
        return spec.unit, spec.min, spec.max
    except AttributeError:
        return spec["unit"], spec.get("min"), spec.get("max")


def _pause_windows(t: _Tables, start: int, pauses: Sequence[Pause]) -> tuple[list, bool]:
    """Pauses as sorted, merged local-µs windows clipped to the start; and whether one is open.

    An open window is (begin, None) and absorbs everything after it.
    """
    windows = []
    is_open = False
    for pause in pauses:
        begin = t.local(pause.start)
        if pause.end is None:
            is_open = True
            windows.append((max(begin, start), None))
            continue
        end = t.local(pause.end)
        if end < begin:
            raise ValueError(f"pause ends before it starts: {pause!r}")
        if end > start:
            windows.append((max(begin, start), end))
    windows.sort(key=lambda w: w[0])
    merged: list = []
    for begin, end in windows:
        if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
            last_begin, last_end = merged[-1]
            if last_end is not None:
                merged[-1] = (last_begin, None if end is None else max(last_end, end))
            continue
        merged.append((begin, end))
    return merged, is_open


def _shift(point: int | None, windows: Sequence[tuple[int, int | None]]) -> int | None:
    """Move a point later by each window that begins before it; None if an open one does."""
    for begin, end in windows:
        if begin >= point:
            break
        if end is None:
            return None
        point += end - begin
    return point


def _shift_snapped(t: _Tables, raw: int, windows, snap: bool) -> int | None:
    """Calendar units: shift by wall time, re-snapping to a working close after each pause."""
    point = t.close_us(t.first_working_day_from(raw // US_PER_DAY)) if snap else raw
    for begin, end in windows:
        if begin >= point:
            break
        if end is None:
            return None
        raw += end - begin
        point = t.close_us(t.first_working_day_from(raw // US_PER_DAY)) if snap else raw
    return point


def _add_calendar(day: int, unit: str, n: int) -> int:
    """Local day number ``n`` calendar units after ``day`` (months clamp to the month's end)."""
    if unit == "day":
        return day + n
    if unit == "week":
        return day + 7 * n
    d = date.fromordinal(day + _ORIGIN_ORDINAL)
    months = d.month - 1 + (n if unit == "month" else 12 * n)
    year, month0 = d.year + months // 12, months % 12
    last = _DAYS_IN_MONTH[month0]
    if month0 == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return date(year, month0 + 1, min(d.day, last)).toordinal() - _ORIGIN_ORDINAL


def compute_deadline(
    spec, start: datetime, calendar: WorkingCalendar, pauses: Sequence[Pause] = ()
) -> Deadline:
    """Due and at-risk times of a request whose clock started at ``start`` (aware).

    ``spec`` is a DurationSpec (or its interchange dict). For a spec whose clock starts at a
    named step ("sejak disposisi … diterima"), ``start`` is when that step was reached; the
    caller knows that, this function does not.
    """
    unit, low, high = _read_spec(spec)
    t: _Tables = calendar._t
    s = t.local(start)
    if unit == "none":
        return _NO_DEADLINE
    if high is None:
        raise ValueError(f"duration spec without a maximum: {spec!r}")
    if pauses:
        windows, is_paused = _pause_windows(t, s, pauses)
    else:
        windows, is_paused = (), False

    factor = _OFFICE_UNIT_US.get(unit)
    if factor is not None or unit == "working_day":
        hint = s // US_PER_DAY
        if factor is not None:
            p0 = t.position(s)
            due = p0 + high * factor
            risk = p0 + (low * factor if low else high * factor * 3 // 4)
        else:
            day0 = t.next_open(s) // US_PER_DAY
            day, closed = t.nth_working_day_after(day0, high)
            if not windows:
                # Fast path: no pause, the due time is simply that day's close.
                due_at = t.utc(t.close_us(day))
                if low:
                    risk_at = t.utc(t.close_us(t.nth_working_day_after(day0, low)[0]))
                else:
                    p0 = t.position(s)
                    due_pos = t.close_position(day, closed)
                    risk_at = t.utc(t.at_position(p0 + (due_pos - p0) * 3 // 4, hint))
                return Deadline(due_at, risk_at, False)
            due = t.close_position(day, closed)
            if low:
                risk = t.close_position(*t.nth_working_day_after(day0, low))
            else:
                p0 = t.position(s)
                risk = p0 + (due - p0) * 3 // 4
        if windows:
            positions = [(t.position(b), None if e is None else t.position(e)) for b, e in windows]
            due = _shift(due, positions)
            risk = _shift(risk, positions)
        return Deadline(
            None if due is None else t.utc(t.at_position(due, hint)),
            None if risk is None else t.utc(t.at_position(risk, hint)),
            is_paused,
        )

    if unit not in _CALENDAR_UNITS:
        raise ValueError(f"unknown duration unit: {unit!r}")
    day0, tod = divmod(s, US_PER_DAY)
    raw_due = _add_calendar(day0, unit, high) * US_PER_DAY + tod
    due_us = t.close_us(t.first_working_day_from(raw_due // US_PER_DAY))
    if low:
        raw_risk, snap_risk = _add_calendar(day0, unit, low) * US_PER_DAY + tod, True
    else:
        raw_risk, snap_risk = s + (due_us - s) * 3 // 4, False
    if not windows:
        risk_us = t.close_us(t.first_working_day_from(raw_risk // US_PER_DAY)) if snap_risk else raw_risk
        return Deadline(t.utc(due_us), t.utc(risk_us), False)
    due_us = _shift_snapped(t, raw_due, windows, True)
    risk_us = _shift_snapped(t, raw_risk, windows, snap_risk)
    return Deadline(
        None if due_us is None else t.utc(due_us),
        None if risk_us is None else t.utc(risk_us),
        is_paused,
    )
