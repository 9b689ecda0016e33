"""Report periods: a month, a quarter, a year or any span of whole days (pure, no Django).

A period is [start, end) in *local dates* of the agency; `bounds()` turns it into the UTC
instants the database compares with. Labels are Indonesian, as the reports print them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
QUARTERS = ["I", "II", "III", "IV"]
MAX_DAYS = 366  # the longest span a dashboard or report covers


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    kind: str = "custom"  # month, quarter, year, custom

    def __post_init__(self):
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == "month":
            return f"{MONTHS[s.month - 1]} {s.year}"
        if self.kind == "quarter":
            return f"Triwulan {QUARTERS[(s.month - 1) // 3]} {s.year}"
        if self.kind == "year":
            return f"Tahun {s.year}"
        return f"{long_date(s)} – {long_date(self.last_day)}"

    @property
    def slug(self) -> str:
        s = self.start
        if self.kind == "month":
            return f"{s:%Y-%m}"
        if self.kind == "quarter":
            return f"{s.year}-T{(s.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{s.year}"
        return f"{s:%Y%m%d}-{self.last_day:%Y%m%d}"

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(tz)
        return (
            datetime.combine(self.start, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(self.end, time(0), tzinfo=zone).astimezone(UTC),
        )

    def bucket(self) -> str:
        """The time step of a chart over this period: day, week or month."""
        if self.days <= 62:
            return "day"
        if self.days <= 190:
            return "week"
        return "month"

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end


def long_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month(year: int, m: int) -> Period:
    start = date(year, m, 1)
    end = date(year + 1, 1, 1) if m == 12 else date(year, m + 1, 1)
    return Period(start, end, "month")


def quarter(year: int, q: int) -> Period:
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Period(start, end, "quarter")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y + 1, 1, 1), "year")


def containing(kind: str, d: date) -> Period:
    if kind == "month":
        return month(d.year, d.month)
    if kind == "quarter":
        return quarter(d.year, (d.month - 1) // 3 + 1)
    if kind == "year":
        return year(d.year)
    raise ValueError(kind)


def previous(kind: str, d: date) -> Period:
    """The last complete period of `kind` before the one containing `d`."""
    current = containing(kind, d)
    return containing(kind, current.start - timedelta(days=1))


def months_between(start: date, end: date) -> list[Period]:
    """Every month that overlaps [start, end)."""
    out, d = [], date(start.year, start.month, 1)
    while d < end:
        p = month(d.year, d.month)
        out.append(p)
        d = p.end
    return out


def parse_slug(text: str) -> Period:
    """'2026-11' → month, '2026-T4' → quarter, '2026' → year; ValueError otherwise."""
    text = (text or "").strip()
    try:
        if len(text) == 4 and text.isdigit():
            return year(int(text))
        if len(text) == 7 and text[4] == "-" and text[5] == "T":
            q = int(text[6])
            if 1 <= q <= 4:
                return quarter(int(text[:4]), q)
        if len(text) == 7 and text[4] == "-":
            return month(int(text[:4]), int(text[5:7]))
    except ValueError:
        pass
    raise ValueError(f"not a period: {text!r}")


def bucket_start(d: date, bucket: str) -> date:
    if bucket == "week":
        return d - timedelta(days=d.weekday())
    if bucket == "month":
        return d.replace(day=1)
    return d


def bucket_label(d: date, bucket: str) -> str:
    if bucket == "month":
        return f"{MONTHS_SHORT[d.month - 1]} {d.year}"
    return f"{d.day} {MONTHS_SHORT[d.month - 1]}"


def buckets(period: Period, bucket: str) -> list[date]:
    """Every bucket start of the period, in order (empty buckets included)."""
    out, d = [], bucket_start(period.start, bucket)
    while d < period.end:
        out.append(d)
        if bucket == "day":
            d += timedelta(days=1)
        elif bucket == "week":
            d += timedelta(days=7)
        else:
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out
