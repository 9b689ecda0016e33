"""The working calendar of one agency: when its office is open, in its own timezone.

Everything the SLA clock needs reduces to one monotone function, the *office clock*: the
amount of office time that has elapsed since a fixed origin up to a given moment. It stands
still at night, on weekends and on closed days, and runs during office hours. With it,
"office time between a and b" is a subtraction and "a + 45 minutes of office time" is the
inverse of the clock.

Both directions are computed arithmetically, not by walking minutes or days: office time per
weekday is a weekly pattern (whole weeks are a multiplication), and closed days are a sorted
tuple with prefix sums of the office time they remove (a bisect). So a deadline costs a few
integer operations and a couple of bisects whatever its length — the SLA budget is 100,000
deadlines per second on one core.

Internally a moment is an int: microseconds of *local wall time* since Monday 1969-12-29
00:00 (a Monday, so ``day % 7`` is the ISO weekday minus one). Pure Python (stdlib only) so
the importer, the sweep and the tests use it without Django.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND

# Perpres 21/2023: Mon–Fri from 07:30, 37.5 hours a week; the hours of an agency that sets
# none (agencies.models uses this same dict).
DEFAULT_OFFICE_HOURS = {
    "1": ["07:30", "16:00"],
    "2": ["07:30", "16:00"],
    "3": ["07:30", "16:00"],
    "4": ["07:30", "16:00"],
    "5": ["07:30", "16:30"],
}

_ORIGIN_DATE = date(1969, 12, 29)  # a Monday
_ORIGIN_ORDINAL = _ORIGIN_DATE.toordinal()
_ORIGIN_UTC = datetime(1969, 12, 29, tzinfo=UTC)
_ORIGIN_NAIVE = datetime(1969, 12, 29)

# Window in which a timezone may be treated as a fixed offset (see _fixed_offset_us).
_FAST_FROM = datetime(1970, 1, 2, tzinfo=UTC)
_FAST_TO = datetime(2100, 1, 1, tzinfo=UTC)
_FAST_LO_US = (_FAST_FROM - _ORIGIN_UTC) // timedelta(microseconds=1)
_FAST_HI_US = (_FAST_TO - _ORIGIN_UTC) // timedelta(microseconds=1)


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def _tod_us(value: time | datetime) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * US_PER_SECOND + value.microsecond


@lru_cache(maxsize=64)
def _fixed_offset_us(tz_name: str) -> int | None:
    """The zone's UTC offset in µs if it never changes between 1970 and 2100, else None.

    Indonesia's zones have had one offset since 1964; knowing that lets local time be an
    addition instead of a zoneinfo lookup in both directions (the hot path of the clock).
    zoneinfo does not expose its transitions, so the offset is probed once a day over the
    window (cached per zone name); a zone with DST falls back to the generic conversion.
    """
    tz = ZoneInfo(tz_name)
    probe, step = _FAST_FROM, timedelta(days=1)
    offset = probe.astimezone(tz).utcoffset()
    while probe < _FAST_TO:
        if probe.astimezone(tz).utcoffset() != offset:
            return None
        probe += step
    return _us(offset)


class OfficeHours(Mapping):
    """Read-only, hashable ISO weekday → (open, close) mapping.

    The calendar is a frozen value (it can key a cache, and the precomputed tables must not
    drift from the hours they were built from), so a caller's dict is copied into this.
    """

    __slots__ = ("_items",)

    def __init__(self, hours: Mapping[int, tuple[time, time]]):
        self._items = tuple(sorted(hours.items()))

    def __getitem__(self, key: int) -> tuple[time, time]:
        for weekday, span in self._items:
            if weekday == key:
                return span
        raise KeyError(key)

    def __iter__(self) -> Iterator[int]:
        return (weekday for weekday, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        spans = ", ".join(f"{d}: {o:%H:%M}–{c:%H:%M}" for d, (o, c) in self._items)
        return f"OfficeHours({{{spans}}})"


class _Tables:
    """Integer tables derived once per calendar; every query of the clock reads only these."""

    __slots__ = (
        "tz",
        "offset",
        "open",
        "close",
        "dur",
        "dur_prefix",
        "week_us",
        "per_week",
        "wd_prefix",
        "open_idx",
        "hol",
        "hol_set",
        "hol_cum",
    )

    def __init__(self, tz_name: str, hours: Mapping[int, tuple[time, time]], closed: frozenset[date]):
        self.tz = ZoneInfo(tz_name)
        self.offset = _fixed_offset_us(tz_name)
        self.open = tuple(_tod_us(hours[d][0]) if d in hours else 0 for d in range(1, 8))
        self.close = tuple(_tod_us(hours[d][1]) if d in hours else 0 for d in range(1, 8))
        self.dur = tuple(c - o for o, c in zip(self.open, self.close, strict=True))
        self.dur_prefix = tuple(sum(self.dur[:i]) for i in range(8))
        self.week_us = self.dur_prefix[7]
        self.open_idx = tuple(i for i in range(7) if self.dur[i])
        self.per_week = len(self.open_idx)
        self.wd_prefix = tuple(sum(1 for j in range(i) if self.dur[j]) for i in range(8))
        # Only closed days that fall on an open weekday change anything.
        days = sorted({d.toordinal() - _ORIGIN_ORDINAL for d in closed})
        self.hol = tuple(n for n in days if self.dur[n % 7])
        self.hol_set = frozenset(self.hol)
        cum = [0]
        for n in self.hol:
            cum.append(cum[-1] + self.dur[n % 7])
        self.hol_cum = tuple(cum)

    # --- moments <-> local µs ------------------------------------------------------------

    def local(self, moment: datetime) -> int:
        """Local wall µs of an aware datetime; naive ones are refused (ambiguous instant)."""
        if self.offset is not None:
            try:
                delta = moment - _ORIGIN_UTC  # TypeError for a naive datetime
            except TypeError:
                raise ValueError(f"naive datetime not allowed: {moment!r}") from None
            utc_us = (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds
            if _FAST_LO_US <= utc_us < _FAST_HI_US:
                return utc_us + self.offset
        elif moment.utcoffset() is None:
            raise ValueError(f"naive datetime not allowed: {moment!r}")
        loc = moment.astimezone(self.tz)
        return (loc.toordinal() - _ORIGIN_ORDINAL) * US_PER_DAY + _tod_us(loc)

    def utc(self, local_us: int) -> datetime:
        """The aware UTC datetime of a local wall µs value."""
        if self.offset is not None:
            utc_us = local_us - self.offset
            if _FAST_LO_US <= utc_us < _FAST_HI_US:
                # Positional, already normalised arguments: the cheapest timedelta to build.
                days, rest = divmod(utc_us, US_PER_DAY)
                seconds, micro = divmod(rest, US_PER_SECOND)
                return _ORIGIN_UTC + timedelta(days, seconds, micro)
        naive = _ORIGIN_NAIVE + timedelta(microseconds=local_us)
        return naive.replace(tzinfo=self.tz).astimezone(UTC)

    # --- days ----------------------------------------------------------------------------

    def working(self, day: int) -> bool:
        return bool(self.dur[day % 7]) and day not in self.hol_set

    def nth_working_day_after(self, day: int, k: int) -> tuple[int, int]:
        """(the k-th working day after ``day`` (k ≥ 1), number of closed days up to it).

        Pattern arithmetic on the weekly schedule, corrected by the closed days up to the
        candidate; the correction only grows, so the loop stops after a few rounds (one per
        cluster of holidays crossed), whatever k is.
        """
        hol, per_week, open_idx = self.hol, self.per_week, self.open_idx
        j = bisect_right(hol, day)
        q, r = divmod(day + 1, 7)
        target = q * per_week + self.wd_prefix[r] - j + k  # working days up to the answer
        while True:
            q, r = divmod(target + j - 1, per_week)
            found = q * 7 + open_idx[r]
            j2 = bisect_right(hol, found, j)
            if j2 == j:
                return found, j
            j = j2

    def first_working_day_from(self, day: int) -> int:
        """``day`` itself if it is a working day, else the next one."""
        if self.dur[day % 7] and day not in self.hol_set:
            return day
        return self.nth_working_day_after(day, 1)[0]

    def close_us(self, day: int) -> int:
        return day * US_PER_DAY + self.close[day % 7]

    # --- the office clock ----------------------------------------------------------------

    def position(self, local_us: int) -> int:
        """Office µs elapsed from the origin up to a local moment (monotone, flat off hours)."""
        day, tod = divmod(local_us, US_PER_DAY)
        q, r = divmod(day, 7)
        j = bisect_left(self.hol, day)
        pos = q * self.week_us + self.dur_prefix[r] - self.hol_cum[j]
        dur = self.dur[r]
        if dur and day not in self.hol_set:
            tod -= self.open[r]
            if tod > 0:
                pos += tod if tod < dur else dur
        return pos

    def close_position(self, day: int, closed_up_to: int) -> int:
        """Clock position at the close of working ``day`` (``closed_up_to`` = bisect_right)."""
        q, r = divmod(day, 7)
        return q * self.week_us + self.dur_prefix[r + 1] - self.hol_cum[closed_up_to]

    def at_position(self, pos: int, hint_day: int | None = None) -> int:
        """The earliest local moment at which the clock shows ``pos``.

        "Earliest" makes a deadline that uses up a day's office time exactly land on that
        day's close of office rather than on the next opening. ``hint_day`` (a day known to
        be on or before the answer) only saves bisect work.
        """
        hol, cum, week, prefix = self.hol, self.hol_cum, self.week_us, self.dur_prefix
        j = 0 if hint_day is None else bisect_right(hol, hint_day)
        while True:
            q, rem = divmod(pos + cum[j] - 1, week)
            rem += 1  # 1..week: a position on a boundary belongs to the earlier day's close
            r = bisect_left(prefix, rem) - 1
            day = q * 7 + r
            j2 = bisect_right(hol, day, j)
            if j2 == j:
                return day * US_PER_DAY + self.open[r] + rem - prefix[r]
            j = j2

    def next_open(self, local_us: int) -> int:
        day, tod = divmod(local_us, US_PER_DAY)
        r = day % 7
        if self.dur[r] and day not in self.hol_set:
            if tod < self.open[r]:
                return day * US_PER_DAY + self.open[r]
            if tod < self.close[r]:
                return local_us
        nxt = self.nth_working_day_after(day, 1)[0]
        return nxt * US_PER_DAY + self.open[nxt % 7]


_CLOCK_TEXT = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])(?::([0-5][0-9]))?")


def _parse_time(value: object, weekday: object) -> time:
    """ "07:30", "7:30" or the Indonesian "07.30"; seconds allowed. 24:00 is not (use 23:59)."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        found = _CLOCK_TEXT.fullmatch(value.strip())
        if found:
            return time(int(found[1]), int(found[2]), int(found[3] or 0))
    raise ValueError(f"office hours for weekday {weekday}: not a time: {value!r}")


@dataclass(frozen=True)
class WorkingCalendar:
    """An agency's timezone, weekly office hours and closed days.

    ``office_hours`` maps ISO weekday (1 = Monday) to (open, close) local times; a missing
    weekday is closed. ``closed_days`` are the holidays and cuti bersama on which the agency
    actually closes (a Holiday row with ``closed=False`` should not be passed). Outputs are
    aware UTC datetimes; arithmetic happens in local wall time of ``timezone``.
    """

    timezone: str
    office_hours: Mapping[int, tuple[time, time]]
    closed_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown timezone: {self.timezone!r}") from exc
        hours: dict[int, tuple[time, time]] = {}
        for weekday, span in dict(self.office_hours).items():
            if not isinstance(weekday, int) or not 1 <= weekday <= 7:
                raise ValueError(f"office hours: weekday must be an ISO weekday 1..7, got {weekday!r}")
            opens, closes = span
            if opens.tzinfo is not None or closes.tzinfo is not None:
                raise ValueError("office hours are local wall times; pass naive times")
            if not opens < closes:
                raise ValueError(
                    f"office hours for weekday {weekday}: open {opens} is not before close {closes}"
                )
            hours[weekday] = (opens, closes)
        if not hours:
            raise ValueError("office hours: at least one weekday must be open, or no deadline ever falls due")
        closed = frozenset(self.closed_days)
        if not all(isinstance(d, date) and not isinstance(d, datetime) for d in closed):
            raise ValueError("closed_days must be dates")
        object.__setattr__(self, "office_hours", OfficeHours(hours))
        object.__setattr__(self, "closed_days", closed)
        object.__setattr__(self, "_t", _Tables(self.timezone, hours, closed))

    @classmethod
    def from_config(
        cls, timezone: str, office_hours_json: Mapping | None, closed_days: Iterable[date] = ()
    ) -> WorkingCalendar:
        """Build from Agency.office_hours JSON ({"1": ["07:30", "16:00"], …}).

        An empty value means the agency never set its hours, so the Perpres default applies;
        a weekday present with an empty/null value is explicitly closed.
        """
        raw = office_hours_json or DEFAULT_OFFICE_HOURS
        hours: dict[int, tuple[time, time]] = {}
        for key, span in raw.items():
            try:
                weekday = int(key)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"office hours: weekday key must be 1..7, got {key!r}") from exc
            if not span:
                continue
            if not isinstance(span, list | tuple) or len(span) != 2:
                raise ValueError(f"office hours for weekday {key}: expected [open, close], got {span!r}")
            hours[weekday] = (_parse_time(span[0], key), _parse_time(span[1], key))
        return cls(timezone, hours, frozenset(closed_days))

    # --- days ------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        return self._t.working(d.toordinal() - _ORIGIN_ORDINAL)

    def close_of(self, d: date) -> datetime:
        """Close of office on working day ``d`` (UTC); a closed day has no close → ValueError."""
        day = d.toordinal() - _ORIGIN_ORDINAL
        if not self._t.working(day):
            raise ValueError(f"{d} is not a working day")
        return self._t.utc(self._t.close_us(day))

    def next_working_close(self, moment: datetime) -> datetime:
        """Close of office of the first working day on or after ``moment``'s local date.

        This is how a deadline counted in calendar units becomes a due time: "due on day D"
        means by D's close of office, and a D that is a weekend or closed day moves to the
        next working day's close. The time of day of ``moment`` is deliberately ignored, so
        the result can be earlier than ``moment`` when it is past close on a working day.
        """
        t = self._t
        return t.utc(t.close_us(t.first_working_day_from(t.local(moment) // US_PER_DAY)))

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Close of office on the n-th working day after the day the clock starts.

        The day of receipt is day 0 when the request arrives on a working day before close,
        so "1 hari kerja" received Monday 10:00 is due Tuesday at close. Received after close,
        on a weekend or on a closed day, the next working day is day 0 (the clock starts at
        the next opening, as for minutes and hours). n = 0 is the close of day 0.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        t = self._t
        day = t.next_open(t.local(start)) // US_PER_DAY
        if n:
            day = t.nth_working_day_after(day, n)[0]
        return t.utc(t.close_us(day))

    # --- office time -----------------------------------------------------------------------

    def is_open(self, moment: datetime) -> bool:
        """Open during [open, close) of a working day: at the closing minute it is closed."""
        t = self._t
        day, tod = divmod(t.local(moment), US_PER_DAY)
        r = day % 7
        return bool(t.dur[r]) and day not in t.hol_set and t.open[r] <= tod < t.close[r]

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` (as UTC) if the office is open then, else the next opening."""
        t = self._t
        local = t.local(moment)
        nxt = t.next_open(local)
        return moment.astimezone(UTC) if nxt == local else t.utc(nxt)

    def office_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time elapsed from a to b (negative when b is before a)."""
        t = self._t
        return timedelta(microseconds=t.position(t.local(b)) - t.position(t.local(a)))

    def add_office_time(self, start: datetime, delta: timedelta) -> datetime:
        """The moment ``delta`` of office time after ``start`` (UTC).

        Counting starts at the next opening when ``start`` is outside office hours. When the
        office time runs out exactly at a close, the result is that close, not the next
        opening. ``delta`` = 0 returns ``start`` unchanged; a negative delta is refused.
        """
        amount = _us(delta)
        if amount < 0:
            raise ValueError("delta must not be negative")
        t = self._t
        local = t.local(start)
        if not amount:
            return start.astimezone(UTC)
        return t.utc(t.at_position(t.position(local) + amount, local // US_PER_DAY))
