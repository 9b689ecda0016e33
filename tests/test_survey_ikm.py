"""Issue 10: the arithmetic of the satisfaction survey (Permenpan RB 14/2017), by hand and by property.

NRR per element = sum of the scores / number of answers; IKM = mean of the nine NRR (no rounding on
the way); converted = IKM × 25; category on the converted value rounded to two decimals:
25.00–64.99 D, 65.00–76.60 C, 76.61–88.30 B, 88.31–100.00 A."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layanan.survey import ikm
from layanan.survey.ikm import CODES
from layanan.survey.periods import parse, period_of

RANK = {"D": 0, "C": 1, "B": 2, "A": 3}


def rows(*answers):
    return [dict(zip(CODES, scores, strict=True)) for scores in answers]


def test_three_respondents_by_hand():
    result = ikm.from_scores(
        rows(
            (4, 3, 3, 4, 3, 4, 4, 3, 3),
            (3, 3, 2, 4, 3, 3, 4, 3, 2),
            (4, 4, 3, 4, 4, 4, 4, 3, 3),
        )
    )
    # Sums per element: U1 4+3+4=11, U2 3+3+4=10, U3 3+2+3=8, U4 12, U5 10, U6 11, U7 12, U8 9, U9 8.
    # NRR = sum / 3 answers.
    assert result.nrr == {
        "U1": Fraction(11, 3),
        "U2": Fraction(10, 3),
        "U3": Fraction(8, 3),
        "U4": Fraction(4),
        "U5": Fraction(10, 3),
        "U6": Fraction(11, 3),
        "U7": Fraction(4),
        "U8": Fraction(3),
        "U9": Fraction(8, 3),
    }
    # IKM = (11+10+8+12+10+11+12+9+8)/3 / 9 = 91/27 = 3.370370…; converted = 91/27 × 25 = 2275/27.
    assert result.ikm == Fraction(91, 27)
    assert result.converted == Fraction(2275, 27)  # 84.259259…
    assert result.converted_rounded == Decimal("84.26")
    assert (result.category, result.category_label) == ("B", "Baik")
    assert result.respondents == 3 and result.answers == dict.fromkeys(CODES, 3)


def test_exactly_65_is_c_and_just_below_is_d():
    # Five respondents (27 + 27 + 18 + 18 + 27 points), 117 points over 45 answers:
    # IKM = 117/45 = 2.6, converted = 65.00 exactly → C.
    five = rows(
        (3, 3, 3, 3, 3, 3, 3, 3, 3),
        (3, 3, 3, 3, 3, 3, 3, 3, 3),
        (2, 2, 2, 2, 2, 2, 2, 2, 2),
        (2, 2, 2, 2, 2, 2, 2, 2, 2),
        (3, 3, 3, 3, 3, 3, 3, 3, 3),
    )
    result = ikm.from_scores(five)
    assert sum(result.sums.values()) == 117
    assert result.ikm == Fraction(13, 5) and result.converted == 65
    assert (result.category, result.converted_rounded) == ("C", Decimal("65.00"))
    # One point less: 116/45 × 25 = 64.444… → D "Tidak Baik".
    five[4]["U1"] = 2
    lower = ikm.from_scores(five)
    assert lower.converted == Fraction(116 * 25, 45)
    assert (lower.category, lower.category_label, lower.converted_rounded) == (
        "D",
        "Tidak Baik",
        Decimal("64.44"),
    )


def test_all_fours_is_100_a_and_all_ones_is_25_d():
    assert ikm.from_scores(rows((4,) * 9)).converted_rounded == Decimal("100.00")
    assert ikm.from_scores(rows((4,) * 9)).category == "A"
    assert ikm.from_scores(rows((1,) * 9)).converted == 25
    assert ikm.from_scores(rows((1,) * 9)).category == "D"


def test_blank_paper_answers_count_per_element():
    # A paper form left U4 blank: U4's NRR is over the two answers it has.
    data = rows((4, 4, 4, 4, 4, 4, 4, 4, 4), (2, 2, 2, 2, 2, 2, 2, 2, 2))
    data.append({**dict(zip(CODES, (3,) * 9, strict=True)), "U4": None})
    result = ikm.from_scores(data)
    assert result.answers["U4"] == 2 and result.nrr["U4"] == 3
    assert result.answers["U1"] == 3 and result.nrr["U1"] == 3
    assert result.respondents == 3


def test_no_answers_or_an_element_nobody_answered_has_no_index():
    assert ikm.from_scores([]) is None
    assert ikm.from_scores([{**dict(zip(CODES, (3,) * 9, strict=True)), "U9": None}]) is None


def test_scores_outside_1_to_4_are_refused():
    with pytest.raises(ValueError):
        ikm.from_scores(rows((5, 3, 3, 3, 3, 3, 3, 3, 3)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25.00", "D"),
        ("64.99", "D"),
        ("64.994", "D"),
        ("64.995", "C"),
        ("65.00", "C"),
        ("76.60", "C"),
        ("76.604999", "C"),
        ("76.605", "B"),
        ("76.61", "B"),
        ("88.30", "B"),
        ("88.304999", "B"),
        ("88.305", "A"),
        ("88.31", "A"),
        ("100", "A"),
    ],
)
def test_category_edges_on_the_value_rounded_to_two_decimals(value, expected):
    assert ikm.category(Fraction(value)) == expected
    assert ikm.category(Decimal(value)) == expected


def test_every_hundredth_from_25_to_100_falls_in_the_regulations_band():
    for hundredths in range(2500, 10001):
        expected = (
            "D" if hundredths <= 6499 else "C" if hundredths <= 7660 else "B" if hundredths <= 8830 else "A"
        )
        assert ikm.category(Fraction(hundredths, 100)) == expected, hundredths


@settings(max_examples=300, deadline=None)
@given(st.fractions(min_value=25, max_value=100), st.fractions(min_value=25, max_value=100))
def test_category_is_monotone(a, b):
    low, high = sorted([a, b])
    assert RANK[ikm.category(low)] <= RANK[ikm.category(high)]


# The published Krejcie & Morgan (1970) table, N → s.
KREJCIE_MORGAN = {
    10: 10,
    15: 14,
    20: 19,
    25: 24,
    30: 28,
    35: 32,
    40: 36,
    45: 40,
    50: 44,
    55: 48,
    60: 52,
    65: 56,
    70: 59,
    75: 63,
    80: 66,
    85: 70,
    90: 73,
    95: 76,
    100: 80,
    110: 86,
    120: 92,
    130: 97,
    140: 103,
    150: 108,
    160: 113,
    170: 118,
    180: 123,
    190: 127,
    200: 132,
    210: 136,
    220: 140,
    230: 144,
    240: 148,
    250: 152,
    260: 155,
    270: 159,
    280: 162,
    290: 165,
    300: 169,
    320: 175,
    340: 181,
    360: 186,
    380: 191,
    400: 196,
    420: 201,
    440: 205,
    460: 210,
    480: 214,
    500: 217,
    550: 226,
    600: 234,
    650: 242,
    700: 248,
    750: 254,
    800: 260,
    850: 265,
    900: 269,
    950: 274,
    1000: 278,
    1100: 285,
    1200: 291,
    1300: 297,
    1400: 302,
    1500: 306,
    1600: 310,
    1700: 313,
    1800: 317,
    1900: 320,
    2000: 322,
    2200: 327,
    2400: 331,
    2600: 335,
    2800: 338,
    3000: 341,
    3500: 346,
    4000: 351,
    4500: 354,
    5000: 357,
    6000: 361,
    7000: 364,
    8000: 367,
    9000: 368,
    10000: 370,
    15000: 375,
    20000: 377,
    30000: 379,
    40000: 380,
    50000: 381,
    75000: 382,
    1000000: 384,
}


def test_minimum_sample_reproduces_the_published_table():
    # The six figures REGULATIONS.md quotes, then the whole table.
    for population, sample in {100: 80, 500: 217, 1000: 278, 5000: 357, 10000: 370, 1000000: 384}.items():
        assert ikm.minimum_sample(population) == sample
    assert {n: ikm.minimum_sample(n) for n in KREJCIE_MORGAN} == KREJCIE_MORGAN


def test_minimum_sample_rounding_is_two_steps():
    # N=100: s = 79.497… — to the nearest integer directly it would be 79; via 79.50 it is 80.
    # N=500: s = 217.457… — rounding up would give 218.
    assert ikm.minimum_sample(100) == 80 and ikm.minimum_sample(500) == 217
    assert ikm.minimum_sample(0) == 0 and ikm.minimum_sample(1) == 1
    assert all(ikm.minimum_sample(n) <= n for n in range(1, 300))


def test_lowest_three_ties_in_questionnaire_order():
    values = {
        "U1": Fraction(3),
        "U2": Fraction(2),
        "U3": Fraction(3),
        "U4": Fraction(4),
        "U5": Fraction(2),
        "U6": Fraction(3),
        "U7": Fraction(4),
        "U8": Fraction(4),
        "U9": Fraction(4),
    }
    assert ikm.lowest(values) == ["U2", "U5", "U1"]
    swapped = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U9", "U8"]
    assert ikm.lowest(values, 3, ["U3", *[c for c in CODES if c != "U3"]]) == ["U2", "U5", "U3"]
    assert ikm.lowest(values, 2, swapped) == ["U2", "U5"]


# ---------------------------------------------------------------- periods add up

complete = st.lists(st.integers(1, 4), min_size=9, max_size=9)
month = st.lists(complete, min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(month, min_size=1, max_size=6))
def test_period_ikm_is_the_respondent_weighted_mean_of_its_months(months):
    """Every respondent answered every element (web and kiosk require it): a period's IKM equals
    Σ_m (r_m / R) · IKM_m exactly."""
    parts = []
    per_month = []
    for answers in months:
        result = ikm.from_scores(rows(*answers))
        per_month.append(result)
        parts.append((result.sums, result.answers, result.respondents))
    period = ikm.compute(*ikm.merge(*parts))
    total = sum(r.respondents for r in per_month)
    assert period.respondents == total
    assert period.ikm == sum(Fraction(r.respondents, total) * r.ikm for r in per_month)
    assert period.converted == sum(Fraction(r.respondents, total) * r.converted for r in per_month)


partial = st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=9, max_size=9)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(complete, min_size=1, max_size=6).flatmap(
            lambda full: st.lists(partial, max_size=4).map(lambda more: full + more)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_with_blank_answers_each_element_is_weighted_by_its_own_answer_counts(months):
    """Paper forms may leave an element blank: then NRR_i(period) = Σ_m (n_im / n_i) · NRR_im for each
    element (answer counts, not respondents, weigh)."""
    parts, per_month = [], []
    for answers in months:
        data = [dict(zip(CODES, scores, strict=True)) for scores in answers]
        result = ikm.from_scores(data)
        per_month.append(result)
        parts.append((result.sums, result.answers, result.respondents))
    period = ikm.compute(*ikm.merge(*parts))
    for code in CODES:
        n = sum(r.answers[code] for r in per_month)
        assert period.nrr[code] == sum(Fraction(r.answers[code], n) * r.nrr[code] for r in per_month)


def test_with_blank_answers_respondent_weights_can_differ():
    # Month 1: a respondent who answered only U9 = 1, and one who answered 2 everywhere:
    # U1..U8 = 2, U9 = 1.5, IKM_1 = 17.5/9. Month 2: one respondent of 4s, IKM_2 = 4.
    # Respondent weights (2/3, 1/3) give (2/3·17.5 + 1/3·36)/9 = 23.67/9; the period itself has
    # U1..U8 = (2+4)/2 = 3 and U9 = (1+2+4)/3, IKM = (24 + 7/3)/9 = 26.33/9.
    blank = {**dict.fromkeys(CODES, None), "U9": 1}
    month1 = ikm.from_scores([blank, dict.fromkeys(CODES, 2)])
    month2 = ikm.from_scores([dict.fromkeys(CODES, 4)])
    period = ikm.compute(*ikm.merge((month1.sums, month1.answers, 2), (month2.sums, month2.answers, 1)))
    weighted = Fraction(2, 3) * month1.ikm + Fraction(1, 3) * month2.ikm
    assert month1.ikm == Fraction(35, 18) and weighted == Fraction(71, 27)
    assert period.ikm == (24 + Fraction(7, 3)) / 9 != weighted


def test_periods():
    day = date(2026, 8, 17)
    assert period_of("month", day).slug == "2026-08"
    assert period_of("quarter", day).slug == "2026-T3"
    assert (period_of("quarter", day).start, period_of("quarter", day).end) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert period_of("semester", day).slug == "2026-S2"
    assert period_of("year", day).end == date(2026, 12, 31)
    assert period_of("semester", date(2026, 1, 1)).previous().slug == "2025-S2"
    assert [m.slug for m in period_of("quarter", day).months()] == ["2026-07", "2026-08", "2026-09"]
    for slug in ("2026-02", "2026-T4", "2026-S1", "2026"):
        assert parse(slug).slug == slug
    assert parse("2026-13") is None and parse("2026-T5") is None and parse("x") is None
    assert parse("1850") is None and parse("") is None
    assert period_of("month", date(2024, 2, 10)).end == date(2024, 2, 29)
