"""Recognise the component headings of a service standard (Permenpan RB 15/2014).

Agencies number them "3.", "3", "C." or not at all, misspell them
("Pengangan Pengaduan", "Persayaratan"), rename them ("Spesifikasi Produk",
"Pengelolaan Pengaduan", "Lama waktu penyelesaian", "Biaya, tarif dan
rinciannya"), follow them with punctuation or a few title-cased words
("Persyaratan Pelayanan ;", "Prosedur Permintaan Informasi", "Kompetensi
Petugas Yang Terlibat ...") and glue the first words of the content to them
("Jangka Waktu Penyelesaian45 Menit"). A heading is recognised at the start of
a line only; what follows it on the same line is the start of the body.
Markers: "3.", "3)", "3" before the heading, "C.", Roman "VII.", or a lone
number on the line before.
"""

import re
from dataclasses import dataclass

# Component keys of the interchange JSON, service delivery first.
DELIVERY = ("persyaratan", "prosedur", "jangka_waktu", "biaya", "produk", "pengaduan")
MANUFACTURING = (
    "dasar_hukum", "sarana_prasarana", "kompetensi_pelaksana", "pengawasan_internal",
    "jumlah_pelaksana", "jaminan_pelayanan", "jaminan_keamanan", "evaluasi_kinerja",
)
COMPONENT_KEYS = DELIVERY + MANUFACTURING

LABELS = {
    "persyaratan": "Persyaratan",
    "prosedur": "Sistem, mekanisme dan prosedur",
    "jangka_waktu": "Jangka waktu penyelesaian",
    "biaya": "Biaya / tarif",
    "produk": "Produk pelayanan",
    "pengaduan": "Penanganan pengaduan, saran dan masukan",
    "dasar_hukum": "Dasar hukum",
    "sarana_prasarana": "Sarana, prasarana dan/atau fasilitas",
    "kompetensi_pelaksana": "Kompetensi pelaksana",
    "pengawasan_internal": "Pengawasan internal",
    "jumlah_pelaksana": "Jumlah pelaksana",
    "jaminan_pelayanan": "Jaminan pelayanan",
    "jaminan_keamanan": "Jaminan keamanan dan keselamatan",
    "evaluasi_kinerja": "Evaluasi kinerja pelaksana",
}

_SERVICE = r"(?:\s+(?:pelayanan|layanan))?"
_SEP = r"\s*[,/]?\s*"
# (key, pattern, strong). A weak pattern is one generic word: it only counts as
# a heading when nothing but a separator follows it on the line.
_PATTERNS = [
    ("persyaratan", rf"persa?yaratan{_SERVICE}", True),
    ("persyaratan", rf"syarat(?:-syarat)?{_SERVICE}", False),
    ("prosedur", rf"sist[ei]m{_SEP}mekanisme{_SEP}(?:dan\s+)?prosedur{_SERVICE}", True),
    ("prosedur", rf"prosedur(?:\s+pelayanan)?\s*/\s*mekanisme{_SERVICE}", True),
    ("prosedur", rf"(?:mekanisme\s+dan\s+)?prosedur{_SERVICE}", False),
    ("prosedur", r"mekanisme|proses\s+pelayanan", False),
    ("prosedur", r"alur\s+dan\s+prosedur", True),
    ("jangka_waktu", r"jangka\s+waktu(?:\s+(?:penyelesaian|pelayanan|layanan))?", True),
    ("jangka_waktu", r"(?:lama\s+)?waktu\s+(?:penyelesa?ian|pelayanan)", True),
    ("jangka_waktu", r"lama\s+(?:waktu\s+)?(?:pelayanan|penyelesaian|proses)", True),
    ("jangka_waktu", r"(?:durasi|estimasi)\s+waktu", True),
    ("biaya", r"biaya\s*(?:/|,|dan|atau)?\s*tarif{1,2}(?:\s+retribusi)?(?:\s*(?:,|dan)\s*rinciannya)?", True),
    ("biaya", r"besarnya\s+(?:tarif|biaya)(?:\s*/\s*(?:tarif|biaya))?", True),
    ("biaya", rf"(?:biaya|tarif){_SERVICE}|biaya\s+pengajuan", False),
    ("produk", rf"spesifikasi\s+produk{_SERVICE}", True),
    ("produk", r"produk\s+(?:pelayanan|layanan)", True),
    ("produk", r"produk|hasil\s+pelayanan", False),
    ("pengaduan", r"(?:penanganan|pengangan|penangan|pengelolaan|pengelola|penanganaan)\s*,?\s+pengaduan"
                  r"(?:\s*,?\s*saran\s*,?\s*(?:dan\s+)?masukan)?", True),
    ("pengaduan", r"(?:pengaduan|aduan)\s*,\s*saran\s*,?\s*(?:dan\s+)?masukan", True),
    ("pengaduan", r"pengaduan|aduan", False),
    ("dasar_hukum", r"(?:dasar|landasan)\s+hukum", True),
    ("dasar_hukum", r"dasar", False),
    ("sarana_prasarana",
     r"sarana\s*[,/]?\s*(?:dan\s+)?prasarana(?:\s*[,/]?\s*(?:dan\s*/?\s*(?:atau\s+)?)?[fv]asilitas)?", True),
    ("sarana_prasarana", rf"fasilitas{_SERVICE}", False),
    ("kompetensi_pelaksana", r"kompetensi\s+(?:pelaksana|petugas)", True),
    ("kompetensi_pelaksana", r"kompetensi", False),
    ("pengawasan_internal", r"pengawas(?:an)?\s+inte?rnal", True),
    ("pengawasan_internal", r"pengawasan", False),
    ("jumlah_pelaksana", r"jumlah\s+(?:pelaksana|petugas|personil|sdm)", True),
    ("jaminan_pelayanan", r"jaminan\s+(?:pelayanan|layanan)", True),
    ("jaminan_keamanan",
     r"jaminan\s+keamanan(?:\s*,?\s*(?:dan\s+)?keselamatan)?(?:\s+(?:pelayanan|layanan))?", True),
    ("evaluasi_kinerja", r"evaluasi\s+kinerja(?:\s+(?:pelaksana|petugas))?", True),
]
_COMPILED = [(key, re.compile(pattern, re.IGNORECASE), strong) for key, pattern, strong in _PATTERNS]
_MARKER = re.compile(r"(?:(\d{1,2})|([A-Za-z])|([IVX]{2,5}))\s*[.)]\s*")
_BARE_NUMBER = re.compile(r"(\d{1,2})\s+(?=[A-Za-z])")
_MARKER_ONLY = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
_SEPARATOR_REST = re.compile(r"^\s*(?:[:：=\-–—;,.]\s*)?$")
_REST_LEAD = re.compile(r"^[\s:：=\-–—;,]+")
_TITLE_WORD = re.compile(r"^(?:[A-Z0-9(/&][^\s]*|dan|atau|dan/atau|/|&|-)$")
_SENTENCE_WORD = re.compile(r"(?:yang|adalah|dilakukan|oleh|harus|dapat|telah|akan|tidak|merupakan|untuk"
                            r"|di|ke|pada|dengan|sesuai|sebagai|bagi|berupa|apabila|jika|bila|agar|kepada"
                            r"|dari)")  # lower case: "Persyaratan yang telah diserahkan …" is a sentence
_SHORT_ALTERNATIVE = re.compile(r"^\s*/\s*[^\W\d_]+\s*$")
_COLON_REST = re.compile(r"^\s*[:：]\s*\S")
MAX_TITLE_WORDS = 8
MAX_HEADING_INDENT = 1


@dataclass(frozen=True)
class Heading:
    """A component heading found on one line; `rest` is the body text after it."""

    key: str
    number: int | None
    line: int
    rest: str
    rest_offset: int  # offset of `rest` within the line
    exact: bool  # spelled like the regulation (a typo or variant lowers confidence)


def match_heading(line: str, line_index: int = 0, previous: str = "",
                  max_indent: int = MAX_HEADING_INDENT) -> Heading | None:
    """The heading at the start of `line`, or None.

    `previous` is the preceding non-blank line: a lone "7" there numbers the heading.
    `max_indent` is how far a heading may be indented (the parser allows more when
    a document indents all its numbered headings).
    """
    indent = len(line) - len(line.lstrip(" "))
    if indent > max_indent:
        return None
    pos = indent
    number = None
    marker = _MARKER.match(line, pos)
    marked = marker is not None and _is_marker(line, marker)
    if marked:
        number = _marker_number(marker)
        pos = marker.end()
    elif (bare := _BARE_NUMBER.match(line, pos)) is not None and _longest_match(line, bare.end()):
        marked, number, pos = True, int(bare.group(1)), bare.end()
    elif (only := _MARKER_ONLY.match(previous)) is not None:
        number = int(only.group(1))
    best = _longest_match(line, pos)
    if best is None:
        return None
    key, end, strong = best
    rest = line[end:]
    if not _acceptable_rest(rest, strong, has_marker=marked):
        return None
    lead = _REST_LEAD.match(rest)
    skip = lead.end() if lead else 0
    return Heading(key, number, line_index, rest[skip:].strip(), end + skip, _is_exact(line[pos:end], key))


def _is_marker(line: str, marker: re.Match) -> bool:
    """A letter or Roman numeral must be followed by a dot ("A. Persyaratan", "VII."), not "Biaya"."""
    if marker.group(2) is None and marker.group(3) is None:
        return True
    letters = marker.group(2) or marker.group(3)
    return line[marker.start() + len(letters)] in ".)"


def _marker_number(marker: re.Match) -> int:
    if marker.group(1):
        return int(marker.group(1))
    if marker.group(2):
        return _letter_number(marker.group(2))
    return _roman_number(marker.group(3))


def _letter_number(letter: str) -> int:
    return ord(letter.lower()) - ord("a") + 1


def _roman_number(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for index, char in enumerate(numeral):
        value = values[char]
        following = values[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _longest_match(line: str, pos: int) -> tuple[str, int, bool] | None:
    best = None
    for key, pattern, strong in _COMPILED:
        found = pattern.match(line, pos)
        if found and (best is None or found.end() > best[1]):
            best = (key, found.end(), strong)
    return best


def _acceptable_rest(rest: str, strong: bool, *, has_marker: bool) -> bool:
    """What follows a heading must not be the rest of a longer word or a sentence."""
    if _SEPARATOR_REST.match(rest):
        return True
    if rest[:1].isspace() and _title_words(rest):
        return True  # "Persyaratan Legalisir", "Prosedur Permintaan Informasi"
    if _SHORT_ALTERNATIVE.match(rest) or has_marker and _COLON_REST.match(rest):
        return True  # "… masukan/apresiasi", "3. Biaya Pelayanan : Tidak ada biaya"
    if not strong or not has_marker:
        return False
    first = rest[0]
    # "Pelaksana5 orang", "PelayananDokumen", "Tarif : Gratis", "Hukum (Perda …)".
    return first.isspace() or first.isdigit() or first.isupper() or first in ":(/-–—"


def _title_words(rest: str) -> bool:
    """A few title-cased words, as a heading's own words, not the start of a sentence."""
    words = rest.strip(" :;,.").split()
    if not words or len(words) > MAX_TITLE_WORDS or rest.rstrip().endswith(","):
        return False
    return all(_TITLE_WORD.match(word) and not _SENTENCE_WORD.fullmatch(word) for word in words)


_EXACT_WORDS = {
    "persyaratan": r"persyaratan", "prosedur": r"(?:sistem, mekanisme,? dan )?prosedur",
    "jangka_waktu": r"jangka waktu", "biaya": r"biaya|tarif", "produk": r"produk",
    "pengaduan": r"(?:penanganan|pengelolaan) pengaduan|pengaduan,", "dasar_hukum": r"dasar hukum",
    "sarana_prasarana": r"sarana", "kompetensi_pelaksana": r"kompetensi",
    "pengawasan_internal": r"pengawasan internal", "jumlah_pelaksana": r"jumlah pelaksana",
    "jaminan_pelayanan": r"jaminan pelayanan", "jaminan_keamanan": r"jaminan keamanan",
    "evaluasi_kinerja": r"evaluasi kinerja",
}


def _is_exact(text: str, key: str) -> bool:
    """Spelled as the regulation does (a typo or a variant lowers the confidence shown)."""
    return re.match(_EXACT_WORDS[key], " ".join(text.lower().split())) is not None
