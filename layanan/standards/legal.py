"""Reads one legal reference ("Undang-Undang Nomor 25 Tahun 2009 tentang …").

Pure module: the standard editor and the importer both use it.
"""

import re

# Longest, most specific spellings first: the first match wins.
_TYPES = [
    (r"peraturan\s+menteri\s+(?:negara\s+)?pendayagunaan\s+aparatur|permen\s*pan|permenpan|"
     r"peraturan\s+menteri\s+pan|permanpan", "PermenPANRB"),
    (r"peraturan\s+menteri\s+dalam\s+negeri|permendagri", "Permendagri"),
    (r"peraturan\s+ombudsman", "Peraturan Ombudsman"),
    (r"peraturan\s+pemerintah\s+pengganti|perpu|perppu", "Perppu"),
    (r"peraturan\s+pemerintah|\bpp\b", "PP"),
    (r"peraturan\s+presiden|perpres", "Perpres"),
    (r"keputusan\s+presiden|keppres", "Keppres"),
    (r"peraturan\s+menteri|permen", "Permen"),
    (r"peraturan\s+daerah|perda", "Perda"),
    (r"peraturan\s+bupati|perbup", "Perbup"),
    (r"peraturan\s+wali\s*kota|perwali", "Perwali"),
    (r"peraturan\s+gubernur|pergub", "Pergub"),
    (r"undang[\s-]*undang|\buu\b", "UU"),
    (r"keputusan", "Keputusan"),
]
_NUMBER = re.compile(r"\b(?:nomor|no\.?)\s*:?\s*([0-9][0-9A-Za-z./-]*)", re.IGNORECASE)
_YEAR = re.compile(r"\btahun\s+(\d{4})\b", re.IGNORECASE)
_TITLE = re.compile(r"\btentang\b\s*(.+)$", re.IGNORECASE | re.DOTALL)


def parse_legal_reference(text: str) -> dict:
    """{"type", "number", "year", "title", "text"}; unknown parts are None."""
    clean = " ".join(text.split()).strip()
    body = re.sub(r"^\s*(?:\d+[.)]|[a-z][.)]|[-•*])\s*", "", clean)
    lowered = body.lower()
    kind = next((name for pattern, name in _TYPES if re.search(pattern, lowered)), "Lainnya")
    number = _NUMBER.search(body)
    year = _YEAR.search(body)
    title = _TITLE.search(body)
    return {
        "type": kind,
        "number": number.group(1).rstrip(".,;") if number else None,
        "year": int(year.group(1)) if year else None,
        "title": title.group(1).strip().rstrip(".;,") if title else None,
        "text": body,
    }
