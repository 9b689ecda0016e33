"""Survey results as rows the templates print (templates hold no logic)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .ikm import CATEGORY_RANGES, to_decimal
from .questionnaire import ELEMENTS, ordered


@dataclass(frozen=True)
class ElementLine:
    code: str
    name: str
    answers: int
    total: int
    nrr: object  # Decimal, 2 places (display)
    nrr_exact: object  # Fraction
    weighted: object  # Decimal, 3 places: NRR × 1/9
    meter: float  # for <meter min=1 max=4>
    lowest: bool


@dataclass(frozen=True)
class Badge:
    code: str
    label: str
    css: str
    range: str


def badge(summary) -> Badge | None:
    if summary is None:
        return None
    return Badge(
        code=summary.category,
        label=summary.category_label,
        css=f"ikm-{summary.category.lower()}",
        range=CATEGORY_RANGES[summary.category],
    )


def element_lines(summary, order=None, lowest=()) -> list[ElementLine]:
    if summary is None:
        return []
    lines = []
    for element in ordered(order):
        value = summary.nrr[element.code]
        lines.append(
            ElementLine(
                code=element.code,
                name=str(element.name),
                answers=summary.answers.get(element.code, 0),
                total=summary.sums.get(element.code, 0),
                nrr=to_decimal(value, 2),
                nrr_exact=value,
                weighted=to_decimal(value / 9, 3),
                meter=float(value),
                lowest=element.code in lowest,
            )
        )
    return lines


def numbers(summary) -> dict:
    """IKM (3 decimals), converted (2 decimals, the categorised value) for display."""
    if summary is None:
        return {}
    return {
        "ikm": to_decimal(summary.ikm, 3),
        "converted": summary.converted_rounded,
        "badge": badge(summary),
    }


def element_name(code: str) -> str:
    element = ELEMENTS.get(code)
    return f"{code} {element.name}" if element else code


def adequacy_text(summary) -> str:
    if summary is None:
        return ""
    if summary.population == 0:
        return _(
            "Jumlah permohonan selesai pada periode ini belum tercatat; sampel minimum tidak dapat dihitung."
        )
    if summary.adequate:
        return _(
            "Jumlah responden %(n)d memenuhi sampel minimum %(min)d (Krejcie–Morgan, populasi %(pop)d "
            "permohonan selesai)."
        ) % {"n": summary.respondents, "min": summary.minimum_sample, "pop": summary.population}
    return _(
        "Jumlah responden %(n)d belum memenuhi sampel minimum %(min)d (Krejcie–Morgan, populasi "
        "%(pop)d permohonan selesai)."
    ) % {"n": summary.respondents, "min": summary.minimum_sample, "pop": summary.population}


@dataclass(frozen=True)
class Bar:
    label: str
    value: object  # Decimal or None
    height: int  # px in a 100 px chart
    y: int
    x: int
    css: str


def trend_chart(points, *, width: int = 56) -> dict:
    """An inline SVG bar chart of the converted IKM (25–100 → 0–100 px): attributes, no inline style."""
    bars = trend_bars(points, width=width)
    return {"bars": bars, "width": max(len(bars), 1) * width}


def trend_bars(points, *, width: int = 56) -> list[Bar]:
    bars = []
    for i, point in enumerate(points):
        summary = point.summary
        if summary is None:
            bars.append(
                Bar(label=point.period.label, value=None, height=0, y=100, x=i * width, css="ikm-none")
            )
            continue
        height = max(1, round(float(summary.converted - 25) / 75 * 100))
        bars.append(
            Bar(
                label=point.period.label,
                value=summary.converted_rounded,
                height=height,
                y=100 - height,
                x=i * width,
                css=f"ikm-{summary.category.lower()}",
            )
        )
    return bars
