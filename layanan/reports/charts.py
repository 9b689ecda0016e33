"""Server-side SVG charts for the dashboards and the PDF reports (pure: no Django, no JavaScript).

Four shapes cover the reports: horizontal bars (`hbar`, by service, channel, step…), a
stacked horizontal bar of two parts (`split_bars`: on time / late), vertical columns over time
(`columns`) and a histogram with markers (`histogram`: time to resolve with the median, p90
and the promised time). Every chart:

* is a complete `<svg>` element with `role="img"`, a `<title>` and a `<desc>` that states the
  numbers, so a screen reader and a printout both carry them (the page also shows the same
  numbers in a table beside the chart);
* uses presentation attributes only (no `style`, no script, no external font or image), so
  it passes the Content-Security-Policy, prints, and renders in WeasyPrint;
* is deterministic: the same input gives the same bytes;
* never raises on odd input: no rows, zero or negative values, long or hostile labels
  (escaped and shortened) give a readable chart.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

BLUE = "#0b57a4"
RED = "#b3261e"
GREY = "#5a5a5a"
LIGHT = "#dde1e6"
INK = "#1a1a1a"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
LABEL_CHARS = 27


def _plain(value) -> str:
    return str(value)


def _short(text, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _id(title: str, kind: str, payload: str) -> str:
    return f"chart-{kind}-" + hashlib.sha1((title + payload).encode()).hexdigest()[:10]


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _svg(width: int, height: int, title: str, desc: str, body: list[str], uid: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'font-family={quoteattr(FONT)} font-size="12">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _empty(title: str, width: int, kind: str) -> str:
    uid = _id(title, kind, "empty")
    return _svg(
        width,
        40,
        title,
        "Tidak ada data.",
        [f'<text x="8" y="25" fill="{GREY}">Tidak ada data untuk periode ini.</text>'],
        uid,
    )


def hbar(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    fmt: Callable = _plain,
    max_value: float | None = None,
    color: str = BLUE,
    width: int = 640,
) -> str:
    """One horizontal bar per (label, value), in the given order."""
    rows = [(str(label), value) for label, value in rows]
    if not rows:
        return _empty(title, width, "hbar")
    label_w, value_w, row_h, top = 200, 80, 22, 6
    values = [_number(v) for _l, v in rows]
    top_value = max_value if max_value else max(values)
    scale = (width - label_w - value_w) / (top_value or 1)
    body = []
    for i, ((label, raw), value) in enumerate(zip(rows, values, strict=True)):
        y = top + i * row_h
        bar = max(0.0, min(value, top_value or value) * scale)
        body.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="{INK}" font-size="11">'
            f"{escape(_short(label))}</text>"
        )
        body.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 8}" fill="{color}"/>'
        )
        body.append(f'<text x="{label_w + bar + 4:.1f}" y="{y + 15}" fill="{INK}">{escape(fmt(raw))}</text>')
    desc = "; ".join(f"{label}: {fmt(raw)}" for label, raw in rows)
    return _svg(width, top * 2 + row_h * len(rows), title, desc, body, _id(title, "hbar", desc))


def split_bars(
    rows: Sequence[tuple[str, float, float]],
    *,
    title: str,
    names=("tepat waktu", "terlambat"),
    colors=(BLUE, RED),
    width: int = 640,
) -> str:
    """Per (label, a, b): one bar of a (first colour) then b (second colour), and the legend."""
    rows = [(str(label), a, b) for label, a, b in rows]
    if not rows:
        return _empty(title, width, "split")
    label_w, value_w, row_h, top = 200, 90, 22, 26
    totals = [_number(a) + _number(b) for _l, a, b in rows]
    scale = (width - label_w - value_w) / (max(totals) or 1)
    body = []
    for k, (name, color) in enumerate(zip(names, colors, strict=True)):
        x = label_w + k * 130
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{color}"/>')
        body.append(f'<text x="{x + 16}" y="16" fill="{INK}">{escape(name)}</text>')
    for i, (label, a, b) in enumerate(rows):
        y = top + i * row_h
        wa, wb = _number(a) * scale, _number(b) * scale
        body.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="{INK}" font-size="11">'
            f"{escape(_short(label))}</text>"
        )
        body.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{wa:.1f}" height="{row_h - 8}" fill="{colors[0]}"/>'
        )
        body.append(
            f'<rect x="{label_w + wa:.1f}" y="{y + 4}" width="{wb:.1f}" height="{row_h - 8}" '
            f'fill="{colors[1]}"/>'
        )
        body.append(
            f'<text x="{label_w + wa + wb + 4:.1f}" y="{y + 15}" fill="{INK}">'
            f"{escape(f'{a:g} / {b:g}')}</text>"
        )
    desc = "; ".join(f"{label}: {a:g} {names[0]}, {b:g} {names[1]}" for label, a, b in rows)
    return _svg(width, top + 6 + row_h * len(rows), title, desc, body, _id(title, "split", desc))


def _axis(body: list[str], left: int, right: int, top: int, bottom: int, maximum: float, fmt) -> None:
    """Four horizontal grid lines with their values."""
    for k in range(5):
        value = maximum * k / 4
        y = bottom - (bottom - top) * k / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{LIGHT}"/>')
        body.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{GREY}" '
            f'font-size="10">{escape(fmt(value))}</text>'
        )


def columns(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    fmt: Callable = _plain,
    color: str = BLUE,
    width: int = 640,
    height: int = 200,
    max_value: float | None = None,
) -> str:
    """Vertical columns over time; at most ~12 x labels are written, evenly spaced."""
    rows = [(str(label), value) for label, value in rows]
    if not rows:
        return _empty(title, width, "columns")
    left, right, top, bottom = 46, width - 8, 10, height - 24
    values = [_number(v) for _l, v in rows]
    maximum = max_value or nice_max(max(values))
    slot = (right - left) / len(rows)
    gap = min(4.0, slot * 0.2)
    body: list[str] = []
    _axis(body, left, right, top, bottom, maximum, lambda v: fmt(round(v, 2)))
    every = max(1, math.ceil(len(rows) / 12))
    for i, ((label, raw), value) in enumerate(zip(rows, values, strict=True)):
        h = (bottom - top) * min(value, maximum) / maximum
        x = left + i * slot
        body.append(
            f'<rect x="{x + gap / 2:.1f}" y="{bottom - h:.1f}" width="{max(slot - gap, 1):.1f}" '
            f'height="{h:.1f}" fill="{color}"><title>{escape(f"{label}: {fmt(raw)}")}</title></rect>'
        )
        if i % every == 0:
            body.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="{GREY}" '
                f'font-size="10">{escape(_short(label, 12))}</text>'
            )
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{GREY}"/>')
    desc = "; ".join(f"{label}: {fmt(raw)}" for label, raw in rows)
    return _svg(width, height, title, desc, body, _id(title, "columns", desc))


def histogram(
    bins: Sequence[tuple[str, float]],
    *,
    title: str,
    markers: Sequence[tuple[str, float, str]] = (),
    width: int = 640,
    height: int = 220,
) -> str:
    """Columns of counts per bin, and markers (name, position in bins, colour): a position of 2.5
    is the middle of the third bin. Markers outside the bins are drawn at the edge."""
    bins = [(str(label), value) for label, value in bins]
    if not bins:
        return _empty(title, width, "hist")
    left, right, top, bottom = 46, width - 8, 26, height - 24
    values = [_number(v) for _l, v in bins]
    maximum = nice_max(max(values))
    slot = (right - left) / len(bins)
    body: list[str] = []
    _axis(body, left, right, top, bottom, maximum, lambda v: f"{v:g}")
    for i, ((label, raw), value) in enumerate(zip(bins, values, strict=True)):
        h = (bottom - top) * value / maximum
        x = left + i * slot
        body.append(
            f'<rect x="{x + 1:.1f}" y="{bottom - h:.1f}" width="{max(slot - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{BLUE}"><title>{escape(f"{label}: {raw:g}")}</title></rect>'
        )
        body.append(
            f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="{GREY}" '
            f'font-size="10">{escape(_short(label, 10))}</text>'
        )
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{GREY}"/>')
    legend_x = left
    for name, position, colour in markers:
        x = left + max(0.0, min(float(position), len(bins))) * slot
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
        )
        body.append(f'<rect x="{legend_x}" y="6" width="12" height="3" fill="{colour}"/>')
        body.append(f'<text x="{legend_x + 16}" y="12" fill="{INK}" font-size="11">{escape(name)}</text>')
        legend_x += 16 + 7 * len(name) + 14
    desc = "; ".join(f"{label}: {raw:g}" for label, raw in bins)
    if markers:
        desc += ". " + "; ".join(name for name, _p, _c in markers)
    return _svg(width, height, title, desc, body, _id(title, "hist", desc))


def bin_position(value: float | None, edges: Sequence[float]) -> float | None:
    """Where `value` falls on a histogram whose bins are [edges[i], edges[i+1]) and the last one
    open-ended: 2.5 with edges 0, 1, 2, 3 is 2.5 (the middle of the third bin)."""
    if value is None:
        return None
    for i in range(len(edges) - 1):
        lo, hi = edges[i], edges[i + 1]
        if value < hi:
            return i + max(0.0, (value - lo) / (hi - lo))
    return len(edges) - 0.5  # the open last bin: its middle
