"""Read an uploaded standard (text, markdown, HTML, DOCX, PDF) into plain text for the parser.

One entry point, `read_document(filename, data)`. The format is recognised
from the content first (a PDF or a Word file renamed .txt still reads) and the
file name second. Whatever cannot be read raises ImportDocumentError whose
message says why in Bahasa Indonesia, with the English after it, so that the
review screen and the command can show it as is.
"""

import io
import re
import zipfile
from pathlib import PurePath

import docx
from bs4 import BeautifulSoup
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import LxmlError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAX_BYTES = 10 * 1024 * 1024
# A DOCX is a zip: what it may unpack to, checked before python-docx (lxml) sees any of it.
MAX_DOCX_UNPACKED = 50 * 1024 * 1024
MAX_DOCX_MEMBERS = 1000
MAX_DOCX_RATIO = 200  # uncompressed / compressed, for members above 1 MB
MAX_PDF_PAGES = 500
MAX_HTML_DEPTH = 2000  # bs4 takes seconds and hundreds of MB on 100 000 nested tags
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
MIN_TEXT_PER_PAGE = 20
TEXT_ENCODINGS = ("utf-8-sig", "utf-16", "cp1252")
_HTML_DOCUMENT = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<table|<div|<p[\s>])", re.I)
_BLOCKS = ("p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "br")


class ImportDocumentError(ValueError):
    """The file cannot be read as a standard; `code` names the reason for programs."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def read_document(filename: str, data: bytes) -> str:
    """The document's text; raises ImportDocumentError for what cannot be read."""
    if not data:
        raise ImportDocumentError("empty", "Berkas kosong. (The file is empty.)")
    if len(data) > MAX_BYTES:
        raise ImportDocumentError(
            "too_large", f"Berkas terlalu besar: {len(data) // (1024 * 1024)} MB, batasnya 10 MB. "
                         "(The file is larger than 10 MB.)"
        )
    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(b"%PDF"):
        return _pdf(data)
    if data.startswith(b"PK\x03\x04"):
        return _docx(data)
    if suffix in (".pdf", ".docx"):
        raise ImportDocumentError("corrupt", f"Berkas {suffix} rusak atau bukan {suffix}. "
                                             f"(The file is not a valid {suffix}.)")
    if suffix == ".doc" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportDocumentError("old_word", "Format Word lama (.doc) tidak didukung; simpan sebagai .docx "
                                              "atau PDF. (Old .doc files are not supported.)")
    text = _decode(data)
    if suffix in (".html", ".htm") or _HTML_DOCUMENT.match(data[:2048]):
        return _html(text)
    return text


# --- Plain text ------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if _looks_binary(data):
        raise ImportDocumentError("binary", "Berkas ini bukan dokumen teks, DOCX, HTML atau PDF yang dapat "
                                            "dibaca. (The file is binary, not a readable document.)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _looks_binary(data: bytes) -> bool:
    """NUL bytes (outside UTF-16) or many control characters: not a text file."""
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return control > len(sample) * 0.05


# --- HTML ------------------------------------------------------------------------------------


def _html(text: str) -> str:
    """Text of an HTML page: tables as markdown rows, lists as "1." / "•" lines."""
    if _nesting(text) > MAX_HTML_DEPTH:
        raise ImportDocumentError("too_deep", "Struktur HTML terlalu dalam (tag bersarang terlalu "
                                              "banyak); simpan sebagai teks atau DOCX. "
                                              "(The HTML is nested too deeply.)")
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer"]):
        tag.decompose()
    for list_tag in soup.find_all(["ol", "ul"]):
        for number, item in enumerate(list_tag.find_all("li", recursive=False), start=1):
            marker = f"{number}. " if list_tag.name == "ol" else "• "
            item.insert(0, soup.new_string("\n" + "  " * _depth(item) + marker))
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before(soup.new_string("\n"))
    for table in soup.find_all("table"):
        table.replace_with(soup.new_string("\n" + _table_text(table) + "\n"))
    text = soup.get_text()
    return re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text).strip() + "\n"


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
# Void elements, and those whose end tag HTML lets authors leave out (not counted as nesting).
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
         "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot", "colgroup"}


def _nesting(text: str) -> int:
    """How deep the tags nest (roughly, without parsing): bs4 recurses on deep trees."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(text):
        if name.lower() in _VOID or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _depth(item) -> int:
    return max(0, len([p for p in item.parents if p.name in ("ol", "ul")]) - 1)


def _cell_text(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.replace("|", "/").splitlines())
    return "\n".join(line for line in lines if line)


def _table_text(table) -> str:
    rows = []
    for row in table.find_all("tr"):
        cells = [_cell_text(cell.get_text()) for cell in row.find_all(["td", "th"])]
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


# --- DOCX ------------------------------------------------------------------------------------


def _docx(data: bytes) -> str:
    """Paragraphs and tables in document order; Word's automatic numbering written out."""
    _check_docx_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(document)
        lines = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                paragraph = Paragraph(block, document)
                lines.append(numbering.prefix(paragraph) + paragraph.text)
            elif tag == "tbl":
                lines.extend(_docx_table(block))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, LxmlError, AttributeError,
            IndexError, NotImplementedError) as exc:
        raise ImportDocumentError("corrupt", "Berkas DOCX rusak atau bukan dokumen Word. "
                                             "(The file is not a readable .docx.)") from exc
    return "\n".join(lines).strip() + "\n"


def _check_docx_package(data: bytes) -> None:
    """Refuse a zip bomb or XML with a DTD before anything parses the package.

    The declared sizes are checked first (count, total, ratio), then every part
    that is XML is read in chunks (the bytes actually unpacked are counted too)
    and searched for <!DOCTYPE / <!ENTITY: Word never writes a DTD, and a DTD is
    how entity expansion ("billion laughs") and external entities get in.
    """
    too_large = ImportDocumentError(
        "too_large_unpacked", f"Isi berkas DOCX terlalu besar setelah dibuka (lebih dari "
                              f"{MAX_DOCX_UNPACKED // (1024 * 1024)} MB); berkas ini ditolak. "
                              "(The .docx unpacks to more than the limit and is refused.)")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
        if len(members) > MAX_DOCX_MEMBERS:
            raise ImportDocumentError("too_many_parts", "Berkas DOCX berisi terlalu banyak bagian; berkas "
                                                        "ini ditolak. (The .docx has too many parts.)")
        if sum(m.file_size for m in members) > MAX_DOCX_UNPACKED:
            raise too_large
        if any(m.file_size > max(1024 * 1024, MAX_DOCX_RATIO * m.compress_size) for m in members):
            raise too_large
        unpacked = 0
        for member in members:
            if member.is_dir():
                continue
            with package.open(member) as part:
                head = part.read(64 * 1024)
                unpacked += len(head)
                budget = MAX_DOCX_UNPACKED - unpacked
                read = _scan_xml if _is_xml(member.filename, head) else _drain
                unpacked += read(part, head, budget)
            if unpacked > MAX_DOCX_UNPACKED:
                raise too_large
    except ImportDocumentError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError, EOFError,
            RuntimeError) as exc:
        raise ImportDocumentError("corrupt", "Berkas DOCX rusak atau bukan dokumen Word. "
                                             "(The file is not a readable .docx.)") from exc


def _is_xml(name: str, head: bytes) -> bool:
    """Parts python-docx may parse: .xml/.rels, or anything that starts like XML except an SVG image."""
    name = name.lower()
    if name.endswith((".xml", ".rels")):
        return True
    start = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return not name.endswith(".svg") and (not start or start.startswith(b"<"))


def _drain(part, head: bytes, budget: int) -> int:
    """Read a binary part to its end (the CRC is checked); stops past the budget."""
    read = 0
    while chunk := part.read(1024 * 1024):
        read += len(chunk)
        if read > budget:
            break
    return read


def _scan_xml(part, head: bytes, budget: int) -> int:
    """Read an XML part to its end looking for a DTD; returns the bytes read after `head`."""
    read, tail, chunk = 0, b"", head
    while chunk:
        window = tail + chunk
        if _DTD.search(window) or _DTD.search(window.replace(b"\x00", b"")):  # UTF-8 or UTF-16
            raise ImportDocumentError(
                "dtd", "Berkas DOCX berisi deklarasi DTD/ENTITY yang tidak pernah dibuat Word; berkas ini "
                       "ditolak demi keamanan. (The .docx contains DTD or entity declarations; refused.)")
        tail = window[-32:]
        chunk = part.read(1024 * 1024)
        read += len(chunk)
        if read > budget:
            break
    return read


def _docx_table(table) -> list[str]:
    rows = []
    for row in Table(table, None).rows:
        cells = []
        for cell in row.cells:
            text = "\n".join(p.text for p in cell.paragraphs).strip()
            cells.append(text.replace("|", "/"))
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return rows


class _Numbering:
    """Writes out the "1." / "a." / "•" that Word draws for numbered paragraphs."""

    _W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def __init__(self, document):
        self.formats: dict[tuple[str, int], str] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(self._W + "abstractNumId"): a for a in root.iter(self._W + "abstractNum")}
        for num in root.iter(self._W + "num"):
            ref = num.find(self._W + "abstractNumId")
            definition = abstract.get(ref.get(self._W + "val")) if ref is not None else None
            if definition is None:
                continue
            for level in definition.iter(self._W + "lvl"):
                fmt = level.find(self._W + "numFmt")
                key = (num.get(self._W + "numId"), int(level.get(self._W + "ilvl") or 0))
                self.formats[key] = fmt.get(self._W + "val") if fmt is not None else "decimal"

    def prefix(self, paragraph: Paragraph) -> str:
        num_pr = self._num_pr(paragraph)
        if num_pr is None:
            return ""
        num_id = num_pr.find(self._W + "numId")
        level = num_pr.find(self._W + "ilvl")
        key = (num_id.get(self._W + "val") if num_id is not None else "0",
               int(level.get(self._W + "val")) if level is not None else 0)
        fmt = self.formats.get(key, "decimal")
        indent = "  " * key[1]
        if fmt == "bullet":
            return indent + "• "
        for deeper in [k for k in self.counters if k[0] == key[0] and k[1] > key[1]]:
            del self.counters[deeper]
        self.counters[key] = self.counters.get(key, 0) + 1
        count = self.counters[key]
        if fmt in ("lowerLetter", "upperLetter"):
            letter = chr(ord("a") + (count - 1) % 26)
            return f"{indent}{letter.upper() if fmt == 'upperLetter' else letter}. "
        return f"{indent}{count}. "

    def _num_pr(self, paragraph: Paragraph):
        """Numbering set on the paragraph, or on its style ("List Number")."""
        found = paragraph._p.find(f"{self._W}pPr/{self._W}numPr")
        style = paragraph.style if found is None else None
        while found is None and style is not None:
            found = style.element.find(f"{self._W}pPr/{self._W}numPr")
            style = style.base_style
        return found


# --- PDF -------------------------------------------------------------------------------------


def _pdf(data: bytes) -> str:
    """The PDF's text layer; a scan without one, or a locked PDF, is refused with the reason."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportDocumentError("encrypted", "PDF terkunci kata sandi; buka kuncinya lalu unggah lagi. "
                                                   "(The PDF is password-protected.)")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ImportDocumentError("too_many_pages", f"PDF ini lebih dari {MAX_PDF_PAGES} halaman; "
                                                        "unggah bagian standar pelayanannya saja. "
                                                        f"(The PDF has more than {MAX_PDF_PAGES} pages.)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportDocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError,
            RecursionError, ZeroDivisionError) as exc:
        raise ImportDocumentError("corrupt", "Berkas PDF rusak dan tidak dapat dibaca. "
                                             "(The PDF is damaged.)") from exc
    text = "\n\n".join(pages)
    letters = sum(1 for char in text if char.isalpha())
    if letters < MIN_TEXT_PER_PAGE * max(1, len(pages)):
        raise ImportDocumentError("scanned", "PDF ini hasil pindaian tanpa lapisan teks; jalankan OCR "
                                             "terlebih dahulu atau unggah versi teksnya. "
                                             "(The PDF is a scan without a text layer.)")
    return text
