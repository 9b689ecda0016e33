"""Tables as agencies' pages give them, turned into headed lines before the component reader runs.

A standard is a two-column table (Komponen | Uraian). Copied from Word, PDF or
a web page it arrives in pieces, and this module puts the pieces back together
so that each component name starts a line, as headings.py expects:

* pipe-flattened tables: cells separated by "|", often one cell per line, empty
  cells as lone "|", row numbers as "1. |", rows as "1 | Dasar Hukum | UU … |"
  without a leading pipe. Each such line becomes its cells: a row number and
  the component name are joined ("1. Dasar Hukum"), the other cells follow on
  indented lines (so that their own "1." items never pass for headings), lone
  pipes become blank lines;
* component names broken over lines, by a narrow first column ("Sistem
  Mekanisme dan" … "Prosedur", "Jangka Waktu" / "Pelayanan") or by a PDF whose
  two columns run into each other ("5. Jumlah 5 (lima) orang" / "pelaksana"):
  the name is joined back on its first line and removed from the later one.

Markdown tables with a leading pipe are left to normalise.py. Pure Python,
line-based; it never raises on any text.
"""

import re

from .headings import match_heading

_LONE_PIPES = re.compile(r"^\s*\|[\s|]*$")
_LEADING_PIPE = re.compile(r"^\s*(?:[-*+]\s+)?\|")
_SEPARATOR_CELL = re.compile(r"^:?-{1,}:?$")
_MARKER_CELL = re.compile(r"^(\d{1,2}|[A-Za-z]|[IVX]{2,5})\.?$")
_LEAD_MARKER = re.compile(r"^(\s*(?:\d{1,2}[.)]?|[A-Za-z][.)]|[IVX]{2,5}\.)\s*)(?=[A-Za-z])")
_HEADING_START = re.compile(
    r"^(?:sist[ei]m|penanganan|pengelolaan|pengaduan|jangka|biaya|produk|sarana|kompetensi|pengawas"
    r"|jumlah|jaminan|evaluasi|persyaratan|prosedur|waktu|dasar|lama|spesifikasi)\b",
    re.IGNORECASE,
)
MIN_PIPE_LINES = 5
JOIN_WINDOW = 5  # non-blank lines searched for the rest of a broken component name
MAX_CONTINUATION_WORDS = 4


def read_tables(lines: list[str]) -> list[str]:
    """The document's lines with flattened tables read back into headed lines."""
    if _is_pipe_flattened(lines):
        lines = _pipe_lines(lines)
    return _join_broken_headings(lines)


# --- Pipe-flattened tables ---------------------------------------------------------------------


def _is_pipe_flattened(lines: list[str]) -> bool:
    """Many lines end with a cell's "|" without starting with one (markdown rows do)."""
    tails = rows = 0
    for line in lines:
        if "|" not in line or _LONE_PIPES.match(line):
            continue
        if _LEADING_PIPE.match(line):
            rows += 1
        elif line.rstrip().endswith("|"):
            tails += 1
    return tails >= MIN_PIPE_LINES and tails > rows


def _pipe_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if "|" not in line:
            out.append(line)
            continue
        cells = [cell.strip() for cell in line.split("|")]
        cells = [cell for cell in cells if cell and not _SEPARATOR_CELL.match(cell)]
        out.extend(row_lines(cells) if cells else [""])
    return out


def row_lines(cells: list[str]) -> list[str]:
    """One table row: "N. first cell" (or the lone cell), then the other cells indented."""
    if len(cells) > 1 and _MARKER_CELL.match(cells[0]):
        marker = cells[0].rstrip(".")
        first, rest = f"{marker}. {cells[1]}", cells[2:]
    elif len(cells) == 1 and _MARKER_CELL.match(cells[0]) and cells[0][:1].isdigit():
        return [cells[0].rstrip(".") + "."]
    else:
        first, rest = cells[0], cells[1:]
    lines = [" ".join(first.split())]
    for cell in rest:
        lines.extend("  " + part.strip() for part in cell.split("\n") if part.strip())
    return lines


# --- Component names broken over lines ---------------------------------------------------------


def _join_broken_headings(lines: list[str]) -> list[str]:
    lines = list(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or len(line) - len(line.lstrip()) > 1:
            continue
        lead = _LEAD_MARKER.match(line)
        text = line[lead.end():] if lead else stripped
        if not _HEADING_START.match(text):
            continue
        if match_heading(line) is None:
            _join_name(lines, index, lead.group(1) if lead else "", text)
        elif lead:
            _join_column(lines, index, lead.group(1), text)
    return lines


def _following(lines: list[str], index: int) -> list[int]:
    """Indexes of the next non-blank lines after `index` (at most JOIN_WINDOW)."""
    found = []
    for other in range(index + 1, min(len(lines), index + 60)):
        if lines[other].strip():
            found.append(other)
            if len(found) == JOIN_WINDOW:
                break
    return found


def _join_name(lines: list[str], index: int, marker: str, text: str) -> None:
    """A line holding only the start of a name ("Sistem Mekanisme dan") takes its rest ("Prosedur")."""
    name = text.strip()
    if len(name.split()) > MAX_CONTINUATION_WORDS + 1:
        _join_column(lines, index, marker, text)
        return
    taken: list[int] = []
    for other in _following(lines, index):
        piece = lines[other].strip()
        if len(piece.split()) > MAX_CONTINUATION_WORDS or not piece[:1].isalpha():
            continue  # the content of the other column, between the pieces of the name
        candidate = f"{name} {piece}"
        heading = match_heading(f"{marker}{candidate}")
        if heading is not None and not heading.rest:
            for taken_index in [*taken, other]:
                lines[taken_index] = ""
            lines[index] = f"{marker}{candidate}"
            return
        if _prefix_of_heading(f"{marker}{candidate}"):
            name, taken = candidate, [*taken, other]
    _join_column(lines, index, marker, text)


def _prefix_of_heading(text: str) -> bool:
    """Whether some ending would make `text` a full component name ("Penanganan Pengaduan, Saran dan")."""
    for ending in ("Masukan", "Prosedur", "Pelaksana", "Pelayanan", "Penyelesaian", "Prasarana", "Internal",
                   "Hukum", "Tarif", "Pengaduan"):
        heading = match_heading(f"{text} {ending}")
        if heading is not None and not heading.rest:
            return True
    return False


def _join_column(lines: list[str], index: int, marker: str, text: str) -> None:
    """Two PDF columns run together: "5. Jumlah 5 (lima) orang" / "pelaksana" is "Jumlah pelaksana"."""
    following = _following(lines, index)
    if not following:
        return
    current = match_heading(lines[index])
    other = following[0]
    words = text.split()
    next_words = lines[other].split()
    for size in range(1, min(3, len(words)) + 1):
        start = " ".join(words[:size])
        for more in range(min(3, len(next_words)), 0, -1):
            if not all(word[:1].isalpha() for word in next_words[:more]):
                continue  # a name goes on with words, not with "-" or "2."
            name = f"{start} {' '.join(next_words[:more])}"
            heading = match_heading(f"{marker}{name}")
            if heading is None or heading.rest or current is not None and current.key == heading.key:
                continue
            body = " ".join(words[size:])
            lines[index] = f"{marker}{name}" + (f" {body}" if body else "")
            lines[other] = " ".join(next_words[more:])
            return
