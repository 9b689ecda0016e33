"""Bring one document's text into the plain, line-based form the parser reads.

Published standards arrive as markdown tables, HTML fragments pasted into
markdown, text copied from web pages with non-breaking spaces, and so on. The
parser only understands lines, so this module:

* unifies line ends and Unicode spaces (offsets below index the result);
* turns HTML fragments into lines (block tags become line breaks);
* reads tables pasted as text (tables.py: pipe-flattened cells, component
  names broken over lines);
* turns markdown table rows into "N. Heading" lines followed by the cell
  content indented by two spaces, so that a table and a numbered list look
  alike to the heading finder.

The result is what the review screen shows as "the original text": every
source span the parser reports is an offset into it. Pure Python, no Django.
"""

import html
import re
import unicodedata

from .tables import read_tables

_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HTML_HINT = re.compile(r"</?(?:div|p|pre|ol|ul|li|br|table|tr|td|th|span|h[1-6])\b[^<>]*>", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:div|p|pre|ol|ul|li|br|table|thead|tbody|tr|h[1-6]|blockquote|section|article)\b[^<>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
_TABLE_LINE = re.compile(r"^\s*(?:[-*+]\s+)?\|")
_SEPARATOR_CELL = re.compile(r"^:?-{1,}:?$")
_MARKER_CELL = re.compile(r"^(\d{1,2}|[A-Za-z])\.?$")
_BLANK_RUNS = re.compile(r"\n{3,}")
MAX_ROW_LINES = 400  # a row that never closes is flushed rather than swallowing the document


def normalise(text: str) -> str:
    """The parser's view of `text`: plain lines, tables flattened, no HTML tags."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", _CONTROL.sub("", _SPACES.sub(" ", text)))
    if _HTML_HINT.search(text):
        text = _strip_html(text)
    lines = _flatten_tables(read_tables(text.split("\n")))
    text = "\n".join(line.rstrip() for line in lines)
    return _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n"


def _strip_html(text: str) -> str:
    """Block tags become line breaks; other tags vanish; entities are decoded."""
    text = _BLOCK_TAG.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    return _SPACES.sub(" ", html.unescape(text))


def _flatten_tables(lines: list[str]) -> list[str]:
    """Rewrite markdown table rows (possibly spanning lines) as heading + indented body."""
    out: list[str] = []
    row: list[str] = []
    columns = 0
    for line in lines:
        if not row and not _TABLE_LINE.match(line):
            columns = columns if not line.strip() else 0  # text between tables ends a table
            out.append(line)
            continue
        row.append(line)
        text = "\n".join(row)
        if _row_complete(text, columns) or len(row) > MAX_ROW_LINES:
            cells = _cells(text)
            columns = columns or len(cells)
            out.extend(_row_lines(cells))
            row = []
    if row:
        out.extend(_row_lines(_cells("\n".join(row))))
    return out


def _row_complete(text: str, columns: int) -> bool:
    """A row ends with "|" once it has as many cells as the table has columns.

    A cell may hold HTML whose block tags became line breaks, so a line ending
    with "|" can still be the middle of a row.
    """
    stripped = text.rstrip()
    return stripped.endswith("|") and len(stripped.lstrip()) > 1 and len(_cells(text)) >= max(columns, 1)


def _cells(row: str) -> list[str]:
    body = re.sub(r"^\s*(?:[-*+]\s+)?\|", "", row.strip())
    if body.endswith("|"):
        body = body[:-1]
    return [cell.strip() for cell in body.split("|")]


def _row_lines(cells: list[str]) -> list[str]:
    """One table row as lines: "N. first cell", then the other cells indented."""
    if all(not cell or _SEPARATOR_CELL.match(cell) for cell in cells):
        return []
    marker = _MARKER_CELL.match(cells[0]) if len(cells) > 1 else None
    if marker:
        first, rest = f"{marker.group(1)}. {cells[1]}", cells[2:]
    else:
        first, rest = cells[0], cells[1:]
    lines = [" ".join(first.split())] if first else []
    for cell in rest:
        lines.extend("  " + part.strip() for part in cell.split("\n") if part.strip())
    return lines
