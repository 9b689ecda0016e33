"""Pure arithmetic of the reports: percentiles, shares, number formats, topics, zones.

No database here: queries.py hands in plain values, the tests check the rules directly.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# ---------------------------------------------------------------- statistics


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont, numpy's default):
    the median of 1, 2, 3, 4 is 2.5. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def share(part: int, whole: int) -> float | None:
    """part / whole as a percentage (None when there is nothing to divide)."""
    return None if not whole else 100.0 * part / whole


@dataclass
class SlaFigures:
    """Finished requests of a group and how they kept the promise.

    Either built row by row (`add`, percentiles from the lists) or from the database's aggregates
    (`known`: the percentiles PostgreSQL computed with percentile_cont — the same interpolation).
    """

    finished: int = 0
    with_promise: int = 0
    met: int = 0
    breached: int = 0
    rejected: int = 0
    days: list = field(default_factory=list)  # working days of each finished request
    minutes: list = field(default_factory=list)  # its office minutes (as the SLA clock counts)
    known: dict | None = None  # {"days": (p50, p90), "minutes": (p50, p90)} from the database
    show_minutes: bool = False  # a service promised in minutes/hours: under a day, say it in minutes

    def __post_init__(self):
        self._memo = {}

    def add(
        self,
        *,
        has_promise: bool,
        breached: bool,
        working_days: float,
        rejected: bool = False,
        office_minutes: int | None = None,
    ):
        self.finished += 1
        self.rejected += int(rejected)
        self.days.append(working_days)
        if office_minutes is not None:
            self.minutes.append(office_minutes)
        if has_promise:
            self.with_promise += 1
            if breached:
                self.breached += 1
            else:
                self.met += 1
        self._memo.clear()

    def _quantiles(self, which: str) -> tuple:
        if self.known is not None:
            return self.known[which]
        if which not in self._memo:
            values = sorted(self.days if which == "days" else self.minutes)
            self._memo[which] = (percentile(values, 0.5), percentile(values, 0.9))
        return self._memo[which]

    @property
    def met_pct(self) -> float | None:
        return share(self.met, self.with_promise)

    @property
    def median(self) -> float | None:
        return self._quantiles("days")[0]

    @property
    def p90(self) -> float | None:
        return self._quantiles("days")[1]

    @property
    def median_text(self) -> str:
        return fmt_duration(self.median, self._quantiles("minutes")[0] if self.show_minutes else None)

    @property
    def p90_text(self) -> str:
        return fmt_duration(self.p90, self._quantiles("minutes")[1] if self.show_minutes else None)


# ---------------------------------------------------------------- formats (Indonesian)


def fmt_num(value, digits: int = 1) -> str:
    """12.5 → '12,5'; 1234 → '1.234'; None → '—'."""
    if value is None:
        return "—"
    if isinstance(value, int) or digits == 0:
        return f"{round(value):,}".replace(",", ".")
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_pct(value, digits: int = 1) -> str:
    return "—" if value is None else f"{fmt_num(float(value), digits)} %"


def fmt_days(value) -> str:
    """Working days for people: '2,5 hari kerja'; under a day in office hours or minutes."""
    if value is None:
        return "—"
    return f"{fmt_num(float(value), 1)} hari kerja"


def fmt_duration(days, minutes=None) -> str:
    """Working days, or office minutes/hours when it took less than a working day."""
    if days is None:
        return "—"
    if days < 1 and minutes is not None:
        return fmt_minutes(minutes)
    return fmt_days(days)


def fmt_minutes(value) -> str:
    if value is None:
        return "—"
    if value < 120:
        return f"{fmt_num(value, 0)} menit kerja"
    return f"{fmt_num(value / 60, 1)} jam kerja"


# ---------------------------------------------------------------- complaint topics

# Words that say nothing about what a complaint is about (Indonesian function words and the
# words every complaint uses). Kept short and explicit: the list is part of the definition.
STOPWORDS = frozenset(
    """
yang dan di ke dari untuk dengan pada dalam atas oleh ini itu tidak belum sudah akan agar atau
juga karena sehingga saya kami kita mereka anda bapak ibu mohon tolong terkait tentang mengenai
ada adalah para sangat lebih masih bisa dapat harus sebagai serta bagi hal namun tapi tetapi
se nya pun kah lah telah masalah laporan pengaduan aduan keluhan permohonan permintaan
perihal soal uji tanpa jam hari kali sejak sampai hingga baru lama segera
""".split()
)
WORD = re.compile(r"[a-zA-Z][a-zA-Z\-]{2,}")


def topics(subjects: Iterable[str], top: int = 10) -> list[tuple[str, int]]:
    """The words complaints are about: each subject counts a word once; stop words, numbers and
    words of fewer than three letters left out; the `top` most frequent, ties alphabetical."""
    counts: Counter = Counter()
    for subject in subjects:
        words = {w.lower().strip("-") for w in WORD.findall(subject or "")}
        counts.update(w for w in words if w and w not in STOPWORDS)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


# ---------------------------------------------------------------- compliance

GREEN, YELLOW, RED = "green", "yellow", "red"
ZONE_LABELS = {GREEN: "Hijau", YELLOW: "Kuning", RED: "Merah"}


def zone(score: float | None, green_min: float, yellow_min: float) -> str | None:
    """Ombudsman-style zone of a 0–100 score with the region's thresholds."""
    if score is None:
        return None
    score = round(score, 2)
    if score >= green_min:
        return GREEN
    if score >= yellow_min:
        return YELLOW
    return RED


def composite(parts: dict[str, float | None]) -> float | None:
    """The compliance score: the mean of the parts that could be measured (None left out)."""
    known = [v for v in parts.values() if v is not None]
    return round(sum(known) / len(known), 2) if known else None
