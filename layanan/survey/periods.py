"""Survey periods: month, quarter (triwulan), semester and year — pure date arithmetic.

A period is a closed range of local dates [start, end]. Its `slug` names it in URLs and files:
"2026-05" (May), "2026-T2" (second quarter), "2026-S1" (first semester), "2026" (the year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MONTH, QUARTER, SEMESTER, YEAR = "month", "quarter", "semester", "year"
KINDS = (MONTH, QUARTER, SEMESTER, YEAR)
KIND_CHOICES = [
    (MONTH, gettext_lazy("Bulanan")),
    (QUARTER, gettext_lazy("Triwulanan")),
    (SEMESTER, gettext_lazy("Semesteran")),
    (YEAR, gettext_lazy("Tahunan")),
]
MONTHS_PER = {MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12}
ROMAN = ("I", "II", "III", "IV")
_SLUG = re.compile(r"^(\d{4})(?:-(\d{2})|-T([1-4])|-S([12]))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    kind: str

    @property
    def number(self) -> int:
        """The month (1–12), quarter (1–4), semester (1–2) or 1 for a year."""
        return (self.start.month - 1) // MONTHS_PER[self.kind] + 1

    @property
    def slug(self) -> str:
        year = self.start.year
        return {
            MONTH: f"{year}-{self.start.month:02d}",
            QUARTER: f"{year}-T{self.number}",
            SEMESTER: f"{year}-S{self.number}",
            YEAR: f"{year}",
        }[self.kind]

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == MONTH:
            return f"{MONTHS[self.start.month]} {year}"
        if self.kind == QUARTER:
            return _("Triwulan %(n)s %(year)s") % {"n": ROMAN[self.number - 1], "year": year}
        if self.kind == SEMESTER:
            return _("Semester %(n)s %(year)s") % {"n": ROMAN[self.number - 1], "year": year}
        return _("Tahun %(year)s") % {"year": year}

    def __str__(self):
        return self.label

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        return period_of(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_of(self.kind, self.end + timedelta(days=1))

    def months(self) -> list[Period]:
        return [
            period_of(MONTH, date(self.start.year, self.start.month + i, 1))
            for i in range(MONTHS_PER[self.kind])
        ]


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return nxt - timedelta(days=1)


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` that contains `day`."""
    if kind not in MONTHS_PER:
        raise ValueError(f"unknown period kind {kind!r}")
    span = MONTHS_PER[kind]
    first_month = (day.month - 1) // span * span + 1
    start = date(day.year, first_month, 1)
    return Period(start=start, end=_month_end(day.year, first_month + span - 1), kind=kind)


def last(kind: str, day: date, n: int) -> list[Period]:
    """The `n` periods of `kind` up to and including the one containing `day`, oldest first."""
    periods = [period_of(kind, day)]
    while len(periods) < n:
        periods.append(periods[-1].previous())
    return periods[::-1]


def parse(slug: str | None) -> Period | None:
    """A period from its slug ("2026-S1"…), or None when the text is not one."""
    match = _SLUG.match((slug or "").strip().upper())
    if not match:
        return None
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    month, quarter, semester = match.group(2), match.group(3), match.group(4)
    if month:
        if not 1 <= int(month) <= 12:
            return None
        return period_of(MONTH, date(year, int(month), 1))
    if quarter:
        return period_of(QUARTER, date(year, (int(quarter) - 1) * 3 + 1, 1))
    if semester:
        return period_of(SEMESTER, date(year, (int(semester) - 1) * 6 + 1, 1))
    return period_of(YEAR, date(year, 1, 1))
