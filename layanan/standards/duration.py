"""Parse the "Jangka waktu penyelesaian" text of a service standard into a duration spec.

Agencies write the completion time of a service as free Indonesian text ("1 (satu) – 60
(enam puluh) hari kerja", "paling lama dalam waktu 30 menit.", "Setiap hari kerja"). The SLA
clock needs numbers, so this module turns that text into a :class:`DurationSpec` and keeps the
original text next to it. Anything the parser had to guess is reported as a warning in Bahasa
Indonesia, so a human can check it before the standard is enacted.

Pure Python on purpose: the importer, the API and the tests use it without Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

UNITS = ("minute", "hour", "working_day", "day", "week", "month", "year", "none")
SUBMITTED = "submitted"

# Largest value accepted per unit (roughly a century). Bigger values are typing mistakes and
# would overflow the deadline arithmetic downstream.
MAX_VALUES = {
    "minute": 100_000,
    "hour": 10_000,
    "working_day": 10_000,
    "day": 36_500,
    "week": 5_200,
    "month": 1_200,
    "year": 100,
}

# Exact conversions from a bigger unit to a smaller one, used for fractions ("1,5 jam"),
# compounds ("1 jam 30 menit") and ranges with mixed units ("1 minggu - 10 hari").
# Day -> hour is deliberately missing: hours are counted in office time.
_EXACT_FACTORS = {("hour", "minute"): 60, ("week", "day"): 7, ("year", "month"): 12}

_UNIT_LABELS = {
    "minute": "menit",
    "hour": "jam",
    "working_day": "hari kerja",
    "day": "hari kalender",
    "week": "minggu",
    "month": "bulan",
    "year": "tahun",
}

_FLAGS = re.IGNORECASE | re.ASCII


class DurationParseError(ValueError):
    """The text cannot be read as a duration; the message (Bahasa Indonesia) says why."""


@dataclass(frozen=True)
class DurationSpec:
    """A parsed completion time: ``max`` is the deadline, ``min`` the optional range start."""

    min: int | None
    max: int | None
    unit: str
    clock_starts_at: str
    text: str
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_invariants(self)

    def as_dict(self) -> dict[str, Any]:
        """The interchange shape (DESIGN.md); warnings are import feedback, not data."""
        return {
            "min": self.min,
            "max": self.max,
            "unit": self.unit,
            "clock_starts_at": self.clock_starts_at,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DurationSpec:
        """Rebuild a spec stored with :meth:`as_dict` (e.g. from JSON), re-checking it."""
        return cls(
            min=data.get("min"),
            max=data.get("max"),
            unit=data.get("unit", ""),
            clock_starts_at=data.get("clock_starts_at") or SUBMITTED,
            text=data.get("text") or "",
        )


def _check_invariants(spec: DurationSpec) -> None:
    """Refuse impossible specs early, so stored data can always drive the SLA clock."""
    if spec.unit not in UNITS:
        raise DurationParseError(f"Satuan waktu tidak dikenali: {spec.unit!r}")
    if spec.unit == "none":
        if spec.min is not None or spec.max is not None:
            raise DurationParseError("Layanan berkelanjutan tidak boleh memiliki angka waktu.")
        return
    if not _is_positive_int(spec.max):
        raise DurationParseError(f"Batas waktu harus bilangan bulat positif: {spec.max!r}")
    if spec.min is not None and not (_is_positive_int(spec.min) and spec.min < spec.max):
        raise DurationParseError(f"Rentang tidak valid: {spec.min!r} s/d {spec.max!r}")


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# --- Number words -------------------------------------------------------------------------

_ONES = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")


def _number_words(n: int) -> str:
    """Canonical Indonesian spelling of 0..999, used to build the lookup table below."""
    if n < 10:
        return _ONES[n]
    if n < 20:
        return {10: "sepuluh", 11: "sebelas"}.get(n) or f"{_ONES[n - 10]} belas"
    if n < 100:
        tens = f"{_ONES[n // 10]} puluh"
        return tens if n % 10 == 0 else f"{tens} {_ONES[n % 10]}"
    hundreds = "seratus" if n // 100 == 1 else f"{_ONES[n // 100]} ratus"
    return hundreds if n % 100 == 0 else f"{hundreds} {_number_words(n % 100)}"


_WORD_VALUES = {_number_words(n): n for n in range(1000)}
_NUM_TOKEN = (
    r"(?:nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan"
    r"|sepuluh|sebelas|seratus|belas|puluh|ratus)"
)
_WORDS = rf"\b{_NUM_TOKEN}(?:\s+{_NUM_TOKEN})*\b"


def _words_value(words: str) -> int | None:
    """Value of a spelled-out number, or None when the words are not a valid number."""
    return _WORD_VALUES.get(" ".join(words.lower().split()))


# --- Patterns -----------------------------------------------------------------------------

_UNIT_PATTERNS = (
    ("working_day", r"hari\s+kerja|hk|working\s+days?|business\s+days?|workdays?"),
    ("day", r"hari\s+kalender|calendar\s+days?|hari|days?"),
    ("minute", r"menit|minutes?|mins?"),
    ("hour", r"jam(?:\s+kerja)?|hours?"),
    ("week", r"minggu|pekan|weeks?"),
    ("month", r"bulan|months?"),
    ("year", r"tahun|years?"),
)
_UNIT_ALTERNATIVES = "|".join(pattern for _, pattern in _UNIT_PATTERNS)
_AMBIGUOUS_DAY = re.compile(r"hari|days?", _FLAGS)

_DIGITS = r"(?<![0-9])(?<![0-9][.,])[0-9]+(?:[.,][0-9]+)?(?:\s*[x\u00d7]\s*[0-9]+)?"
_SE_PREFIX = r"\bse(?=(?:hari|minggu|pekan|bulan|tahun|jam)\b)"
_SEPARATOR = (
    r"\s*(?:s\s*/\s*d\.?|s\.\s*d\.?|\bsd\b|\bsampai(?:\s+dengan)?\b|\bhingga\b|\bto\b"
    r"|[-\u2010-\u2015\u2212~])\s*"
)


def _num(name: str) -> str:
    """A number as digits, spelled out, or the "se-" prefix, with optional "(words)"."""
    return (
        rf"(?:(?P<{name}_d>{_DIGITS})|(?P<{name}_w>{_WORDS})|(?P<{name}_se>{_SE_PREFIX}))"
        rf"(?:\s*\((?P<{name}_p>[^()]{{0,60}})\))?"
    )


def _unit(name: str) -> str:
    return rf"(?P<{name}>{_UNIT_ALTERNATIVES})\b"


_QUANTITY = re.compile(
    rf"(?:{_num('lo')}(?:\s*{_unit('lo_unit')})?{_SEPARATOR})?{_num('hi')}\s*{_unit('unit')}",
    _FLAGS,
)
_BARE_NUMBER = re.compile(rf"{_DIGITS}|{_WORDS}", _FLAGS)
_NEXT_WORD = re.compile(r"\s*(?:\([^()]{0,60}\)\s*)?([^\W\d_]+)")

_CONTINUOUS = re.compile(
    r"\b(?:(?:setiap|tiap)\s+(?:hari(?:\s+kerja)?|saat|waktu|jam\s+(?:kerja|kantor|pelayanan|layanan))"
    r"|sepanjang\s+(?:hari(?:\s+kerja)?|waktu|tahun|jam\s+(?:kerja|kantor|pelayanan|layanan))"
    r"|selama\s+(?:hari\s+kerja|jam\s+(?:kerja|kantor|pelayanan|layanan))"
    r"|kapan\s*(?:saja|pun)|berkelanjutan|terus[\s-]+menerus"
    r"|every\s+(?:working\s+)?day|any\s*time|continuous(?:ly)?|ongoing)\b",
    _FLAGS,
)
_CONTINUOUS_PHRASE_START = re.compile(r"(?:setiap|tiap|sepanjang|selama|kapan)\b", _FLAGS)

_CLOCK_MARKER = re.compile(
    r"\b(?:sejak|semenjak|setelah|sesudah|terhitung\s+(?:mulai|dari)|dihitung\s+dari)\b", _FLAGS
)
_MIN_MARKER = re.compile(
    r"\b(?:paling\s+cepat|minimal|minimum|sekurang-kurangnya|setidaknya)\s*$", _FLAGS
)
_MAX_MARKER = re.compile(
    r"\b(?:paling\s+lama|maksimal|maksimum|selambat-lambatnya|paling\s+lambat)\b", _FLAGS
)
_COMPOUND_GAP = re.compile(r"\s*(?:,|\bdan\b)?\s*", _FLAGS)
_LEADING_FILLER = re.compile(r"^[\s,.;:]+")
_TRAILING_FILLER = re.compile(
    r"\b(?:paling\s+lama|paling\s+lambat|maksimal|maksimum|selambat-lambatnya|dalam\s+waktu"
    r"|dalam|adalah|yaitu|ialah|jangka\s+waktu|penyelesaian)$",
    _FLAGS,
)
_YEAR_NUMBER = re.compile(r"\s*[0-9]{4}\b")
# "1 (satu) hari maksimal 14 hari kerja": the second number closes a range.
_RANGE_GAP = re.compile(
    r"\s*[,;]?\s*(?:maksimal|maksimum|paling\s+lama|paling\s+lambat|selambat-lambatnya)\s*", _FLAGS
)
# "10 hari kerja + 7 hari kerja", "... dapat diperpanjang paling lambat 7 hari kerja": an extension.
_PLUS_GAP = re.compile(r"\s*\+\s*", _FLAGS)
_EXTENSION = re.compile(r"\b(?:di)?(?:mem)?perpanjang(?:an)?\b", _FLAGS)
MAX_EXTENSION_GAP = 400
# A clause that states something other than the processing time: a card's validity, the
# applicant's own reporting deadline, a periodic duty ("setiap 6 bulan sekali").
_OTHER_DURATION = re.compile(
    r"masa\s+berlaku|berlaku\s+(?:selama|sampai|hingga|untuk)|dilaporkan|pelaporan|melapor(?:kan)?"
    r"|registrasi\s+ulang|daftar\s+ulang|\bsetiap\s*$|\btiap\s*$",
    _FLAGS,
)
_FIRST_CLAUSE = re.compile(r"[,;]\s|\.\s|\n")
_CLAUSE_BREAK = re.compile(r"[.;,\n]\s|\s(?:[0-9]{1,2}|[a-z])[.)]\s", _FLAGS)
_THOUSANDS = re.compile(r"[0-9]{1,3}\.[0-9]{3}")
_TIMES_24 = re.compile(r"([0-9]+)\s*[x\u00d7]\s*24", _FLAGS)


# --- Parsing ------------------------------------------------------------------------------


@dataclass
class _Quantity:
    """One number-with-unit found in the text, before it becomes a DurationSpec."""

    lo: Fraction | None
    hi: Fraction
    unit: str
    start: int
    end: int
    source: str
    bare_day: bool = False  # written "hari" without "kerja" or "kalender"


def parse_duration(text: str) -> DurationSpec:
    """Read a "Jangka waktu penyelesaian" text; raise DurationParseError saying why not."""
    if not isinstance(text, str):
        raise DurationParseError("Teks jangka waktu harus berupa teks.")
    work = _normalise(text)
    if not work.strip():
        raise DurationParseError("Teks jangka waktu kosong.")
    matches = [m for m in _QUANTITY.finditer(work) if not _is_legal_citation(m, work)]
    if not matches:
        return _continuous_or_fail(text, work)
    warnings: list[str] = []
    matches = _processing_times(matches, work, warnings)
    quantity = _pick_quantity(matches, work, warnings)
    clock = _clock_start(work, quantity, warnings)
    continuous = _CONTINUOUS.search(work)
    if continuous:
        warnings.append(
            f"Teks juga menyebut layanan berkelanjutan ('{continuous.group(0)}'); "
            "periksa jangka waktunya."
        )
    low, high, unit = _as_bounds(quantity)
    return DurationSpec(low, high, unit, clock, text, tuple(warnings))


def _processing_times(matches: list[re.Match[str]], work: str, warnings: list[str]) -> list[re.Match[str]]:
    """Leave out durations whose clause says what they are not: validity, reporting deadlines."""
    kept = [m for m in matches if not _OTHER_DURATION.search(_clause_before(work, m.start()))]
    if not kept or len(kept) == len(matches):
        return matches
    skipped = [m.group(0) for m in matches if m not in kept]
    listed = ", ".join(f"'{_shorten(item, 30)}'" for item in skipped)
    warnings.append(f"Jangka waktu lain (masa berlaku, batas pelaporan) tidak dipakai: {listed}.")
    return kept


def _clause_before(work: str, position: int) -> str:
    """The text from the start of the clause holding `position` up to it."""
    start = 0
    for found in _CLAUSE_BREAK.finditer(work, 0, position):
        start = found.end()
    return work[start:position]


def _is_legal_citation(match: re.Match[str], work: str) -> bool:
    """A "Nomor 12 Tahun 2019" citation names a regulation, not a twelve-year deadline."""
    return _unit_name(match.group("unit")) == "year" and bool(_YEAR_NUMBER.match(work, match.end()))


def _normalise(text: str) -> str:
    """Map every Unicode space to ' ' (1:1, so offsets still index the original text)."""
    return "".join(" " if char.isspace() else char for char in text)


def _continuous_or_fail(text: str, work: str) -> DurationSpec:
    """No number-with-unit: a continuous service, or an explained error."""
    if _CONTINUOUS.search(work):
        return DurationSpec(None, None, "none", SUBMITTED, text)
    raise DurationParseError(_explain_failure(work))


def _explain_failure(work: str) -> str:
    """Say whether the number or the unit is what is missing, so the author can fix it."""
    number = _BARE_NUMBER.search(work)
    if number is None:
        return f"Tidak ada angka waktu dalam teks: '{_shorten(work)}'"
    following = _NEXT_WORD.match(work, number.end())
    if following is None:
        return f"Satuan waktu tidak ditemukan setelah angka '{number.group(0)}'."
    return f"Satuan waktu tidak dikenali: '{following.group(1)}'"


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pick_quantity(matches: list[re.Match[str]], work: str, warnings: list[str]) -> _Quantity:
    """Use the first quantity; join it with the next one when they clearly belong together."""
    first = _to_quantity(matches[0], warnings)
    used = 1
    second = _optional_quantity(matches[1]) if len(matches) > 1 else None
    if second is not None:
        gap = work[first.end : second.start]
        combined = (_compound(first, second, gap) or _marked_range(first, second, work, gap)
                    or _closing_maximum(first, second, gap) or _extension(first, second, gap))
        if combined is not None:
            first, used = combined, 2
    if used == 1 and _MIN_MARKER.search(work[: first.start]):
        warnings.append("Teks hanya menyebut batas minimal; angka itu dipakai sebagai batas waktu.")
    ignored = [m.group(0) for m in matches[used:]]
    if ignored:
        listed = ", ".join(f"'{_shorten(item, 30)}'" for item in ignored)
        warnings.append(f"Teks memuat jangka waktu lain yang diabaikan: {listed}.")
    return first


def _optional_quantity(match: re.Match[str]) -> _Quantity | None:
    """A later quantity is only a candidate for joining; if it is unreadable, ignore it."""
    try:
        return _to_quantity(match, [])
    except DurationParseError:
        return None


def _compound(first: _Quantity, second: _Quantity, gap: str) -> _Quantity | None:
    """Join "1 jam 30 menit" into 90 minutes, when the units convert exactly."""
    if first.lo is not None or second.lo is not None or not _COMPOUND_GAP.fullmatch(gap):
        return None
    factor = _EXACT_FACTORS.get((first.unit, second.unit))
    if factor is None:
        return None
    total = first.hi * factor + second.hi
    return _Quantity(None, total, second.unit, first.start, second.end, first.source)


def _marked_range(first: _Quantity, second: _Quantity, work: str, gap: str) -> _Quantity | None:
    """Read "paling cepat 3 hari, paling lama 7 hari" as a 3..7 day range."""
    if first.lo is not None or second.lo is not None or first.unit != second.unit:
        return None
    if not _MIN_MARKER.search(work[: first.start]) or not _MAX_MARKER.search(gap):
        return None
    if _CLOCK_MARKER.search(gap):
        return None
    return _Quantity(first.hi, second.hi, first.unit, first.start, second.end, first.source)


def _closing_maximum(first: _Quantity, second: _Quantity, gap: str) -> _Quantity | None:
    """Read "1 (satu) hari maksimal 14 (empat belas) hari kerja" as 1..14 working days."""
    if first.lo is not None or second.lo is not None or not _RANGE_GAP.fullmatch(gap):
        return None
    same = first.unit == second.unit or first.bare_day and second.unit == "working_day"
    if not same or first.hi >= second.hi:
        return None
    return _Quantity(first.hi, second.hi, second.unit, first.start, second.end, first.source)


def _extension(first: _Quantity, second: _Quantity, gap: str) -> _Quantity | None:
    """Read "10 hari kerja + 7 hari kerja" (or "... dapat diperpanjang ... 7 hari kerja") as 10..17."""
    if first.lo is not None or second.lo is not None or first.unit != second.unit:
        return None
    if not (_PLUS_GAP.fullmatch(gap) or len(gap) <= MAX_EXTENSION_GAP and _EXTENSION.search(gap)):
        return None
    return _Quantity(first.hi, first.hi + second.hi, first.unit, first.start, first.end, first.source)


def _to_quantity(match: re.Match[str], warnings: list[str]) -> _Quantity:
    """Turn one regex match into numbers and a unit, checking what the parentheses say."""
    unit = _unit_name(match.group("unit"))
    hi = _number_value(match, "hi", warnings)
    lo = _number_value(match, "lo", warnings) if _has_number(match, "lo") else None
    bare_day = bool(_AMBIGUOUS_DAY.fullmatch(" ".join(match.group("unit").split())))
    lo_unit = match.group("lo_unit")
    if lo is not None and lo_unit and unit == "working_day" and _AMBIGUOUS_DAY.fullmatch(lo_unit.strip()):
        lo_unit = None  # "1 hari s/d 14 hari kerja": both ends in working days
    if bare_day:
        warnings.append(
            "Satuan 'hari' dianggap hari kalender; periksa apakah yang dimaksud hari kerja."
        )
    times_24 = _TIMES_24.fullmatch(match.group("hi_d") or "")
    if unit == "hour" and lo is None and times_24:
        warnings.append(
            f"'{match.group(0)}' dibaca sebagai {times_24.group(1)} hari kalender "
            "(bukan jam kerja); periksa."
        )
        unit = "day"
        hi = Fraction(int(times_24.group(1)))
    if lo is not None and lo_unit:
        lo, hi, unit = _align_units(lo, _unit_name(lo_unit), hi, unit)
    return _Quantity(lo, hi, unit, match.start(), match.end(), match.group(0), bare_day)


def _has_number(match: re.Match[str], name: str) -> bool:
    return any(match.group(f"{name}_{kind}") is not None for kind in ("d", "w", "se"))


def _unit_name(unit_text: str) -> str:
    cleaned = " ".join(unit_text.split())
    for unit, pattern in _UNIT_PATTERNS:
        if re.fullmatch(pattern, cleaned, _FLAGS):
            return unit
    raise DurationParseError(f"Satuan waktu tidak dikenali: '{unit_text}'")


def _align_units(lo: Fraction, lo_unit: str, hi: Fraction, hi_unit: str) -> tuple:
    """Bring "1 minggu - 10 hari" onto one unit, or refuse when that is not exact."""
    if lo_unit == hi_unit:
        return lo, hi, hi_unit
    if (lo_unit, hi_unit) in _EXACT_FACTORS:
        return lo * _EXACT_FACTORS[(lo_unit, hi_unit)], hi, hi_unit
    if (hi_unit, lo_unit) in _EXACT_FACTORS:
        return lo, hi * _EXACT_FACTORS[(hi_unit, lo_unit)], lo_unit
    raise DurationParseError(
        f"Satuan rentang berbeda: {_UNIT_LABELS[lo_unit]} dan {_UNIT_LABELS[hi_unit]}"
    )


def _number_value(match: re.Match[str], name: str, warnings: list[str]) -> Fraction:
    """Value of one number slot; warns when "30 (dua puluh)" disagrees with itself."""
    if match.group(f"{name}_se") is not None:
        return Fraction(1)
    if match.group(f"{name}_w") is not None:
        value = _words_value(match.group(f"{name}_w"))
        if value is None:
            raise DurationParseError(f"Angka tidak dikenali: '{match.group(f'{name}_w')}'")
        number = Fraction(value)
    else:
        number = _digits_value(match.group(f"{name}_d"))
    _check_spelling(number, match.group(f"{name}_p"), warnings)
    return number


def _digits_value(digits: str) -> Fraction:
    """Digits with an optional decimal part ("1,5"), thousands dot ("1.000") or "1 x 24"."""
    factors = re.split(r"\s*[x\u00d7]\s*", digits.lower())
    if sum(len(factor) for factor in factors) > 9:
        raise DurationParseError(f"Angka waktu terlalu besar: {digits}")
    value = Fraction(1)
    for factor in factors:
        if _THOUSANDS.fullmatch(factor):
            value *= int(factor.replace(".", ""))
        else:
            value *= Fraction(factor.replace(",", "."))
    return value


def _check_spelling(number: Fraction, spelled: str | None, warnings: list[str]) -> None:
    if spelled is None or not spelled.strip():
        return
    stripped = spelled.strip()
    value = int(stripped) if stripped.isascii() and stripped.isdigit() else None
    if value is None:
        value = _words_value(stripped)
    if value is None:
        warnings.append(f"Tulisan angka '({stripped})' tidak dikenali; periksa angkanya.")
    elif value != number:
        warnings.append(f"Angka {_show(number)} tidak sama dengan tulisannya '({stripped})'.")


def _show(number: Fraction) -> str:
    if number.denominator == 1:
        return str(number.numerator)
    return f"{float(number):g}".replace(".", ",")


def _as_bounds(quantity: _Quantity) -> tuple[int | None, int, str]:
    """Whole numbers, validated: no zero, no reversed range, nothing absurdly large."""
    lo, hi, unit = _whole_numbers(quantity)
    for value in (lo, hi):
        if value is not None and value <= 0:
            raise DurationParseError(f"Jangka waktu tidak boleh nol: '{quantity.source}'")
    if lo is not None and lo > hi:
        raise DurationParseError(f"Rentang terbalik: {lo} s/d {hi}")
    limit = MAX_VALUES[unit]
    if hi > limit:
        label = _UNIT_LABELS[unit]
        raise DurationParseError(
            f"Jangka waktu terlalu besar: {hi} {label} (batas {limit} {label})"
        )
    return (None if lo == hi else lo), hi, unit


def _whole_numbers(quantity: _Quantity) -> tuple[int | None, int, str]:
    """Fractions are only accepted when a smaller unit makes them whole ("1,5 jam")."""
    lo, hi, unit = quantity.lo, quantity.hi, quantity.unit
    values = [v for v in (lo, hi) if v is not None]
    if all(v.denominator == 1 for v in values):
        return _int_or_none(lo), int(hi), unit
    for (big, small), factor in _EXACT_FACTORS.items():
        if big == unit and all((v * factor).denominator == 1 for v in values):
            return _int_or_none(None if lo is None else lo * factor), int(hi * factor), small
    raise DurationParseError(f"Angka pecahan tidak didukung: '{quantity.source}'")


def _int_or_none(value: Fraction | None) -> int | None:
    return None if value is None else int(value)


def _clock_start(work: str, quantity: _Quantity, warnings: list[str]) -> str:
    """The phrase after "sejak" (or before the number), else "submitted"."""
    marker = _CLOCK_MARKER.search(work, quantity.end)
    if marker is not None:
        phrase = _clean_phrase(_FIRST_CLAUSE.split(work[marker.end() :], maxsplit=1)[0])
    else:
        before = list(_CLOCK_MARKER.finditer(work, 0, quantity.start))
        if not before:
            return SUBMITTED
        marker = before[-1]
        phrase = _clean_phrase(_strip_filler(work[marker.end() : quantity.start]))
    if not phrase:
        warnings.append(
            f"Kata '{marker.group(0)}' tanpa titik awal; waktu dihitung sejak permohonan diterima."
        )
        return SUBMITTED
    return phrase


def _strip_filler(phrase: str) -> str:
    """Drop "paling lama dalam waktu" between a leading "sejak X" and the number."""
    while True:
        stripped = phrase.rstrip(" ,.;:-\u2010\u2011\u2012\u2013\u2014\u2015")
        filler = _TRAILING_FILLER.search(stripped)
        if filler is not None:
            stripped = stripped[: filler.start()]
        if stripped == phrase:
            return phrase
        phrase = stripped


def _clean_phrase(phrase: str) -> str:
    """Collapse whitespace; strip trailing punctuation and an unbalanced ")"."""
    phrase = " ".join(_LEADING_FILLER.sub("", phrase).split())
    while True:
        stripped = phrase.rstrip(" .,;:!?")
        if stripped.endswith(")") and stripped.count(")") > stripped.count("("):
            stripped = stripped[:-1]
        if stripped == phrase:
            return phrase
        phrase = stripped


# --- Formatting ---------------------------------------------------------------------------


def format_duration(spec: DurationSpec | dict[str, Any]) -> str:
    """Short Indonesian rendering for pages and notices, e.g. "1–3 minggu"."""
    if isinstance(spec, dict):
        spec = DurationSpec.from_dict(spec)
    if spec.unit == "none":
        return _format_continuous(spec.text)
    amount = str(spec.max) if spec.min is None else f"{spec.min}\u2013{spec.max}"
    rendered = f"{amount} {_UNIT_LABELS[spec.unit]}"
    if spec.unit in ("minute", "hour"):
        rendered += " (jam kerja)"
    if spec.clock_starts_at != SUBMITTED:
        rendered += f" sejak {spec.clock_starts_at}"
    return rendered


def _format_continuous(text: str) -> str:
    """Reuse the standard's own phrase ("Setiap saat") so the page says what the text says."""
    found = _CONTINUOUS.search(_normalise(text))
    if found is None or not _CONTINUOUS_PHRASE_START.match(found.group(0)):
        return "Layanan berkelanjutan"
    phrase = " ".join(found.group(0).split())
    return f"{phrase[0].upper()}{phrase[1:]} (layanan berkelanjutan)"
