"""Turn one published standard document into draft standards (the interchange shape).

The document's text is normalised (normalise.py), its component headings are
found (headings.py), and the headings are grouped into services: a new service
starts when the component numbering restarts ("1.Dasar Hukum" after
"13.Evaluasi …", as in seed 002 whose service titles were lost) or when a
component repeats. Each component's body is then read into structured fields.

Every service dict is what `standards.interchange.create_standard` accepts,
plus `_meta`: per component the parser's confidence (0–1) and the source span
(offsets into `ParseResult.text`) for the review screen. `strip_meta` removes
it; `to_interchange` gives the documented dry-run shape (docs/interchange.md).

Pure Python, no Django: it never raises on any text; what it could not read
becomes a warning in Bahasa Indonesia.
"""

import logging
import re
from dataclasses import dataclass, field

from layanan.standards.duration import DurationParseError, parse_duration

from . import fields, procedure
from .headings import DELIVERY, LABELS, MANUFACTURING, MAX_HEADING_INDENT, Heading, match_heading
from .lists import entries
from .normalise import normalise

logger = logging.getLogger(__name__)

MISSING_PROCEDURE = (
    "Langkah prosedur tidak ditemukan dalam dokumen (bagan alur mungkin berupa gambar); "
    "susun langkahnya secara manual."
)
NO_COMPONENTS = (
    "Tidak ada komponen standar pelayanan (Persyaratan, Prosedur, Jangka Waktu, …) yang dikenali "
    "dalam dokumen ini: tidak satu baris pun diawali judul komponen seperti 'Persyaratan', "
    "'Sistem, Mekanisme dan Prosedur' atau 'Jangka Waktu Penyelesaian', juga tidak di dalam tabel."
)
INDENTED_HEADINGS = 3
EMPTY_DURATION = {"min": None, "max": None, "unit": None, "clock_starts_at": "submitted", "text": ""}

_NOISE_LINE = re.compile(
    r"^\s*(?:[a-z][.)]\s*)?(?:service\s+delivery|manufa[ck]tur(?:ing)?|no\.?|nomor|komponen|uraian|share"
    r"|bagikan|\d{1,2}[.)]?|no\.?\s+komponen\s+uraian)\s*$",
    re.IGNORECASE,
)
_SECTION_BREAK = re.compile(r"^\s*(?:[a-z][.)]\s*)?(?:manufa[ck]tur(?:ing)?|service\s+delivery)\s*$", re.I)
# "STANDAR PELAYANAN KTP", "2. Standar Pelayanan Penerbitan KK", "JENIS PELAYANAN : PONEK": a new service.
_SERVICE_TITLE = re.compile(
    r"^\s*(?:\d{1,2}[.)]\s*|[A-Za-z][.)]\s+)?(?:(?i:standar\s+(?:operasional\s+)?(?:pelayanan|layanan)"
    r"(?:\s+publik)?)\s+[A-Z0-9]|(?i:jenis\s+(?:pelayanan|layanan))\s*:)"
)
MAX_SERVICE_TITLE = 150
_FOOTER = re.compile(
    r"^\s*(?:temukan\s+(?:juga\s+)?kami|ikuti\s+kami|statistik\s+pengunjung|tempat\s+kami|hak\s+cipta"
    r"|copyright|©|kembali\s+ke\s+atas|bagikan\s+ke)",
    re.IGNORECASE,
)
_GENERIC_TITLE = re.compile(
    r"^(?:standar\s+pelayanan(?:\s+publik)?|by\s+.*|oleh\s+.*|posted.*|diposting.*|\d{1,2}\s+\w+\s+\d{4}.*"
    r"|beranda|home|menu|share|bagikan)$",
    re.IGNORECASE,
)
_TITLE_PREFIX = re.compile(
    r"^(?:\d{1,2}[.)]\s*|[A-Za-z][.)]\s+)?(?:standar\s+pelayanan(?:\s+publik)?\s*:?\s*)?", re.I
)
_TITLE_HINT = re.compile(r"^(?:standar\s+pelayanan|jenis\s+layanan|nama\s+layanan|layanan|pelayanan)\b", re.I)
_DURATION_TAIL = re.compile(
    r"\s(\d{1,4}\s*(?:\([^()]{0,30}\)\s*)?(?:menit|jam|hari(?:\s+kerja)?|minggu|bulan|tahun))\s*$", re.I
)
_NAME_FILLER = re.compile(r"\([^()]*\)|[;:,.]+$")
_KINDS = [
    ("data_request", r"\bdata\b", ("name",)),
    ("complaint", r"pengaduan", ("name",)),
    ("consultation", r"konsultasi", ("name", "product", "steps")),
    ("information", r"informasi", ("name", "product", "duration")),
]


@dataclass
class ParseResult:
    """The normalised text (spans index it), the services found, document-level warnings."""

    text: str
    services: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Component:
    heading: Heading
    end: int  # line index after the body
    lines: list[tuple[int, str]] = field(default_factory=list)
    rescued_from: str = ""  # the component a misplaced duration was taken from


@dataclass
class _Service:
    first_line: int
    components: list[_Component] = field(default_factory=list)
    title: tuple[int, str] | None = None

    @property
    def keys(self) -> set[str]:
        return {c.heading.key for c in self.components}


def parse_document(text: str) -> ParseResult:
    """Parse one document; never raises."""
    try:
        normalised = normalise(text)
        return _parse(normalised)
    except Exception:  # the importer's contract: a parse with warnings, never a crash
        logger.exception("Parsing a standard document failed")
        return ParseResult(normalise(text) if isinstance(text, str) else "",
                           warnings=["Dokumen tidak dapat diurai otomatis; isi standar secara manual."])


def _parse(text: str) -> ParseResult:
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    # A page whose HTML list indents every numbered heading ("  1. Persyaratan Pelayanan:") is
    # read again with that indentation allowed; otherwise indented lines are list items.
    services = _segment(lines) or _segment(lines, INDENTED_HEADINGS)
    if not services:
        return ParseResult(text, warnings=[NO_COMPONENTS])
    for index, service in enumerate(services):
        _fill_bodies(service, lines, offsets)
        service.title = _title(services, index, lines, offsets)
    result = ParseResult(text)
    for number, service in enumerate(services, start=1):
        result.services.append(_read_service(service, number, offsets))
    return result


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    return offsets


# --- Services and components -----------------------------------------------------------------


def _segment(lines: list[str], max_indent: int = MAX_HEADING_INDENT) -> list[_Service]:
    """Group headings into services; a heading repeating the current component is body text."""
    services: list[_Service] = []
    current: _Service | None = None
    last_number: int | None = None
    section_break = service_break = False
    previous = ""
    for index, line in enumerate(lines):
        if _SECTION_BREAK.match(line):
            section_break = True
        if len(line) <= MAX_SERVICE_TITLE and _SERVICE_TITLE.match(line) and not line.rstrip().endswith("."):
            service_break = True
        heading = match_heading(line, index, previous, max_indent)
        if line.strip():
            previous = line
        if heading is None or current and current.components[-1].heading.key == heading.key:
            continue
        if current and _office_hours(current, heading, last_number):
            continue
        if current is None or service_break or _starts_service(current, heading, last_number, section_break):
            current = _Service(first_line=index)
            services.append(current)
        current.components.append(_Component(heading, len(lines)))
        last_number = heading.number if heading.number is not None else last_number
        section_break = service_break = False
    _set_ends(services, len(lines))
    return services


def _office_hours(current: _Service, heading: Heading, last_number: int | None) -> bool:
    """A second "Waktu Pelayanan" row further down the same table gives office hours, not a time."""
    return (heading.key == "jangka_waktu" and heading.key in current.keys and heading.number is not None
            and last_number is not None and heading.number > last_number)


def _set_ends(services: list[_Service], line_count: int) -> None:
    """A component's body runs to the next heading of its service, or to the next service."""
    starts = [service.first_line for service in services[1:]] + [line_count]
    for service, following in zip(services, starts, strict=False):
        ends = [c.heading.line for c in service.components[1:]] + [following]
        for component, end in zip(service.components, ends, strict=True):
            component.end = end


def _starts_service(current: _Service, heading: Heading, last_number: int | None,
                    section_break: bool) -> bool:
    """Numbering restarts at a new service, except between service delivery and manufacturing."""
    if heading.key in current.keys:
        return True
    if heading.number is None or last_number is None or heading.number >= last_number:
        return False
    delivery_only = current.keys <= set(DELIVERY)
    return not (section_break or delivery_only and heading.key in MANUFACTURING)


def _fill_bodies(service: _Service, lines: list[str], offsets: list[int]) -> None:
    """Each component's body: the rest of its heading line and the lines up to the next heading."""
    for component in service.components:
        heading = component.heading
        body = []
        if heading.rest:
            start = offsets[heading.line] + heading.rest_offset
            body.append((start, lines[heading.line][heading.rest_offset:].rstrip()))
        for index in range(heading.line + 1, component.end):
            if _FOOTER.match(lines[index]):
                break
            if not _NOISE_LINE.match(lines[index]):
                body.append((offsets[index], lines[index]))
        while body and not body[-1][1].strip():
            body.pop()
        component.lines = body
    _rescue_duration(service)


def _rescue_duration(service: _Service) -> None:
    """Seed 000 writes "45 Menit" at the end of the procedure and leaves the time cell empty."""
    by_key = {c.heading.key: c for c in service.components}
    duration = by_key.get("jangka_waktu")
    if duration is not None and _text(duration.lines):
        return
    for component in service.components:
        if component.heading.key == "jangka_waktu" or not component.lines:
            continue
        offset, last = component.lines[-1]
        tail = _DURATION_TAIL.search(last)
        if tail is None or component.heading.key not in ("prosedur", "biaya", "persyaratan"):
            continue
        component.lines[-1] = (offset, last[: tail.start()].rstrip())
        moved = (offset + tail.start(1), tail.group(1))
        if duration is None:
            heading = Heading("jangka_waktu", None, component.heading.line, "", 0, False)
            duration = _Component(heading, component.end)
            service.components.append(duration)
        duration.lines = [moved]
        duration.rescued_from = component.heading.key
        return


def _text(lines: list[tuple[int, str]]) -> str:
    return "\n".join(text.strip() for _offset, text in lines if text.strip())


def _span(lines: list[tuple[int, str]]) -> list[int] | None:
    kept = [(offset, text) for offset, text in lines if text.strip()]
    if not kept:
        return None
    first_offset, first = kept[0]
    last_offset, last = kept[-1]
    return [first_offset + len(first) - len(first.lstrip()), last_offset + len(last.rstrip())]


# --- Titles -----------------------------------------------------------------------------------


def _title(services: list[_Service], index: int, lines: list[str],
           offsets: list[int]) -> tuple[int, str] | None:
    """The service's own title: lines before its first heading, or the tail of the previous body."""
    service = services[index]
    if index == 0:
        candidates = [i for i in range(service.first_line) if _is_title_line(lines[i])]
        if not candidates:
            return None
        chosen = candidates[-1]
        return offsets[chosen], lines[chosen].strip()
    previous = services[index - 1].components[-1]
    tail = _trailing_block(previous.lines)
    if tail and all(_looks_like_title(text) for _offset, text in tail):
        previous.lines = previous.lines[: len(previous.lines) - len(tail)]
        offset, text = tail[-1]
        return offset, text.strip()
    return None


def _is_title_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped or _NOISE_LINE.match(stripped) or len(stripped) > 150:
        return False
    return not _GENERIC_TITLE.match(stripped)


def _trailing_block(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The last paragraph of a body, when it is one or two lines set apart by a blank line."""
    block: list[tuple[int, str]] = []
    for offset, text in reversed(lines):
        if not text.strip():
            return block if len(block) <= 2 and len(block) < len(lines) else []
        block.insert(0, (offset, text))
    return []


def _looks_like_title(text: str) -> bool:
    stripped = text.strip()
    if text[:1] == " " or len(stripped) > 150 or not _is_title_line(stripped):
        return False
    letters = [c for c in stripped if c.isalpha()]
    return bool(_TITLE_HINT.match(stripped)) or (len(letters) >= 8 and stripped.upper() == stripped)


def clean_title(text: str) -> str:
    """"1. Administrasi, …" → "Administrasi, …"; "STANDAR PELAYANAN PENGADUAN" → "Pengaduan"."""
    title = _TITLE_PREFIX.sub("", " ".join(text.split())).strip(" :-–")
    if title.isupper():
        title = title.lower()
    return title[:1].upper() + title[1:]


# --- Reading one service ---------------------------------------------------------------------


def _read_service(service: _Service, number: int, offsets: list[int]) -> dict:
    components = {c.heading.key: c for c in service.components}
    reader = _ServiceReader(components)
    data = reader.read()
    name, name_meta = _name(service, data, number, reader.warnings)
    data = {"name": name, "kind": _kind(name if service.title else "", data), **data}
    data["warnings"] = _unique(reader.warnings)
    start = offsets[service.first_line]
    if service.title:
        start = min(start, service.title[0])
    ends = [span[1] for span in (_span(c.lines) for c in service.components) if span]
    reader.meta["name"] = name_meta
    headings = [key for key in LABELS if key in components and not components[key].rescued_from]
    data["_meta"] = {"span": [start, max(ends, default=start)], "fields": reader.meta,
                     "steps": reader.step_spans, "headings": headings}
    return data


class _ServiceReader:
    """Reads each component of one service into fields, collecting confidence and warnings."""

    def __init__(self, components: dict[str, _Component]):
        self.components = components
        self.warnings: list[str] = []
        self.meta: dict[str, dict] = {}
        self.step_spans: list[list[int] | None] = []

    def read(self) -> dict:
        texts = {key: _text(c.lines) for key, c in self.components.items()}
        data = {
            "components": {key: texts[key] for key in LABELS if texts.get(key)},
            "requirements": [], "steps": [], "duration": dict(EMPTY_DURATION),
            "cost": {"free": False, "amount": None, "text": "", "legal_basis": ""}, "product": "",
            "channels": [], "legal_basis": [], "facilities": [], "accessible": False, "competencies": [],
            "supervision": [], "staff_count": None, "guarantee": "", "compensation_on_breach": "",
            "security_guarantee": "", "evaluation_periods": [],
        }
        contacts = fields.directory("\n".join(texts.values()))
        for key in LABELS:
            if key in self.components:
                self._read_component(key, texts[key], data, contacts)
        data["accessible"] = fields.accessible(data["facilities"])
        data["compensation_on_breach"] = fields.compensation(data["guarantee"])
        self._check_missing(data)
        return data

    def _read_component(self, key: str, text: str, data: dict, contacts: dict) -> None:
        component = self.components[key]
        if not text and key not in ("jangka_waktu", "prosedur"):
            self.meta[key] = {"label": LABELS[key], "confidence": 0.0, "span": None}
            return
        try:
            reading = self._reading(key, text, contacts)
            data[_FIELDS[key]] = reading.value
        except Exception:  # one unreadable component must not lose the others
            logger.exception("Reading component %s failed", key)
            reading = fields.Reading(None, 0.0, [f"Komponen {LABELS[key]} tidak dapat dibaca otomatis; "
                                                 "isi secara manual."])
        self.warnings.extend(reading.warnings)
        factor = 1.0 if component.heading.exact else 0.9
        if component.rescued_from:
            factor = 0.7
            self.warnings.append(
                f"Jangka waktu '{text}' ditemukan di akhir komponen "
                f"{LABELS[component.rescued_from]}, bukan di bawah judulnya; periksa."
            )
        self.meta[key] = {"label": LABELS[key], "confidence": round(reading.confidence * factor, 2),
                          "span": _span(component.lines)}

    def _reading(self, key: str, text: str, contacts: dict) -> fields.Reading:
        lines = self.components[key].lines
        match key:
            case "prosedur":
                return self._steps(lines)
            case "jangka_waktu":
                return _duration(text)
            case "biaya":
                return fields.cost(text)
            case "jumlah_pelaksana":
                return fields.staff_count(text)
            case "evaluasi_kinerja":
                return fields.evaluation_periods(text)
        items = entries(lines)
        match key:
            case "persyaratan":
                return fields.requirements(items)
            case "pengaduan":
                return fields.channels(items, contacts)
            case "dasar_hukum":
                return fields.legal_basis(items)
            case "produk" | "jaminan_pelayanan" | "jaminan_keamanan":
                return fields.text_reading(items, text)
        return fields.list_reading(items)

    def _steps(self, lines: list[tuple[int, str]]) -> fields.Reading:
        reading = procedure.steps(lines, clock_starts_at=self._clock_start())
        self.step_spans = [step.pop("_span") for step in reading.value]
        return reading

    def _clock_start(self) -> str:
        component = self.components.get("jangka_waktu")
        if component is None or not _text(component.lines):
            return "submitted"
        try:
            return parse_duration(_text(component.lines)).clock_starts_at
        except DurationParseError:
            return "submitted"

    def _check_missing(self, data: dict) -> None:
        if not data["steps"]:
            self.warnings.insert(0, MISSING_PROCEDURE)
        missing = [LABELS[key] for key in DELIVERY if key not in self.components and key != "prosedur"]
        if missing:
            self.warnings.append("Komponen tidak ditemukan dalam dokumen: " + ", ".join(missing) + ".")


def _duration(text: str) -> fields.Reading:
    if not text:
        return fields.Reading(dict(EMPTY_DURATION), 0.0, ["Jangka waktu penyelesaian kosong."])
    try:
        spec = parse_duration(text)
    except DurationParseError as exc:
        return fields.Reading({**EMPTY_DURATION, "text": text}, 0.2, [f"Jangka waktu: {exc}"])
    return fields.Reading(spec.as_dict(), 0.7 if spec.warnings else 0.95, list(spec.warnings))


# Where each component's reading goes in the service dict.
_FIELDS = {
    "persyaratan": "requirements", "prosedur": "steps", "jangka_waktu": "duration", "biaya": "cost",
    "produk": "product", "pengaduan": "channels", "dasar_hukum": "legal_basis",
    "sarana_prasarana": "facilities", "kompetensi_pelaksana": "competencies",
    "pengawasan_internal": "supervision", "jumlah_pelaksana": "staff_count", "jaminan_pelayanan": "guarantee",
    "jaminan_keamanan": "security_guarantee", "evaluasi_kinerja": "evaluation_periods",
}


# --- Name and kind ---------------------------------------------------------------------------


def _name(service: _Service, data: dict, number: int, warnings: list[str]) -> tuple[str, dict]:
    """The document's title, else a name made from the product or the first requirement."""
    if service.title:
        offset, text = service.title
        title = clean_title(text)
        if title:
            span = [offset, offset + len(text)]
            return title[:200], {"label": "Nama layanan", "confidence": 0.85, "span": span}
    sources = [data["product"], *(r["label"] for r in data["requirements"][:1]),
               *(ref.get("title") or "" for ref in data["legal_basis"][:1])]
    for source in sources:
        name = _name_from(source)
        if name:
            warnings.append(f"Judul layanan tidak ada di dokumen; nama '{name}' disusun dari isinya "
                            "— periksa.")
            return name, {"label": "Nama layanan", "confidence": 0.4, "span": None}
    warnings.append("Judul layanan tidak ada di dokumen; beri nama layanan.")
    return f"Layanan {number}", {"label": "Nama layanan", "confidence": 0.1, "span": None}


def _name_from(text: str) -> str:
    first = text.split("\n")[0] if text else ""
    name = " ".join(_NAME_FILLER.sub("", first).split()).strip(" ;:,.")
    if len(name) > 80:
        name = name[:80].rsplit(" ", 1)[0]
    return name[:1].upper() + name[1:]


def _kind(name: str, data: dict) -> str:
    sources = {
        "name": name, "product": data["product"], "duration": data["duration"].get("text") or "",
        "steps": " ".join(step["text"] for step in data["steps"][:2]),
    }
    for kind, pattern, where in _KINDS:
        if any(re.search(pattern, sources[place], re.I) for place in where):
            return kind
    return "other"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- Output shapes ---------------------------------------------------------------------------


def strip_meta(service: dict) -> dict:
    """The service without the review-screen metadata: what create_standard takes."""
    return {key: value for key, value in service.items() if key != "_meta"}


def to_interchange(service: dict) -> dict:
    """The documented dry-run shape (docs/interchange.md): no agency, code, version or url."""
    cost = service["cost"]
    return {
        "name": service["name"],
        "kind": service["kind"],
        "kinds": [service["kind"]],
        "components": service["components"],
        "requirements": [item["label"] for item in service["requirements"]],
        "requirement_items": service["requirements"],
        "steps": [step["text"] for step in service["steps"]],
        "procedure": [{"position": i, **step} for i, step in enumerate(service["steps"], start=1)],
        "duration": service["duration"],
        "cost": {"free": bool(cost.get("free")), "amount": None if cost.get("free") else cost.get("amount")},
        "product": service["product"],
        "channels": service["channels"],
        "legal_basis": [{k: ref.get(k) for k in ("type", "number", "year", "title", "text")}
                        for ref in service["legal_basis"]],
        "enactment": {"decree_number": None, "decree_date": None},
        "facilities": service["facilities"],
        "accessible": service["accessible"],
        "competencies": service["competencies"],
        "supervision": service["supervision"],
        "staff_count": service["staff_count"],
        "guarantee": service["guarantee"],
        "compensation_on_breach": service["compensation_on_breach"],
        "security_guarantee": service["security_guarantee"],
        "evaluation_periods": service["evaluation_periods"],
        "warnings": service["warnings"],
    }
