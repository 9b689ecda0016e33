"""Split a component's body into list entries.

Lists come numbered ("1.", "1)", "(1)"), lettered ("a.", "B."), bulleted
("•", "-", "*") or as bare lines, and a table cell often holds a whole list on
one line ("1. KTP 2. Alamat Pelapor 3. Bukti dukung aduan"). An entry keeps its
indentation and the offsets of its text in the normalised document; bullets
under a numbered entry are its `children` (consumers join them with "; ").
"""

import functools
import re
from dataclasses import dataclass, field

_NUM = re.compile(r"(?:(\d{1,2})[.)]|\((\d{1,2})\))(?=\s|$|[A-Z])\s*")
_LETTER = re.compile(r"([A-Za-z])[.)]\s+")
_BULLET = re.compile(r"(?:[•·▪◦○●■□➢►✓]|[-–—*](?=\s))\s*")
_INLINE_BULLET = {"-": re.compile(r"\s+-\s+(?=\S)"), "•": re.compile(r"\s*•\s*")}
_LOWER_START = re.compile(r"^[a-z]")


@dataclass
class Entry:
    """One list item (or bare line) of a component body."""

    indent: int
    kind: str  # "num", "letter", "bullet" or "text"
    ordinal: int | None
    marker: str
    text: str
    start: int
    end: int
    children: list["Entry"] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        """The entry with its bullet sub-items, as one line ("Tema; Identifikasi; …")."""
        return "; ".join([self.text] + [child.text for child in self.children if child.text])


@dataclass
class _Sequence:
    """The marker a list would use next: what inline splitting looks for."""

    kind: str
    ordinal: int
    upper: bool = False

    @staticmethod
    def after(piece) -> "_Sequence | None":
        """The marker expected after `piece`, if it is numbered or lettered."""
        if piece.kind not in ("num", "letter"):
            return None
        return _Sequence(piece.kind, piece.ordinal + 1, piece.marker[:1].isupper())

    def pattern(self) -> re.Pattern:
        return _next_marker(self.kind, self.ordinal, self.upper)


@functools.lru_cache(maxsize=256)
def _next_marker(kind: str, ordinal: int, upper: bool) -> re.Pattern:
    """Where "N." or "b." starts another item inside a line."""
    if kind == "num":
        return re.compile(rf"(?<=\s){ordinal}[.)]\s+(?=[^\W\d_]|[\"“(])")
    letter = chr(ord("A" if upper else "a") + ordinal - 1)
    return re.compile(rf"(?<=\s){re.escape(letter)}[.)]\s+(?=[A-Z])")


def entries(lines: list[tuple[int, str]]) -> list[Entry]:
    """Entries of the body `lines` ((offset, text) pairs), bullets nested under items."""
    flat: list[Entry] = []
    sequence: _Sequence | None = None
    for offset, line in lines:
        if not line.strip():
            continue
        for entry in _split_line(offset, line, sequence):
            sequence = _Sequence.after(entry) or sequence
            _append(flat, entry)
    return _nest_bullets(flat)


def _append(flat: list[Entry], entry: Entry) -> None:
    """A bare line starting in lower case continues the entry before it."""
    if flat and entry.kind == "text" and _LOWER_START.match(entry.text):
        previous = flat[-1]
        target = previous.children[-1] if previous.children else previous
        target.text = f"{target.text} {entry.text}"
        target.end = entry.end
        return
    flat.append(entry)


@dataclass
class _Piece:
    kind: str
    ordinal: int | None
    marker: str
    start: int
    end: int


def _split_line(offset: int, line: str, sequence: _Sequence | None) -> list[Entry]:
    indent = len(line) - len(line.lstrip(" "))
    first = _leading_marker(line, indent)
    pieces = [first]
    if first.kind == "bullet" and first.marker[:1] in _INLINE_BULLET:
        pieces = _bullet_pieces(line, first)
    result: list[Entry] = []
    for piece in pieces:
        for part in _split_sequence(line, piece, _Sequence.after(piece) or sequence):
            text, start, end = _trimmed(line, offset, part.start, part.end)
            result.append(Entry(indent, part.kind, part.ordinal, part.marker, text, start, end))
            sequence = _Sequence.after(part) or sequence
    return [entry for entry in result if entry.text or entry.kind != "text"]


def _bullet_pieces(line: str, first: _Piece) -> list[_Piece]:
    """"- Email : a - Telp. : b" holds two bullets."""
    separators = list(_INLINE_BULLET[first.marker[:1]].finditer(line, first.start))
    bounds = [first.start] + [m.end() for m in separators]
    stops = [m.start() for m in separators] + [len(line)]
    return [_Piece("bullet", None, first.marker, s, e) for s, e in zip(bounds, stops, strict=True)]


def _leading_marker(line: str, pos: int) -> _Piece:
    end = len(line)
    found = _NUM.match(line, pos)
    if found:
        number = int(found.group(1) or found.group(2))
        return _Piece("num", number, line[pos:found.end()].strip(), found.end(), end)
    found = _LETTER.match(line, pos)
    if found:
        ordinal = ord(found.group(1).lower()) - ord("a") + 1
        return _Piece("letter", ordinal, found.group(0).strip(), found.end(), end)
    found = _BULLET.match(line, pos)
    if found and found.end() > pos:
        return _Piece("bullet", None, found.group(0).strip() or "•", found.end(), end)
    return _Piece("text", None, "", pos, end)


def _split_sequence(line: str, piece: _Piece, sequence: _Sequence | None) -> list[_Piece]:
    """Cut "1. A 2. B 3. C" into pieces, following the numbering the list expects."""
    parts = []
    current = piece
    while sequence is not None:
        found = sequence.pattern().search(line, current.start, piece.end)
        if found is None:
            break
        parts.append(_Piece(current.kind, current.ordinal, current.marker, current.start, found.start()))
        current = _Piece(sequence.kind, sequence.ordinal, found.group(0).strip(), found.end(), piece.end)
        sequence = _Sequence(sequence.kind, sequence.ordinal + 1, sequence.upper)
    parts.append(current)
    return parts


def _trimmed(line: str, offset: int, start: int, end: int) -> tuple[str, int, int]:
    """The piece's text without surrounding spaces, with document offsets."""
    piece = line[start:end]
    left = len(piece) - len(piece.lstrip())
    text = piece.strip()
    return text, offset + start + left, offset + start + left + len(text)


def _nest_bullets(flat: list[Entry]) -> list[Entry]:
    """Bullets after a numbered or lettered entry belong to it ("3. Tim …: - a - b")."""
    top: list[Entry] = []
    parent: Entry | None = None
    for entry in flat:
        if entry.kind == "bullet" and parent is not None and entry.indent >= parent.indent:
            parent.children.append(entry)
            continue
        if entry.kind in ("num", "letter"):
            parent = entry
        elif entry.kind == "text" and parent is not None and entry.indent <= parent.indent:
            parent = None
        top.append(entry)
    return top
