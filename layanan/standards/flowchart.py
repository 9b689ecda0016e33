"""Draw a procedure as a swim-lane flow chart in SVG.

Pure module (no Django): the views hand it the steps of a standard as plain
dicts and inline the returned markup. The layout follows Indonesian SOP
matrices: one *column* per actor (lane headers on top, in order of first
appearance) and one *row* per step, top to bottom, so that the chart prints on
A4 portrait and scrolls sideways on a phone when there are many lanes.

Arrows:

* solid — ``on_done`` (``None`` = the next step in order; the end after the
  last step, and also at the end of an intake path, i.e. when the next step
  belongs to another non-empty ``track``);
* dashed, "tidak selesai" — ``on_cannot_resolve`` (escalation);
* dotted, "tidak lengkap" — ``on_incomplete`` back to the applicant's lane;
* a small "ditolak" tag on steps that ``can_reject``.

Routing is orthogonal. A forward arrow whose target column is free on the way
down goes out of the side of the box and drops onto the top of the target; any
other arrow runs in the gap between two columns (never through a box) and
enters the target from the side.

The output is deterministic (same input, same bytes) and never raises on odd
input: unknown keys are ignored, missing ones take their defaults, transitions
to missing positions are ignored.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

__all__ = ["render_swimlane_svg"]

# Geometry (SVG user units; the page scales the whole drawing to its width).
LANE_W = 156  # column width
BOX_W = 134  # step box width; the rest of the column is a gutter for arrows
OUTER = 14  # margin left and right of the outermost columns
PAD_TOP = 10
PAD_BOTTOM = 12
FONT = 12  # step text
LINE_H = 15
BOX_PAD_X = 7
BOX_PAD_Y = 8
MAX_LINES = 4
MAX_CHARS = 24  # hard cap per line, on top of the measured width
ROW_GAP = 30  # vertical space between two step boxes
HEADER_LINES = 3
BAND_H = 20
TERM_RX, TERM_RY = 38, 12  # start / end ellipses
TERM_GAP = 16  # arrow between a terminator and its box
GUTTER_SLOTS = (0, -6, 6, -10, 10)

INK = "#222"
GREY = "#555"
LIGHT = "#bbb"

APPLICANT_RE = re.compile(r"pemohon|masyarakat|pelapor|pengadu|warga|pengguna", re.I)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SURROGATE_RE = re.compile(r"[\ud800-\udfff]")

DEFAULTS = {
    "position": None,
    "actor": "",
    "text": "",
    "action": "process",
    "track": "",
    "stage": "",
    "on_done": None,
    "on_cannot_resolve": None,
    "on_incomplete": "",
    "can_reject": False,
}

# Advance widths (em) of DejaVu Sans, the widest common system sans-serif, so
# that wrapped labels fit the box whatever font the reader's system picks.
_WIDTHS = {
    **dict.fromkeys("ijl'", 0.28),
    **dict.fromkeys(" .,:;|!", 0.32),
    **dict.fromkeys("ftI()[]/-\\", 0.37),
    **dict.fromkeys('r"', 0.42),
    **dict.fromkeys("csz?", 0.54),
    **dict.fromkeys("kvxyJFL", 0.6),
    **dict.fromkeys("mw", 0.9),
    **dict.fromkeys("MW%…@", 1.0),
}
_WIDE_DEFAULT = 0.64  # other lowercase letters and digits
_UPPER_DEFAULT = 0.72


def _char_w(ch: str) -> float:
    w = _WIDTHS.get(ch)
    if w is not None:
        return w
    if ch.isupper():
        return _UPPER_DEFAULT
    if ord(ch) > 0x2E7F:  # CJK and other wide scripts
        return 1.0
    return _WIDE_DEFAULT


def _text_w(s: str, size: float = FONT, bold: bool = False) -> float:
    return sum(_char_w(c) for c in s) * size * (1.08 if bold else 1.0)


# ---------------------------------------------------------------------------
# Input normalisation


def _clean(value) -> str:
    """Text safe for XML 1.0, whitespace collapsed."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    s = SURROGATE_RE.sub("", CONTROL_RE.sub(" ", s))
    return " ".join(s.split())


def _as_int(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "ya", "yes", "on")
    return bool(value)


@dataclass
class _Node:
    row: int
    position: int | None
    actor: str
    text: str
    action: str
    track: str
    stage: str
    on_done: int | None
    on_cannot_resolve: int | None
    incomplete: bool
    can_reject: bool
    lane: int = 0
    label: list[str] = field(default_factory=list)
    number: str = ""
    x: int = 0
    y: int = 0
    h: int = 0
    band: str = ""
    band_y: int = 0
    start: bool = False
    end: bool = False
    done: int | None = None  # target row
    cannot: int | None = None  # target row
    incoming: int = 0

    @property
    def cx(self) -> int:
        return self.x + BOX_W // 2

    @property
    def bottom(self) -> int:
        return self.y + self.h


def _normalise(steps) -> list[_Node]:
    raw = []
    for index, step in enumerate(steps if isinstance(steps, (list, tuple)) else []):
        if not isinstance(step, dict):
            continue
        get = step.get
        pos = _as_int(get("position"))
        raw.append(
            (
                (pos is None, pos if pos is not None else 0, index),
                _Node(
                    row=0,
                    position=pos,
                    actor=_clean(get("actor")) or "Pelaksana",
                    text=_clean(get("text")),
                    action=_clean(get("action")) or DEFAULTS["action"],
                    track=_clean(get("track")),
                    stage=_clean(get("stage")),
                    on_done=_as_int(get("on_done")),
                    on_cannot_resolve=_as_int(get("on_cannot_resolve")),
                    incomplete=_clean(get("on_incomplete")) == "return_to_applicant",
                    can_reject=_as_bool(get("can_reject")),
                ),
            )
        )
    raw.sort(key=lambda pair: pair[0])
    nodes = [node for _, node in raw]
    for row, node in enumerate(nodes):
        node.row = row
        node.number = str(node.position) if node.position is not None else str(row + 1)
    return nodes


# ---------------------------------------------------------------------------
# Text helpers


def _wrap(
    text: str, width: float, max_lines: int, first_indent: float = 0.0, size: float = FONT, bold: bool = False
) -> list[str]:
    """Greedy word wrap by measured width; the last line ends with "…" when cut.

    The first line is `first_indent` narrower (the step number goes there); a
    word too long for it starts on the second line instead.
    """
    max_chars = MAX_CHARS - 2 if bold else MAX_CHARS

    def fits(s: str, avail: float) -> bool:
        return _text_w(s, size, bold) <= avail and len(s) <= max_chars

    lines: list[str] = []
    current = ""
    words = text.split()
    i = 0
    while i < len(words) and len(lines) < max_lines:
        word = words[i]
        avail = width - (0 if lines else first_indent)
        candidate = f"{current} {word}" if current else word
        if fits(candidate, avail):
            current = candidate
            i += 1
            continue
        if not current:
            if not lines and first_indent and fits(word, width):
                lines.append("")  # the number alone on the first line
                continue
            # A single word longer than a line: split it.
            head = ""
            for ch in word:
                if not fits(head + ch, avail):
                    break
                head += ch
            head = head or word[:1]
            current = head
            words[i] = word[len(head) :]
            if not words[i]:
                i += 1
        lines.append(current)
        current = ""
    if current and len(lines) < max_lines:
        lines.append(current)
        current = ""
    if i < len(words) or current:  # text left over: mark the cut
        last = lines[-1] if lines else ""
        avail = width - (first_indent if len(lines) <= 1 else 0)
        while last and not fits(last + "…", avail):
            last = last[:-1]
        last = last.rstrip(" ,.;:-") + "…"
        if lines:
            lines[-1] = last
        else:
            lines.append(last)
    return lines or [""]


def _short_label(node: _Node) -> str:
    """The step text without a leading repetition of the actor (the lane says it)."""
    text = node.text
    actor = node.actor
    if actor and text.lower().startswith(actor.lower() + " "):
        rest = text[len(actor) + 1 :].lstrip(" ,:-")
        if len(rest) > 3:
            text = rest[:1].upper() + rest[1:]
    return text


def _truncate(text: str, width: float, size: float, bold: bool = False) -> str:
    if _text_w(text, size, bold) <= width:
        return text
    while text and _text_w(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _t(s: str) -> str:
    return escape(s)


def _a(s) -> str:
    return quoteattr(str(s))


# ---------------------------------------------------------------------------
# Routing


@dataclass
class _Edge:
    src: int
    dst: int | None  # None for the "tidak lengkap" arrow
    kind: str  # done | cannot | incomplete
    route: str = ""  # down | elbow | gutter | back
    src_side: str = ""  # left | right | bottom
    dst_side: str = ""  # left | right | top
    gutter_x: int = 0
    merge: tuple = ()  # gutter arrows with the same key share their last stretch
    end_x: int = 0  # "tidak lengkap": where the arrow stops
    back_to: int | None = None  # "tidak lengkap": the applicant's previous box
    points: list[tuple[int, int]] = field(default_factory=list)


def _lane_left(lane: int) -> int:
    return OUTER + lane * LANE_W


def _boundary_x(b: int) -> int:
    return OUTER + b * LANE_W


def _blocked(nodes: list[_Node], lane: int, r1: int, r2: int) -> bool:
    lo, hi = sorted((r1, r2))
    return any(nodes[k].lane == lane for k in range(lo + 1, hi))


def _plan_edges(nodes: list[_Node], applicant_lane: int) -> list[_Edge]:
    edges: list[_Edge] = []
    for node in nodes:
        for kind, target in (("done", node.done), ("cannot", node.cannot)):
            if target is None:
                continue
            dst = nodes[target]
            edge = _Edge(node.row, target, kind)
            if dst.row > node.row and not _blocked(nodes, dst.lane, node.row, dst.row):
                if dst.lane == node.lane:
                    edge.route, edge.src_side, edge.dst_side = "down", "bottom", "top"
                else:
                    edge.route = "elbow"
                    edge.src_side = "right" if dst.lane > node.lane else "left"
                    edge.dst_side = "top"
            else:
                edge.route = "gutter"
                if dst.lane > node.lane:
                    edge.src_side, edge.dst_side = "right", "left"
                    edge.gutter_x = _boundary_x(dst.lane)
                elif dst.lane < node.lane:
                    edge.src_side, edge.dst_side = "left", "right"
                    edge.gutter_x = _boundary_x(dst.lane + 1)
                else:
                    edge.src_side = edge.dst_side = "right"
                    edge.gutter_x = _boundary_x(dst.lane + 1)
                edge.merge = (target, kind, edge.gutter_x, dst.row > node.row)
            edges.append(edge)
        if node.incomplete and node.lane != applicant_lane:
            edge = _Edge(node.row, None, "incomplete", route="back")
            edge.src_side = "left" if applicant_lane < node.lane else "right"
            edge.end_x = _lane_left(applicant_lane) + LANE_W // 2
            # Up to the applicant's last box above, when there is one: its
            # column is free of boxes down to this row.
            previous = [n for n in nodes[: node.row] if n.lane == applicant_lane]
            if previous:
                edge.back_to = previous[-1].row
            edges.append(edge)
    bottoms_used = {e.src for e in edges if e.route == "down"}
    bottoms_used |= {n.row for n in nodes if n.end}
    for e in edges:
        if e.back_to is not None and e.back_to in bottoms_used:
            e.end_x += BOX_W // 4  # keep clear of the arrow leaving that box downwards
    return edges


def _assign_gutter_slots(nodes: list[_Node], edges: list[_Edge]) -> None:
    """Give overlapping vertical runs in the same gutter distinct offsets."""
    groups: dict[tuple, list[_Edge]] = {}
    for e in edges:
        if e.route == "gutter":
            groups.setdefault(e.merge, []).append(e)
    by_gutter: dict[int, list[tuple[int, int, list[_Edge]]]] = {}
    for key, group in groups.items():
        rows = [nodes[e.src] for e in group] + [nodes[group[0].dst]]
        lo, hi = min(n.y for n in rows), max(n.bottom for n in rows)
        by_gutter.setdefault(key[2], []).append((lo, hi, group))
    for runs in by_gutter.values():
        runs.sort(key=lambda r: (r[0], r[1], r[2][0].src, r[2][0].dst))
        busy: list[int] = [-(10**9)] * len(GUTTER_SLOTS)  # slot -> last y used
        for lo, hi, group in runs:
            slot = next((k for k, end in enumerate(busy) if end < lo), None)
            if slot is None:
                slot = min(range(len(busy)), key=lambda k: busy[k])
            busy[slot] = hi
            for e in group:
                e.gutter_x += GUTTER_SLOTS[slot]


def _side_x(node: _Node, side: str) -> int:
    return node.x if side == "left" else node.x + BOX_W


def _assign_ports(nodes: list[_Node], edges: list[_Edge]) -> dict:
    """Spread the attachment points of each box side; order them to avoid crossings."""
    sides: dict[tuple[int, str], list[tuple[tuple, _Edge, str]]] = {}
    tops: dict[int, list[tuple[tuple, _Edge]]] = {}
    merged_in: dict[tuple, _Edge] = {}  # merge key -> the edge that owns the entry port
    for e in edges:
        src = nodes[e.src]
        if e.route == "down":
            tops.setdefault(e.dst, []).append(((1, 0, e.src), e))
        elif e.route == "elbow":
            dst = nodes[e.dst]
            turn_x = dst.cx
            dist = abs(turn_x - _side_x(src, e.src_side))
            # Going down: the farther the turn, the higher the port.
            sides.setdefault((e.src, e.src_side), []).append(((3, -dist, e.dst), e, "out"))
            if e.src_side == "right":  # arrives from the left
                tops.setdefault(e.dst, []).append(((0, -e.src, 0), e))
            else:
                tops.setdefault(e.dst, []).append(((2, e.src, 0), e))
        elif e.route == "gutter":
            dst = nodes[e.dst]
            down = dst.row > src.row
            d_out = abs(e.gutter_x - _side_x(src, e.src_side))
            d_in = abs(e.gutter_x - _side_x(dst, e.dst_side))
            out_key = (3, -d_out, e.dst) if down else (0, d_out, e.dst)
            in_key = (1, d_in, e.src) if down else (4, -d_in, e.src)
            sides.setdefault((e.src, e.src_side), []).append((out_key, e, "out"))
            if e.merge not in merged_in:
                merged_in[e.merge] = e
                sides.setdefault((e.dst, e.dst_side), []).append((in_key, e, "in"))
        else:  # "tidak lengkap": across, then up to the applicant's box if any
            dist = abs(e.end_x - _side_x(src, e.src_side))
            key = (0, dist, 0) if e.back_to is not None else (2, 0, 0)
            sides.setdefault((e.src, e.src_side), []).append((key, e, "out"))

    ports: dict[tuple[int, str], int] = {}
    for (row, _side), items in sides.items():
        node = nodes[row]
        items.sort(key=lambda item: item[0])
        n = len(items)
        for k, (_key, e, direction) in enumerate(items):
            ports[(id(e), direction)] = node.y + round(node.h * (k + 1) / (n + 1))
    for e in edges:
        if e.route == "gutter":
            ports[(id(e), "in")] = ports[(id(merged_in[e.merge]), "in")]
    top_x: dict[int, int] = {}
    for row, items in tops.items():
        node = nodes[row]
        items.sort(key=lambda item: item[0])
        n = len(items)
        for k, (_key, e) in enumerate(items):
            top_x[id(e)] = node.x + round(BOX_W * (k + 1) / (n + 1))
    return {"side": ports, "top": top_x}


def _route(nodes: list[_Node], edges: list[_Edge]) -> None:
    ports = _assign_ports(nodes, edges)
    for e in edges:
        src = nodes[e.src]
        if e.route == "down":
            x = ports["top"][id(e)]
            e.points = [(x, src.bottom), (x, nodes[e.dst].y)]
        elif e.route == "elbow":
            dst = nodes[e.dst]
            y = ports["side"][(id(e), "out")]
            x = ports["top"][id(e)]
            e.points = [(_side_x(src, e.src_side), y), (x, y), (x, dst.y)]
        elif e.route == "gutter":
            dst = nodes[e.dst]
            y1 = ports["side"][(id(e), "out")]
            y2 = ports["side"][(id(e), "in")]
            gx = e.gutter_x
            e.points = [(_side_x(src, e.src_side), y1), (gx, y1), (gx, y2), (_side_x(dst, e.dst_side), y2)]
        else:
            y = ports["side"][(id(e), "out")]
            e.points = [(_side_x(src, e.src_side), y), (e.end_x, y)]
            if e.back_to is not None:
                e.points.append((e.end_x, nodes[e.back_to].bottom))


def _path_d(points: list[tuple[int, int]]) -> str:
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{x0} {y0}"]
    px, py = x0, y0
    for x, y in rest:
        if y == py and x != px:
            parts.append(f"H{x}")
        elif x == px and y != py:
            parts.append(f"V{y}")
        elif (x, y) != (px, py):
            parts.append(f"L{x} {y}")
        px, py = x, y
    return "".join(parts)


# ---------------------------------------------------------------------------
# Rendering


def _svg_open(prefix: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{prefix}-t {prefix}-d" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}" fill="{INK}">',
        f'<title id="{prefix}-t">{_t(title)}</title>',
        f'<desc id="{prefix}-d">{_t(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]


def _empty_svg(title: str) -> str:
    prefix = "fc" + hashlib.sha1(("empty\0" + title).encode()).hexdigest()[:8]
    message = "Prosedur belum diisi"
    out = _svg_open(prefix, 320, 64, title or "Bagan alur prosedur", message)
    out.append(
        f'<rect x="8" y="8" width="304" height="48" rx="8" fill="none" '
        f'stroke="{LIGHT}" stroke-dasharray="4 3"/>'
    )
    out.append(f'<text x="160" y="36" text-anchor="middle" fill="{GREY}">{message}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _applicant_lane(nodes: list[_Node], lanes: list[str]) -> int:
    for node in nodes:
        if node.action == "submit":
            return node.lane
    for i, actor in enumerate(lanes):
        if APPLICANT_RE.search(actor):
            return i
    return 0


def _resolve_transitions(nodes: list[_Node]) -> None:
    by_pos: dict[int, int] = {}
    for node in nodes:
        if node.position is not None:
            by_pos.setdefault(node.position, node.row)
    last = len(nodes) - 1
    for node in nodes:
        target = by_pos.get(node.on_done) if node.on_done is not None else None
        if target is None or target == node.row:
            nxt = nodes[node.row + 1] if node.row < last else None
            track_ends = nxt is not None and node.track and nxt.track and nxt.track != node.track
            target = None if nxt is None or track_ends else nxt.row
        node.done = target
        node.end = target is None
        esc = by_pos.get(node.on_cannot_resolve) if node.on_cannot_resolve is not None else None
        if esc is not None and esc != node.row and esc != node.done:
            node.cannot = esc
    for node in nodes:
        for target in (node.done, node.cannot):
            if target is not None:
                nodes[target].incoming += 1
    for node in nodes:
        prev = nodes[node.row - 1] if node.row else None
        node.start = prev is None or (
            node.incoming == 0 and (prev.end or (node.track and node.track != prev.track))
        )


def render_swimlane_svg(steps: list[dict], *, title: str = "") -> str:
    """Return a standalone SVG document drawing `steps` as a swim-lane chart."""
    title = _clean(title)
    nodes = _normalise(steps)
    if not nodes:
        return _empty_svg(title)

    lanes: list[str] = []
    lane_of: dict[str, int] = {}
    for node in nodes:
        key = node.actor.casefold()
        if key not in lane_of:
            lane_of[key] = len(lanes)
            lanes.append(node.actor)
        node.lane = lane_of[key]
    _resolve_transitions(nodes)
    applicant = _applicant_lane(nodes, lanes)

    width = 2 * OUTER + len(lanes) * LANE_W
    text_w = BOX_W - 2 * BOX_PAD_X

    # Vertical layout -------------------------------------------------------
    y = PAD_TOP
    title_y = 0
    if title:
        title_y = y + 14
        y += 26
    header_lines = [_wrap(actor, LANE_W - 12, HEADER_LINES, bold=True) for actor in lanes]
    header_top = y
    header_h = 10 + LINE_H * max(len(lines) for lines in header_lines)
    y += header_h + 14
    prev_track = prev_stage = ""
    for node in nodes:
        band = []
        if node.track != prev_track and (node.track or node.row):
            band.append(f"Jalur: {node.track}" if node.track else "Semua jalur")
        if node.stage and node.stage != prev_stage:
            band.append(node.stage)
        prev_track, prev_stage = node.track, node.stage
        if band:
            node.band = " · ".join(band)
            node.band_y = y
            y += BAND_H + 12
        if node.start:
            y += 2 * TERM_RY + TERM_GAP
        number_w = _text_w(node.number + ". ", FONT, bold=True)
        node.label = _wrap(_short_label(node), text_w, MAX_LINES, number_w)
        node.x = _lane_left(node.lane) + (LANE_W - BOX_W) // 2
        node.y = y
        node.h = 2 * BOX_PAD_Y + LINE_H * len(node.label) + (8 if node.can_reject else 0)
        y += node.h
        if node.end:
            y += TERM_GAP + 2 * TERM_RY
        y += ROW_GAP

    edges = _plan_edges(nodes, applicant)
    kinds = {e.kind for e in edges}
    legend = [k for k in ("done", "cannot", "incomplete") if k in kinds]
    legend_top = y - 6
    y += 18 * len(legend) + (4 if legend else -ROW_GAP // 2)
    height = y + PAD_BOTTOM

    _assign_gutter_slots(nodes, edges)
    _route(nodes, edges)

    # Markup ----------------------------------------------------------------
    digest = hashlib.sha1()
    digest.update(title.encode())
    for node in nodes:
        digest.update(
            repr(
                (
                    node.number,
                    node.actor,
                    node.text,
                    node.action,
                    node.track,
                    node.stage,
                    node.done,
                    node.cannot,
                    node.incomplete,
                    node.can_reject,
                )
            ).encode()
        )
    prefix = "fc" + digest.hexdigest()[:8]
    arrow = f"url(#{prefix}-a)"

    desc_parts = [f"Bagan alur {len(nodes)} langkah dengan {len(lanes)} pelaksana: {', '.join(lanes)}."]
    for node in nodes:
        desc_parts.append(f"{node.number}. {node.actor}: {node.text or '-'}")
    out = _svg_open(prefix, width, height, title or "Bagan alur prosedur", " ".join(desc_parts))
    out.append(
        f'<defs><marker id="{prefix}-a" viewBox="0 0 10 10" refX="10" refY="5" '
        f'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0 1L10 5L0 9z" fill="{INK}"/></marker></defs>'
    )
    if title:
        out.append(
            f'<text x="{OUTER}" y="{title_y}" font-size="14" font-weight="700">'
            f"{_t(_truncate(title, width - 2 * OUTER, 14, bold=True))}</text>"
        )

    # Lanes: header cells and separators.
    bottom = legend_top - 8 if legend else height - PAD_BOTTOM
    out.append(f'<g stroke="{LIGHT}" fill="none">')
    out.append(
        f'<rect x="{OUTER}" y="{header_top}" width="{width - 2 * OUTER}" height="{bottom - header_top}"/>'
    )
    for b in range(1, len(lanes)):
        out.append(f'<path d="M{_boundary_x(b)} {header_top}V{bottom}"/>')
    out.append(f'<path d="M{OUTER} {header_top + header_h}H{width - OUTER}"/>')
    out.append("</g>")
    out.append('<g class="lanes" font-weight="700" text-anchor="middle">')
    for i, lines in enumerate(header_lines):
        cx = _lane_left(i) + LANE_W // 2
        first = header_top + (header_h - LINE_H * len(lines)) // 2 + 11
        out.append(
            f'<g class="lane" data-lane="{i}"><rect x="{_lane_left(i)}" '
            f'y="{header_top}" width="{LANE_W}" height="{header_h}" fill="#ececec" '
            f'stroke="{LIGHT}"/><title>{_t(lanes[i])}</title>'
        )
        tspans = "".join(
            f'<tspan x="{cx}" y="{first + k * LINE_H}">{_t(line)}</tspan>' for k, line in enumerate(lines)
        )
        out.append(f"<text>{tspans}</text></g>")
    out.append("</g>")

    # Track / stage bands.
    for node in nodes:
        if node.band:
            out.append(
                f'<rect class="band" x="{OUTER}" y="{node.band_y}" '
                f'width="{width - 2 * OUTER}" height="{BAND_H}" fill="#f3f3f3"/>'
            )

    # Arrows.
    styles = {
        "done": f'stroke="{INK}"',
        "cannot": f'stroke="{INK}" stroke-dasharray="6 4"',
        "incomplete": f'stroke="{GREY}" stroke-dasharray="2 3"',
    }
    out.append(f'<g fill="none" stroke-width="1.3" marker-end="{arrow}">')
    for node in nodes:
        if node.start:
            top = node.y - TERM_GAP
            out.append(f'<path class="flow start" stroke="{INK}" d="M{node.cx} {top}V{node.y}"/>')
        if node.end:
            out.append(
                f'<path class="flow end" stroke="{INK}" '
                f'd="M{node.cx} {node.bottom}V{node.bottom + TERM_GAP}"/>'
            )
    for e in edges:
        cls = {"done": "flow", "cannot": "escalation", "incomplete": "incomplete"}[e.kind]
        out.append(
            f'<path class="{cls}" data-from="{nodes[e.src].number}" '
            f'{styles[e.kind]} d="{_path_d(e.points)}"/>'
        )
    out.append("</g>")

    # Terminators.
    out.append('<g text-anchor="middle" font-size="11">')
    for node in nodes:
        if node.start:
            cy = node.y - TERM_GAP - TERM_RY
            out.append(
                f'<g class="terminator start"><ellipse cx="{node.cx}" cy="{cy}" '
                f'rx="{TERM_RX}" ry="{TERM_RY}" fill="#fff" stroke="{INK}"/>'
                f'<text x="{node.cx}" y="{cy + 4}">Mulai</text></g>'
            )
        if node.end:
            cy = node.bottom + TERM_GAP + TERM_RY
            out.append(
                f'<g class="terminator end"><ellipse cx="{node.cx}" cy="{cy}" '
                f'rx="{TERM_RX}" ry="{TERM_RY}" fill="#fff" stroke="{INK}"/>'
                f'<text x="{node.cx}" y="{cy + 4}">Selesai</text></g>'
            )
    out.append("</g>")

    # Step boxes.
    for node in nodes:
        tx = node.x + BOX_PAD_X
        parts = [
            f'<g class="step" id="{prefix}-s{node.row + 1}" data-position="{node.number}" '
            f"data-action={_a(node.action)}>",
            f"<title>{_t(f'{node.number}. {node.actor}: {node.text}')}</title>",
            f'<rect x="{node.x}" y="{node.y}" width="{BOX_W}" height="{node.h}" rx="7" '
            f'fill="#fff" stroke="{INK}" stroke-width="1.2"/>',
            "<text>",
        ]
        for k, line in enumerate(node.label):
            ly = node.y + BOX_PAD_Y + 11 + k * LINE_H
            if k == 0:
                parts.append(
                    f'<tspan x="{tx}" y="{ly}" font-weight="700">{_t(node.number)}.'
                    f'</tspan><tspan font-weight="400"> {_t(line)}</tspan>'
                )
            else:
                parts.append(f'<tspan x="{tx}" y="{ly}">{_t(line)}</tspan>')
        parts.append("</text>")
        if node.can_reject:
            rx, ry = node.x + BOX_W - 64, node.bottom - 8
            parts.append(
                f'<g class="reject" font-size="10"><rect x="{rx}" y="{ry}" width="60" '
                f'height="15" rx="7" fill="#fff" stroke="{GREY}"/>'
                f'<text x="{rx + 30}" y="{ry + 11}" text-anchor="middle" '
                f'fill="{GREY}">✕ ditolak</text></g>'
            )
        parts.append("</g>")
        out.append("".join(parts))

    # Labels on top of everything, with a white halo.
    out.append(f'<g font-size="10" fill="{GREY}" stroke="#fff" stroke-width="3" paint-order="stroke">')
    for node in nodes:
        if node.band:
            label = _truncate(node.band, width - 2 * OUTER - 12, 11, bold=True)
            out.append(
                f'<text class="band-label" x="{OUTER + 6}" y="{node.band_y + 14}" '
                f'font-size="11" font-weight="700" fill="{INK}" stroke="#f3f3f3">'
                f"{_t(label)}</text>"
            )
    for e in edges:
        if e.kind == "done":
            continue
        text = "tidak selesai" if e.kind == "cannot" else "tidak lengkap"
        if e.route == "elbow":  # beside the drop into the target, clear of other lines
            (x, y1), (_x, y2) = e.points[1], e.points[2]
            y = (y1 + y2) // 2 + 4
            if e.src_side == "right":
                out.append(f'<text x="{x + 5}" y="{y}">{text}</text>')
            else:
                out.append(f'<text x="{x - 5}" y="{y}" text-anchor="end">{text}</text>')
            continue
        (x0, y0), (x1, _y1) = e.points[0], e.points[1]
        if x1 >= x0:
            out.append(f'<text x="{x0 + 5}" y="{y0 - 4}">{text}</text>')
        else:
            out.append(f'<text x="{x0 - 5}" y="{y0 - 4}" text-anchor="end">{text}</text>')
    out.append("</g>")

    # Legend.
    if legend:
        names = {
            "done": "alur berikutnya",
            "cannot": "tidak selesai: naik ke pejabat berikutnya",
            "incomplete": "tidak lengkap: kembali ke pemohon",
        }
        out.append(f'<g class="legend" font-size="10" fill="{GREY}">')
        for k, kind in enumerate(legend):
            ly = legend_top + 10 + 18 * k
            out.append(
                f'<path d="M{OUTER} {ly}H{OUTER + 36}" fill="none" stroke-width="1.3" '
                f'{styles[kind]} marker-end="{arrow}"/>'
                f'<text x="{OUTER + 44}" y="{ly + 4}">{names[kind]}</text>'
            )
        out.append("</g>")

    out.append("</svg>")
    return "\n".join(out) + "\n"
