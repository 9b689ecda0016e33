"""The working calendar and the SLA clock (layanan.sla): hand examples and properties.

Pure tests: no database. The hand examples use the real 2026 Indonesian calendar (holidays
package, government + public categories, so cuti bersama is included); the properties run on
random office hours, timezones and holiday sets, and compare against a deliberately naive
minute-by-minute / day-by-day reference written here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from layanan.sla import DEFAULT_OFFICE_HOURS, Deadline, Pause, WorkingCalendar, compute_deadline
from layanan.standards.duration import DurationSpec, parse_duration

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
ID_HOLIDAYS = holidays.Indonesia(years=(2026, 2027), categories=("government", "public"))
CLOSED_2026_2027 = frozenset(ID_HOLIDAYS.keys())
MON_FRI_0730_1600 = {str(d): ["07:30", "16:00"] for d in range(1, 6)}


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def wita(*args) -> datetime:
    return datetime(*args, tzinfo=WITA)


def deadline(text: str, start: datetime, calendar: WorkingCalendar, pauses=()) -> Deadline:
    return compute_deadline(parse_duration(text), start, calendar, pauses)


@pytest.fixture(scope="module")
def bangli() -> WorkingCalendar:
    """A WITA agency on the default (Perpres) hours with the national calendar."""
    return WorkingCalendar.from_config("Asia/Makassar", {}, CLOSED_2026_2027)


@pytest.fixture(scope="module")
def jakarta() -> WorkingCalendar:
    return WorkingCalendar.from_config("Asia/Jakarta", {}, CLOSED_2026_2027)


# --- configuration -------------------------------------------------------------------------


def test_2026_calendar_has_the_25_days_including_cuti_bersama():
    days_2026 = {d for d in CLOSED_2026_2027 if d.year == 2026}
    assert len(days_2026) == 25
    cuti = {
        date(2026, m, d) for m, d in ((2, 16), (3, 18), (3, 20), (3, 23), (3, 24), (5, 15), (5, 28), (12, 24))
    }
    assert cuti <= days_2026


def test_from_config_empty_means_perpres_hours(jakarta):
    assert dict(jakarta.office_hours) == {
        **{d: (time(7, 30), time(16)) for d in range(1, 5)},
        5: (time(7, 30), time(16, 30)),
    }
    assert not jakarta.is_working_day(date(2026, 1, 10))  # Saturday
    assert not jakarta.is_working_day(date(2026, 3, 19))  # Nyepi
    assert jakarta.is_working_day(date(2026, 3, 25))


def test_from_config_reads_indonesian_time_notation():
    cal = WorkingCalendar.from_config(
        "Asia/Jakarta", {"1": ["7.30", "16.00"], "2": ["08:00:00", "12:00"]}, ()
    )
    assert dict(cal.office_hours) == {1: (time(7, 30), time(16)), 2: (time(8), time(12))}


def test_from_config_weekday_with_empty_value_is_closed_and_saturday_can_open():
    cal = WorkingCalendar.from_config(
        "Asia/Jakarta", {"1": ["08:00", "12:00"], "2": None, "6": ["08:00", "11:00"]}, ()
    )
    assert cal.is_working_day(date(2026, 1, 10))  # Saturday
    assert not cal.is_working_day(date(2026, 1, 6))  # Tuesday


@pytest.mark.parametrize(
    "hours",
    [
        {"1": ["16:00", "07:30"]},
        {"8": ["07:30", "16:00"]},
        {"1": ["07:30"]},
        {"1": ["half past", "16:00"]},
        {"1": ["07:30", "24:00"]},
        {"1": None, "2": []},
    ],
)
def test_from_config_rejects_bad_hours(hours):
    with pytest.raises(ValueError):
        WorkingCalendar.from_config("Asia/Jakarta", hours, ())


def test_unknown_timezone_and_naive_datetimes_are_refused(jakarta):
    with pytest.raises(ValueError):
        WorkingCalendar.from_config("Asia/Nowhere", {}, ())
    with pytest.raises(ValueError):
        compute_deadline(parse_duration("45 Menit"), datetime(2026, 1, 5, 10), jakarta)
    with pytest.raises(ValueError):
        jakarta.is_open(datetime(2026, 1, 5, 10))
    with pytest.raises(ValueError):
        compute_deadline(
            parse_duration("5 hari kerja"), wib(2026, 1, 5, 10), jakarta, [Pause(datetime(2026, 1, 6))]
        )


def test_calendar_is_a_hashable_value():
    a = WorkingCalendar.from_config("Asia/Jakarta", {}, [date(2026, 1, 1)])
    b = WorkingCalendar.from_config("Asia/Jakarta", DEFAULT_OFFICE_HOURS, {date(2026, 1, 1)})
    assert a == b and hash(a) == hash(b)


# --- hand examples -------------------------------------------------------------------------


def test_45_minutes_from_friday_1600_wib_is_monday_0815():
    cal = WorkingCalendar.from_config("Asia/Jakarta", MON_FRI_0730_1600, CLOSED_2026_2027)
    result = deadline("45 Menit", wib(2026, 1, 9, 16, 0), cal)
    assert result.due == wib(2026, 1, 12, 8, 15)
    assert result.due.tzinfo is UTC
    assert result.at_risk == wib(2026, 1, 12, 8, 3, 45)  # 75 % of 45 office minutes
    assert result.paused is False


def test_45_minutes_on_perpres_hours_uses_the_friday_half_hour(jakarta):
    # The default Friday closes at 16:30, so 30 of the 45 minutes are spent on Friday.
    assert deadline("45 Menit", wib(2026, 1, 9, 16, 0), jakarta).due == wib(2026, 1, 12, 7, 45)


def test_minutes_received_at_night_start_at_the_next_opening(jakarta):
    assert deadline("30 (tiga puluh) menit", wib(2026, 1, 5, 22, 0), jakarta).due == wib(2026, 1, 6, 8, 0)
    # Ending exactly at close is due at that close, not at the next opening.
    assert deadline("30 menit", wib(2026, 1, 5, 15, 30), jakarta).due == wib(2026, 1, 5, 16, 0)


def test_weeks_range_over_new_year(jakarta):
    result = deadline("1 s/d 3 Minggu", wib(2026, 12, 21, 9, 0), jakarta)
    assert result.due == wib(2027, 1, 11, 16, 0)
    assert result.at_risk == wib(2026, 12, 28, 16, 0)


def test_working_days_around_nyepi_and_idul_fitri_in_wita(bangli):
    # Day 0 is Tue 17 March; 18–24 March are cuti bersama, Nyepi, weekend and Idul Fitri.
    result = deadline("1 (satu) – 60 (enam puluh) hari kerja", wita(2026, 3, 17, 10, 0), bangli)
    assert result.at_risk == wita(2026, 3, 25, 16, 0)
    assert result.due == wita(2026, 6, 26, 16, 30)  # a Friday: close at 16:30
    assert deadline("5 hari kerja", wita(2026, 3, 13, 9, 0), bangli).due == wita(2026, 3, 27, 16, 30)


def test_the_same_local_rule_gives_different_utc_in_wib_and_wita(jakarta, bangli):
    wib_due = deadline("5 hari kerja", wib(2026, 1, 5, 10), jakarta).due
    wita_due = deadline("5 hari kerja", wita(2026, 1, 5, 10), bangli).due
    assert wib_due - wita_due == timedelta(hours=1)
    assert wita_due == datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


def test_one_working_day(jakarta):
    assert deadline("1 (satu) hari kerja", wib(2026, 1, 5, 10), jakarta).due == wib(2026, 1, 6, 16)
    assert deadline("1 (satu) hari kerja", wib(2026, 1, 5, 6), jakarta).due == wib(2026, 1, 6, 16)
    assert deadline("1 (satu) hari kerja", wib(2026, 1, 5, 17), jakarta).due == wib(2026, 1, 7, 16)
    assert deadline("1 (satu) hari kerja", wib(2026, 1, 10, 10), jakarta).due == wib(2026, 1, 13, 16)
    assert jakarta.add_working_days(wib(2026, 1, 5, 10), 0) == wib(2026, 1, 5, 16)


@pytest.mark.parametrize(
    ("start", "due", "at_risk"),
    [
        (wib(2026, 8, 31, 10), wib(2027, 3, 1, 16), wib(2026, 11, 30, 16)),  # 28 Feb 2027 is a Sunday
        (wib(2026, 3, 31, 10), wib(2026, 9, 30, 16), wib(2026, 6, 30, 16)),
        (wib(2027, 11, 30, 10), wib(2028, 5, 30, 16), wib(2028, 2, 29, 16)),  # leap day, a Tuesday
    ],
)
def test_months_clamp_to_the_end_of_the_month(jakarta, start, due, at_risk):
    result = deadline("3 s/d 6 bulan", start, jakarta)
    assert (result.due, result.at_risk) == (due, at_risk)


def test_calendar_deadline_on_christmas_moves_to_the_next_working_close(jakarta):
    # 23 Dec + 2 days = Fri 25 Dec (Christmas) → Sat, Sun → Monday 28 Dec at close.
    assert deadline("2 (dua) hari sejak", wib(2026, 12, 23, 10), jakarta).due == wib(2026, 12, 28, 16)
    assert jakarta.next_working_close(wib(2026, 12, 25, 9)) == wib(2026, 12, 28, 16)


def test_year_unit(jakarta):
    # 2027-01-05 is Isra' Mi'raj → next working day.
    assert deadline("1 tahun", wib(2026, 1, 5, 10), jakarta).due == wib(2027, 1, 6, 16)


def test_a_holiday_added_later_moves_the_deadline(jakarta):
    start = wib(2026, 7, 6, 10)
    assert deadline("5 hari kerja", start, jakarta).due == wib(2026, 7, 13, 16)
    amended = WorkingCalendar(
        jakarta.timezone, jakarta.office_hours, jakarta.closed_days | {date(2026, 7, 8)}
    )
    assert deadline("5 hari kerja", start, amended).due == wib(2026, 7, 14, 16)
    assert deadline("2 hari sejak", wib(2026, 7, 6, 10), amended).due == wib(2026, 7, 9, 16)


def test_a_two_working_day_pause_moves_five_working_days_by_two(jakarta):
    start = wib(2026, 1, 5, 10)
    plain = deadline("5 hari kerja", start, jakarta)
    assert plain.due == wib(2026, 1, 12, 16)
    pause = Pause(wib(2026, 1, 6, 7, 30), wib(2026, 1, 7, 16, 0))  # all of Tuesday and Wednesday
    paused = deadline("5 hari kerja", start, jakarta, [pause])
    assert paused.due == wib(2026, 1, 14, 16)
    assert jakarta.office_time_between(plain.due, paused.due) == jakarta.office_time_between(
        pause.start, pause.end
    )
    assert paused.paused is False


def test_a_pause_over_a_weekend_moves_nothing_and_pauses_merge(jakarta):
    start = wib(2026, 1, 5, 10)
    weekend = Pause(wib(2026, 1, 9, 17), wib(2026, 1, 12, 7))
    assert deadline("5 hari kerja", start, jakarta, [weekend]).due == wib(2026, 1, 12, 16)
    overlapping = [
        Pause(wib(2026, 1, 6, 8), wib(2026, 1, 6, 10)),
        Pause(wib(2026, 1, 6, 9), wib(2026, 1, 6, 11)),
    ]
    assert deadline("45 Menit", wib(2026, 1, 6, 7, 30), jakarta, overlapping).due == wib(2026, 1, 6, 11, 15)


def test_a_pause_after_the_due_time_does_not_undo_a_breach(jakarta):
    start = wib(2026, 1, 5, 10)
    late = Pause(wib(2026, 1, 5, 11), wib(2026, 1, 6, 11))
    assert deadline("30 menit", start, jakarta, [late]).due == wib(2026, 1, 5, 10, 30)


def test_an_open_pause_gives_no_due_time(jakarta):
    result = deadline("5 hari kerja", wib(2026, 1, 5, 10), jakarta, [Pause(wib(2026, 1, 6, 9))])
    assert result == Deadline(None, None, True)
    # An at-risk point reached before the pause began stays where it was.
    ranged = deadline("1 s/d 3 Minggu", wib(2026, 1, 5, 10), jakarta, [Pause(wib(2026, 1, 14, 9))])
    assert ranged == Deadline(None, wib(2026, 1, 12, 16), True)


def test_calendar_units_shift_by_the_pause_then_resnap(jakarta):
    start = wib(2026, 1, 5, 10)  # + 2 days = Wed 7th
    pause = Pause(wib(2026, 1, 6, 12), wib(2026, 1, 8, 12))  # two calendar days
    assert deadline("2 hari sejak", start, jakarta, [pause]).due == wib(2026, 1, 9, 16, 30)
    pause = Pause(wib(2026, 1, 6, 12), wib(2026, 1, 9, 12))  # three → Saturday → Monday
    assert deadline("2 hari sejak", start, jakarta, [pause]).due == wib(2026, 1, 12, 16)


def test_continuous_service_has_no_deadline(jakarta):
    assert deadline("Setiap hari kerja", wib(2026, 1, 5, 10), jakarta) == Deadline(None, None, False)


def test_spec_as_interchange_dict(jakarta):
    spec = {
        "min": None,
        "max": 5,
        "unit": "working_day",
        "clock_starts_at": "submitted",
        "text": "5 hari kerja",
    }
    assert compute_deadline(spec, wib(2026, 1, 5, 10), jakarta).due == wib(2026, 1, 12, 16)


def test_calendar_methods(jakarta):
    assert jakarta.is_open(wib(2026, 1, 5, 7, 30)) and not jakarta.is_open(wib(2026, 1, 5, 16, 0))
    assert jakarta.next_open(wib(2026, 1, 5, 12)) == wib(2026, 1, 5, 12)
    assert jakarta.next_open(wib(2026, 3, 17, 16, 5)) == wib(2026, 3, 25, 7, 30)
    assert jakarta.office_time_between(wib(2026, 1, 9, 16), wib(2026, 1, 12, 8)) == timedelta(minutes=60)
    assert jakarta.office_time_between(wib(2026, 1, 12, 8), wib(2026, 1, 9, 16)) == timedelta(minutes=-60)
    assert jakarta.add_office_time(wib(2026, 1, 9, 16), timedelta(minutes=60)) == wib(2026, 1, 12, 8)
    assert jakarta.close_of(date(2026, 1, 9)) == wib(2026, 1, 9, 16, 30)
    with pytest.raises(ValueError):
        jakarta.close_of(date(2026, 12, 25))


def test_outside_the_fixed_offset_window_and_in_a_dst_zone():
    far = WorkingCalendar.from_config("Asia/Jakarta", MON_FRI_0730_1600, ())
    assert far.add_office_time(wib(2101, 1, 7, 15, 30), timedelta(hours=1)) == wib(2101, 1, 10, 8, 0)
    berlin = ZoneInfo("Europe/Berlin")
    cal = WorkingCalendar.from_config("Europe/Berlin", MON_FRI_0730_1600, ())
    # Friday before the spring change → Monday in summer time (wall-clock office hours).
    due = cal.add_office_time(datetime(2026, 3, 27, 15, 30, tzinfo=berlin), timedelta(hours=1))
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=berlin)


# --- a naive reference --------------------------------------------------------------------

MINUTE = timedelta(minutes=1)


class Naive:
    """The rules the slow, obvious way: one minute or one day at a time."""

    def __init__(self, hours: dict[int, tuple[time, time]], closed: frozenset[date], tz: ZoneInfo):
        self.hours, self.closed, self.tz = hours, closed, tz

    def working(self, d: date) -> bool:
        return d.isoweekday() in self.hours and d not in self.closed

    def open_at(self, t: datetime) -> bool:
        if not self.working(t.date()):
            return False
        opens, closes = self.hours[t.isoweekday()]
        return opens <= t.time() < closes

    def close(self, d: date) -> datetime:
        return datetime.combine(d, self.hours[d.isoweekday()][1], self.tz)

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        t = start.astimezone(self.tz).replace(tzinfo=None)  # wall time: the zones have no DST
        while True:
            if self.open_at(t):
                minutes -= 1
                if minutes == 0:
                    return (t + MINUTE).replace(tzinfo=self.tz)
            t += MINUTE

    def add_working_days(self, start: datetime, n: int) -> datetime:
        t = start.astimezone(self.tz)
        d = t.date()
        if not self.working(d) or t.time() >= self.hours[d.isoweekday()][1]:
            d += timedelta(days=1)
            while not self.working(d):
                d += timedelta(days=1)
        while n:
            d += timedelta(days=1)
            if self.working(d):
                n -= 1
        return self.close(d)


@st.composite
def calendars(draw):
    """Random zone, office hours (15-minute grid, sometimes Saturday) and closed days."""
    hours = {}
    for weekday in range(1, 8):
        open_odds = 9 if weekday <= 5 else 1  # weekdays open 9 in 10, weekend days 1 in 10
        if draw(st.integers(0, 9)) >= open_odds:
            continue
        opens = draw(st.integers(6 * 4, 10 * 4))  # quarter hours
        closes = draw(st.integers(opens + 4, min(opens + 11 * 4, 95)))
        hours[weekday] = (time(opens // 4, opens % 4 * 15), time(closes // 4, closes % 4 * 15))
    assume(hours)
    closed = draw(
        st.one_of(
            st.just(CLOSED_2026_2027),
            st.frozensets(st.dates(date(2026, 1, 1), date(2027, 6, 30)), max_size=40),
        )
    )
    zone = draw(st.sampled_from(ZONES))
    return WorkingCalendar(zone, hours, closed)


def naive_of(cal: WorkingCalendar) -> Naive:
    return Naive(dict(cal.office_hours), cal.closed_days, ZoneInfo(cal.timezone))


START_2026 = datetime(2026, 1, 1, tzinfo=UTC)
starts = st.integers(0, 365 * 24 * 60 - 1).map(lambda m: START_2026 + timedelta(minutes=m))
office_specs = st.one_of(
    st.builds(lambda n: DurationSpec(None, n, "minute", "submitted", ""), st.integers(1, 600)),
    st.builds(lambda n: DurationSpec(None, n, "hour", "submitted", ""), st.integers(1, 16)),
    st.builds(lambda n: DurationSpec(None, n, "working_day", "submitted", ""), st.integers(1, 60)),
    st.builds(
        lambda lo, extra, unit: DurationSpec(lo, lo + extra, unit, "submitted", ""),
        st.integers(1, 20),
        st.integers(1, 20),
        st.sampled_from(("minute", "hour", "working_day")),
    ),
)
calendar_specs = st.builds(
    lambda n, lo, unit: DurationSpec(lo if lo and lo < n else None, n, unit, "submitted", ""),
    st.integers(1, 40),
    st.none() | st.integers(1, 39),
    st.sampled_from(("day", "week", "month", "year")),
)
all_specs = st.one_of(office_specs, calendar_specs)

PROPS = settings(deadline=None, max_examples=200)


def in_office_hours(cal: WorkingCalendar, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(cal.timezone))
    if not cal.is_working_day(local.date()):
        return False
    opens, closes = cal.office_hours[local.isoweekday()]
    return opens <= local.time() <= closes


@PROPS
@given(calendars(), all_specs, starts, st.integers(0, 30 * 24 * 60))
def test_monotonic_in_the_start_time(cal, spec, start, later_minutes):
    first = compute_deadline(spec, start, cal)
    second = compute_deadline(spec, start + timedelta(minutes=later_minutes), cal)
    assert second.due >= first.due
    assert second.at_risk >= first.at_risk


@PROPS
@given(calendars(), all_specs, starts)
def test_due_never_lands_outside_office_time(cal, spec, start):
    result = compute_deadline(spec, start, cal)
    assert result.due > start
    assert in_office_hours(cal, result.due)
    assert result.at_risk <= result.due


@PROPS
@given(calendars(), office_specs, starts, st.floats(0, 0.999), st.integers(1, 5 * 24 * 60))
def test_a_pause_adds_exactly_the_paused_office_time(cal, spec, start, where, minutes):
    original = compute_deadline(spec, start, cal).due
    begin = start + (original - start) * where
    pause = Pause(begin, begin + timedelta(minutes=minutes))
    moved = compute_deadline(spec, start, cal, [pause])
    assert cal.office_time_between(original, moved.due) == cal.office_time_between(pause.start, pause.end)
    assert in_office_hours(cal, moved.due)


@PROPS
@given(calendars(), office_specs, starts)
def test_agrees_with_the_naive_reference(cal, spec, start):
    naive = naive_of(cal)
    result = compute_deadline(spec, start, cal)
    if spec.unit == "working_day":
        expected = naive.add_working_days(start, spec.max)
        expected_risk = naive.add_working_days(start, spec.min) if spec.min else None
    else:
        per = 60 if spec.unit == "hour" else 1
        expected = naive.add_minutes(start, spec.max * per)
        expected_risk = naive.add_minutes(start, spec.min * per) if spec.min else None
    assert result.due == expected
    if expected_risk is not None:
        assert result.at_risk == expected_risk
    else:  # no range: 75 % of the office time of the window
        window = cal.office_time_between(start, result.due)
        assert cal.office_time_between(start, result.at_risk) == (window * 3) // 4


@PROPS
@given(calendars(), starts, st.integers(0, 20 * 24 * 60 * 60))
def test_adding_the_office_time_between_two_moments_reaches_the_second(cal, a, seconds):
    b = a + timedelta(seconds=seconds)
    reached = cal.add_office_time(a, cal.office_time_between(a, b))
    assert cal.next_open(reached) == cal.next_open(b)
    if cal.is_open(b) and reached != a:
        assert reached == b
