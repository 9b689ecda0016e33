"""The arithmetic of the satisfaction survey (SKM), Permenpan RB 14/2017 — pure, exact.

- NRR per element = sum of the scores / number of answers to that element.
- IKM = the mean of the nine NRR (Σ NRR × 1/9), never rounded on the way: everything is a
  `Fraction` until a value is shown.
- Converted IKM = IKM × 25 (25–100).
- Category on the converted value rounded to two decimals (half up): 25.00–64.99 D "Tidak Baik",
  65.00–76.60 C "Kurang Baik", 76.61–88.30 B "Baik", 88.31–100.00 A "Sangat Baik".
- Minimum sample (Krejcie & Morgan 1970), with the formula as the regulation writes it:
  s = 3.841·N·0.25 / (0.0025·(N−1) + 0.9604), computed exactly, rounded half up to two
  decimals and then half up to a whole respondent. Rounding the unrounded value to the nearest
  integer gives 79 for N=100 (s = 79.497…), rounding up gives 218 for N=500 (s = 217.457…);
  the two-step rounding reproduces every entry of the published table (100→80, 500→217,
  1000→278, 5000→357, 10000→370, 1000000→384 and the rest: tests/test_survey_ikm.py).

Combining periods: sums and answer counts add up, so the IKM of a quarter is computed from
the sums of its months, not from the months' IKM. When every respondent answered every element
(the web form and the kiosk require it), each element's answer count is the respondent count
and the period's IKM equals the respondent-weighted mean of its months' IKM exactly:
NRR_i = Σ_m s_im / Σ_m r_m = Σ_m (r_m/R)·NRR_im, so IKM = (1/9)·Σ_i NRR_i = Σ_m (r_m/R)·IKM_m.
A paper form may leave an element blank; then each element is weighted by its own answer
counts (NRR_i = Σ_m (n_im/n_i)·NRR_im) and the identity with respondent weights holds only when
n_im/n_i = r_m/R for every element and month.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext_noop

CODES: tuple[str, ...] = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9")
SCORES = (1, 2, 3, 4)
CONVERSION = 25

# (code, lowest converted value in hundredths, label); checked from the top.
CATEGORIES: tuple[tuple[str, int, str], ...] = (
    ("A", 8831, gettext_noop("Sangat Baik")),
    ("B", 7661, gettext_noop("Baik")),
    ("C", 6500, gettext_noop("Kurang Baik")),
    ("D", 0, gettext_noop("Tidak Baik")),
)
CATEGORY_LABELS = {code: label for code, _floor, label in CATEGORIES}
CATEGORY_RANGES = {"A": "88,31–100,00", "B": "76,61–88,30", "C": "65,00–76,60", "D": "25,00–64,99"}

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Result:
    """The index of one set of answers. Exact values (Fraction) except `converted_rounded`."""

    respondents: int
    answers: dict  # code -> number of answers to that element
    sums: dict  # code -> sum of the scores
    nrr: dict  # code -> Fraction
    ikm: Fraction  # mean of the nine NRR (1–4)
    converted: Fraction  # ikm × 25 (25–100)
    converted_rounded: Decimal  # two decimals, half up: what is printed and categorised
    category: str  # "A".."D"
    category_label: str  # "Sangat Baik"… (untranslated; gettext it to show)


def to_decimal(value: Fraction | int, places: int = 2) -> Decimal:
    """`value` rounded half up to `places` decimals — exact, whatever its denominator."""
    value = Fraction(value)
    quantum = Decimal(1).scaleb(-places)
    scaled = value * 10**places
    floor = scaled.numerator // scaled.denominator
    remainder = scaled - floor
    whole = floor + (1 if remainder >= Fraction(1, 2) else 0)
    return (Decimal(whole) * quantum).quantize(quantum)


def category(converted: Fraction | Decimal | int | float) -> str:
    """The category code (A–D) of a converted IKM: on its value rounded to two decimals."""
    if isinstance(converted, float):
        converted = Fraction(Decimal(repr(converted)))
    hundredths = int(to_decimal(Fraction(converted)) * 100)
    for code, floor, _label in CATEGORIES:
        if hundredths >= floor:
            return code
    return "D"


def nrr(total: int, answers: int) -> Fraction | None:
    return Fraction(total, answers) if answers else None


def compute(sums: dict, answers: dict, respondents: int) -> Result | None:
    """The index from per-element sums and answer counts; None when there is nothing to compute
    (no respondent, or an element nobody answered: the IKM is the mean of all nine)."""
    if respondents <= 0:
        return None
    values = {}
    for code in CODES:
        value = nrr(int(sums.get(code) or 0), int(answers.get(code) or 0))
        if value is None:
            return None
        values[code] = value
    index = sum(values.values(), Fraction(0)) / len(CODES)
    converted = index * CONVERSION
    code = category(converted)
    return Result(
        respondents=respondents,
        answers={c: int(answers[c]) for c in CODES},
        sums={c: int(sums[c]) for c in CODES},
        nrr=values,
        ikm=index,
        converted=converted,
        converted_rounded=to_decimal(converted),
        category=code,
        category_label=CATEGORY_LABELS[code],
    )


def from_scores(rows) -> Result | None:
    """The index of answer rows: each a mapping code -> score (1–4) or None (left blank)."""
    sums = dict.fromkeys(CODES, 0)
    answers = dict.fromkeys(CODES, 0)
    respondents = 0
    for row in rows:
        respondents += 1
        for code in CODES:
            score = row.get(code)
            if score is not None:
                if score not in SCORES:
                    raise ValueError(f"{code}: score {score!r} is not 1–4")
                sums[code] += score
                answers[code] += 1
    return compute(sums, answers, respondents)


def merge(*parts) -> tuple[dict, dict, int]:
    """Add (sums, answers, respondents) triples: the basis of every larger period or scope."""
    sums = dict.fromkeys(CODES, 0)
    answers = dict.fromkeys(CODES, 0)
    respondents = 0
    for part_sums, part_answers, part_respondents in parts:
        for code in CODES:
            sums[code] += int(part_sums.get(code) or 0)
            answers[code] += int(part_answers.get(code) or 0)
        respondents += int(part_respondents)
    return sums, answers, respondents


def lowest(values: dict, n: int = 3, order=CODES) -> list[str]:
    """The `n` elements with the lowest NRR (ties: in questionnaire order)."""
    position = {code: i for i, code in enumerate(order)}
    ranked = sorted(
        (code for code in values if values[code] is not None),
        key=lambda code: (values[code], position.get(code, len(position))),
    )
    return ranked[:n]


def minimum_sample(population: int) -> int:
    """Krejcie–Morgan minimum number of respondents for a population of `population`."""
    if population <= 0:
        return 0
    n = Fraction(population)
    s = Fraction("3.841") * n * Fraction("0.25") / (Fraction("0.0025") * (n - 1) + Fraction("0.9604"))
    two_places = Fraction(to_decimal(s, 2))
    return min(int(to_decimal(two_places, 0)), population)
