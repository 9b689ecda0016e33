"""Structured fields read from one component's list entries.

Each reader takes the entries of a component body (see lists.py) or its text
and returns interchange data plus warnings in Bahasa Indonesia. The procedure
has its own module (procedure.py). Pure Python, no Django.
"""

import re
from dataclasses import dataclass, field

from layanan.standards.contacts import normalise_phone
from layanan.standards.legal import parse_legal_reference

from .lists import Entry

LAPOR_URL = "https://www.lapor.go.id"


@dataclass
class Reading:
    """A field's value, how sure the reader is (0–1), and what a human should check."""

    value: object
    confidence: float
    warnings: list[str] = field(default_factory=list)


# --- Generic lists ---------------------------------------------------------------------------


def item_texts(items: list[Entry]) -> list[str]:
    """Every entry as one line of text (bullets under an entry joined with "; ")."""
    return [" ".join(item.full_text.split()) for item in items if item.full_text.strip()]


def text_reading(items: list[Entry], text: str) -> Reading:
    """A free-text component (product, guarantees): its items one per line."""
    return Reading("\n".join(item_texts(items)) or text, 0.9 if text else 0.0)


def list_reading(items: list[Entry]) -> Reading:
    texts = item_texts(items)
    marked = any(item.kind != "text" for item in items)
    return Reading(texts, 0.9 if marked or len(texts) == 1 else 0.75)


# --- Requirements ----------------------------------------------------------------------------

_IDENTITY = re.compile(r"\b(?:ktp|sim|identitas|kartu\s+keluarga|\bkk\b|paspor|kitas|kartu\s+tanda)", re.I)
_FORM = re.compile(r"formulir|mengisi|buku\s+tamu|isian|blangko", re.I)
_DOCUMENT = re.compile(
    r"surat|dokumen|draf|copy|fotokopi|foto\s*copy|keputusan|\bsk\b|laporan|\bdata\b|peta|tupoksi|renstra"
    r"|proposal|bukti|asli|instrumen|pedoman|rekapan|\brkt\b|indikator|perjanjian|cascading|pohon|akta"
    r"|sertifikat|ijazah|berkas|lampiran|rencana|hasil",
    re.I,
)
_OPTIONAL = re.compile(r"jika\s+ada|bila\s+ada|apabila\s+ada|opsional|tidak\s+wajib", re.I)


def requirement_kind(label: str) -> str:
    """The requirement's kind from its wording: identity before form before document."""
    for kind, pattern in (("identity", _IDENTITY), ("form", _FORM), ("document", _DOCUMENT)):
        if pattern.search(label):
            return kind
    return "other"


def requirement(label: str, group: str = "") -> dict:
    from layanan.standards.requirement_rules import guess_provided_by  # pure: who brings it

    return {"label": label, "kind": requirement_kind(label), "mandatory": not _OPTIONAL.search(label),
            "group": group, "provided_by": guess_provided_by(label)}


def requirements(items: list[Entry]) -> Reading:
    """Requirement items; an entry followed by deeper entries names their group."""
    result = []
    group, group_indent = "", -1
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        if following is not None and following.indent > item.indent and not item.children:
            group, group_indent = _group_label(item), item.indent
            continue
        if item.indent <= group_indent:
            group, group_indent = "", -1
        text = " ".join(item.full_text.split())
        if text:
            result.append(requirement(text, group))
    marked = any(item.kind != "text" for item in items)
    return Reading(result, 0.9 if marked or len(result) == 1 else 0.7)


def _group_label(item: Entry) -> str:
    """"A. Persyaratan Teknis" keeps its letter (it names a part); "1." numbers do not."""
    text = " ".join(item.text.split())
    return f"{item.marker} {text}" if item.kind == "letter" and item.marker[:1].isupper() else text


# --- Cost ------------------------------------------------------------------------------------

_FREE = re.compile(
    r"tidak\s+(?:di\s*pungut|dikenakan|dikenai|ada)\s+(?:biaya|tarif|retribusi)|gratis|tanpa\s+(?:biaya|dipungut)"
    r"|bebas\s+biaya|\bnihil\b|rp\.?\s*0\s*(?:,-|,00)?(?![\d.,]*[1-9])|tidak\s+dipungut",
    re.I,
)
_AMOUNT = re.compile(r"rp\.?\s*((?:\d{1,3}(?:[.,]\d{3})+|\d+))(?:,(?:-|\d{2}))?", re.I)


def cost(text: str) -> Reading:
    if _FREE.search(text):
        return Reading({"free": True, "amount": 0, "text": text, "legal_basis": ""}, 0.95)
    amount = _AMOUNT.search(text)
    if amount:
        value = int(re.sub(r"[.,]", "", amount.group(1)))
        return Reading({"free": value == 0, "amount": value, "text": text, "legal_basis": ""}, 0.8)
    return Reading({"free": False, "amount": None, "text": text, "legal_basis": ""}, 0.3,
                   [f"Biaya/tarif tidak terbaca sebagai gratis atau nominal rupiah: '{_short(text)}'."])


# --- Staff count, evaluation schedule, accessibility, compensation --------------------------

_WORD_NUMBERS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
                 "delapan": 8, "sembilan": 9, "sepuluh": 10}
_PEOPLE = re.compile(
    r"(\d{1,4}|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)\s*(?:\([^()]{0,30}\)\s*)?"
    r"(?:orang|personil|personel|pegawai|petugas|pelaksana)\b",
    re.I,
)


def staff_count(text: str) -> Reading:
    """"3 orang petugas pengelola, 5 orang Pejabat" counts 8."""
    counts = [int(n) if n.isdigit() else _WORD_NUMBERS[n.lower()] for n in _PEOPLE.findall(text)]
    if not counts:
        return Reading(None, 0.3, [f"Jumlah pelaksana tidak berupa angka: '{_short(text)}'."])
    return Reading(sum(counts), 0.9 if len(counts) == 1 else 0.7)


_PERIODS = [
    ("monthly", r"setiap\s+bulan|tiap\s+bulan|bulanan|per\s+bulan|sebulan\s+sekali|(?:1|satu)\s+kali\s+"
                r"(?:dalam\s+)?(?:1\s+|satu\s+|se)bulan"),
    ("quarterly", r"(?:tiga|3)\s+bulan|triwulan|caturwulan"),
    ("yearly", r"setiap\s+tahun|tiap\s+tahun|tahunan|per\s+tahun|setahun|(?:1|satu)\s+kali\s+(?:dalam\s+)?"
               r"(?:1\s+|satu\s+)tahun|sekali\s+(?:dalam\s+)?(?:se|satu\s+|1\s+)tahun"),
    ("after_case", r"setelah\s+selesai|setiap\s+(?:kasus|pengaduan|layanan|permohonan)\s+selesai"
                   r"|setiap\s+selesai|setelah\s+(?:proses\s+)?\w+\s+selesai"),
    ("on_demand", r"sewaktu[\s-]+waktu|(?:apabila|jika|bila)\s+diperlukan|sesuai\s+kebutuhan"),
]
_COMPILED_PERIODS = [(name, re.compile(pattern, re.I)) for name, pattern in _PERIODS]


def evaluation_periods(text: str) -> Reading:
    found = [name for name, pattern in _COMPILED_PERIODS if pattern.search(text)]
    return Reading(found, 0.85 if found else 0.5)


_ACCESSIBLE = re.compile(
    r"disabilitas|difabel|kursi\s+roda|\bramp\b|guiding\s+block|berkebutuhan\s+khusus|toilet\s+khusus", re.I
)
_COMPENSATION = re.compile(
    r"(?:jika|apabila|bila)\s+(?:pelayanan\s+)?tidak\s+(?:sesuai|memenuhi|tepat|menepati)|kompensasi|ganti\s+rugi"
    r"|diantar\s+(?:langsung\s+)?ke",
    re.I,
)


def accessible(facilities: list[str]) -> bool:
    return any(_ACCESSIBLE.search(item) for item in facilities)


def compensation(guarantee: str) -> str:
    """The guarantee is a compensation duty when it says what happens on a breach."""
    return guarantee if _COMPENSATION.search(guarantee) else ""


# --- Legal basis -----------------------------------------------------------------------------

_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212]\s*|\s+-\s*|\s*-\s+")
_YEAR_IN_NUMBER = re.compile(r"/((?:19|20)\d{2})$")


def legal_reference(text: str) -> dict:
    """parse_legal_reference, tolerant of "Undang –Undang" and "Nomor 239/IX/6/8/2003"."""
    reference = parse_legal_reference(_DASHES.sub("-", text))
    reference["text"] = " ".join(text.split())
    if reference["year"] is None and reference["number"]:
        year = _YEAR_IN_NUMBER.search(reference["number"])
        reference["year"] = int(year.group(1)) if year else None
    return reference


def legal_basis(items: list[Entry]) -> Reading:
    references = [legal_reference(text) for text in item_texts(items)]
    complete = sum(1 for r in references if r["type"] != "Lainnya" and r["number"] and r["year"])
    warnings = [f"Dasar hukum tanpa nomor/tahun atau jenis: '{_short(r['text'])}'." for r in references
                if r["type"] == "Lainnya"]
    confidence = 0.5 + 0.45 * complete / len(references) if references else 0.3
    return Reading(references, round(confidence, 2), warnings)


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Complaint channels ----------------------------------------------------------------------

_KINDS = [
    ("lapor", r"lapor|sp4n"),
    ("whatsapp", r"whats\s*app|\bwa\b"),
    ("email", r"e\s*-?\s*mail|surel|@"),
    ("social_media", r"instagram|facebook|\bfb\b|twitter|\big\b|tiktok|youtube|media\s+sosial|medsos"),
    ("website", r"website|\bweb\b|situs|laman|www\.|https?://"),
    ("phone", r"telp|telepon|telephone|\bphone|\bhp\b|ponsel|handphone|call\s*cent|\bfax|faks"),
    ("suggestion_box", r"kotak\s+(?:saran|pengaduan)"),
    ("letter", r"\bsurat\b|tertulis"),
    ("radio", r"\bradio\b"),
    ("app", r"aplikasi|\bapps?\b|android"),
    ("counter", r"datang\s+langsung|secara\s+langsung|tatap\s+muka|loket|\blangsung\b"),
    ("team", r"\btim\b|petugas\s+khusus"),
]
_COMPILED_KINDS = [(kind, re.compile(pattern, re.I)) for kind, pattern in _KINDS]
_WHATSAPP = _COMPILED_KINDS[1][1]
_SEGMENT_BREAK = re.compile(r"\n|\s-\s|;")
_EMAIL = re.compile(r"[\w.+-]{1,64}\s?@\s?[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")
_VALID_EMAIL = re.compile(r"^[\w+-]+(?:\.[\w+-]+)*@[\w-]+(?:\.[\w-]+)+$")
_URL = re.compile(
    r"(?<![@\w.])(?:https?://)?(?:[a-z0-9-]{1,63}\.){1,6}(?:go\.id|co\.id|ac\.id|or\.id|web\.id|desa\.id|id|com|org|net)"
    r"(?:/[^\s)<>]*)?(?![\w@])",
    re.I,
)
_PHONE = re.compile(r"(?<![\w/])(?:\+62|\(?0)\d[\d\s().-]{5,18}\d(?![\d])")
_RANGE_TAIL = re.compile(r"\s*-\s*\d{1,2}$")
_VIA = re.compile(r"^(?:melalui|lewat|via|dengan)\s+", re.I)
_SPLIT = re.compile(r"\s*,\s*|\s+dan\s+|\s*/\s*(?=[A-Z])")
VALUE_KINDS = ("phone", "whatsapp", "email", "website")


def contact_kind(text: str) -> str | None:
    for kind, pattern in _COMPILED_KINDS:
        if pattern.search(text):
            return kind
    return None


def find_phone(text: str) -> str | None:
    """The first phone number in `text` in E.164 ("0354-689901-5" is a range: its first number)."""
    for found in _PHONE.finditer(text):
        number = _RANGE_TAIL.sub("", found.group(0).strip(" .-"))
        try:
            return normalise_phone(number.strip("()"))
        except ValueError:
            continue
    return None


def find_email(text: str) -> str | None:
    found = _EMAIL.search(text)
    return found.group(0).replace(" ", "").lower() if found else None


def find_url(text: str) -> str | None:
    found = _URL.search(_EMAIL.sub(" ", text))
    if found is None:
        return None
    url = found.group(0).rstrip(".,;")
    return url if url.lower().startswith(("http://", "https://")) else "https://" + url.lower()


def directory(text: str) -> dict[str, str]:
    """Contacts written anywhere in a service ("WhatsApp : 0812…"), to fill "Melalui WA"."""
    found: dict[str, str] = {}
    for match in _PHONE.finditer(text):
        context = _SEGMENT_BREAK.split(text[max(0, match.start() - 40):match.start()])[-1]
        kind = "whatsapp" if _WHATSAPP.search(context) else "phone"
        if kind not in found and (value := find_phone(match.group(0))):
            found[kind] = value
    email, url = find_email(text), find_url(text)
    if email:
        found["email"] = email
    if url:
        found["website"] = url
    return found


def _value_for(kind: str, text: str) -> str | None:
    if kind in ("phone", "whatsapp"):
        return find_phone(text)
    if kind == "email":
        return find_email(text)
    if kind == "website":
        return find_url(text)
    if kind == "lapor":
        return LAPOR_URL
    return None


def channels(items: list[Entry], contacts: dict[str, str]) -> Reading:
    """Typed complaint channels; a kind named without an address takes it from `contacts`."""
    texts = _merged_values(item_texts(items))
    result: list[dict] = []
    warnings: list[str] = []
    unknown = 0
    for index, text in enumerate(texts):
        if _is_category(texts, index):
            continue
        for part in _parts(text):
            channel = _channel(part, contacts, warnings)
            if channel is not None:
                unknown += channel["kind"] == "other"
                result.append(channel)
    confidence = 0.9 - 0.3 * unknown / len(result) if result else 0.3
    return Reading(result, round(confidence, 2), warnings)


def _merged_values(texts: list[str]) -> list[str]:
    """"Koordinator Bidang :" followed by a lone "0852…" line is one contact."""
    merged: list[str] = []
    for text in texts:
        if merged and merged[-1].endswith(":") and _is_bare_value(text):
            merged[-1] = f"{merged[-1]} {text}"
        else:
            merged.append(text)
    return merged


def _is_bare_value(text: str) -> bool:
    rest = _URL.sub("", _EMAIL.sub("", _PHONE.sub("", text)))
    return not re.search(r"[^\W\d_]{3,}", rest)


def _is_category(texts: list[str], index: int) -> bool:
    """"Telepon/Hp" or "Kontak pengaduan melalui :" introduces the contacts below it."""
    text = texts[index]
    if _has_value(text):
        return False
    if text.rstrip().endswith(":"):
        return True
    following = texts[index + 1] if index + 1 < len(texts) else ""
    return contact_kind(text) in VALUE_KINDS and _has_value(following) and contact_kind(following) is None


def _has_value(text: str) -> bool:
    return bool(_PHONE.search(text) or _EMAIL.search(text) or _URL.search(text))


def _parts(text: str) -> list[str]:
    """"Melalui Email,Telp,WA, FB,Web." names five channels; "Kotak saran dan masukan" one."""
    protected = re.sub(r"\([^()]*\)", lambda m: m.group(0).replace(",", "\0").replace(" dan ", "\1"), text)
    pieces = [p.replace("\0", ",").replace("\1", " dan ") for p in _SPLIT.split(protected) if p.strip()]
    kinds = {contact_kind(piece) for piece in pieces} - {None}
    if len(pieces) < 2 or len(kinds) < 2 or _has_value(text) and len(pieces) > len(kinds) + 1:
        return [text]
    return pieces


def _channel(text: str, contacts: dict[str, str], warnings: list[str]) -> dict | None:
    kind = contact_kind(text) or _kind_from_value(text)
    label = _label(text)
    if kind is None:
        if not label:
            return None
        kind = "app" if label[:1].isupper() and len(label.split()) <= 4 else "other"
    value = _value_for(kind, text) or ""
    if kind == "email" and value and not _VALID_EMAIL.match(value):
        warnings.append(f'Alamat e-mail "{value}" tampak tidak valid; disalin sebagaimana tertulis '
                        "di dokumen.")
    if not value and kind in VALUE_KINDS:
        value = contacts.get(kind, "")
    if kind in ("phone", "whatsapp") and not value and _PHONE.search(text):
        warnings.append(f"Nomor telepon tidak terbaca: '{_short(text)}'.")
    return {"kind": kind, "value": value, "label": label}


def _kind_from_value(text: str) -> str | None:
    if _EMAIL.search(text):
        return "email"
    if _PHONE.search(text):
        return "phone"
    if _URL.search(text):
        return "website"
    return None


def _label(text: str) -> str:
    label = _VIA.sub("", " ".join(text.split()))
    label = _URL.sub("", _EMAIL.sub("", label))
    return label.strip(" :;,.-–()").strip()
