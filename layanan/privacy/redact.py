"""Pure text helpers for anonymisation: what identifies an applicant, and taking it out of text.

Used by requests.lifecycle.anonymise() on the free text that stays after the
identity fields are blanked (the subject, staff notes, the answer).
"""

import re

REMOVED = "[dihapus]"
# A NIK (16 digits) or a nomor KK anywhere in free text; e-mail addresses.
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MIN_TERM = 3  # shorter name parts ("Ni", "I") would cut ordinary words


def phone_variants(phone: str) -> set[str]:
    """'+628123456789' → the ways people write it: +62…, 62…, 0…"""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return set()
    local = digits[2:] if digits.startswith("62") else digits.lstrip("0")
    variants = {phone.strip(), digits, "0" + local, "62" + local, "+62" + local}
    return {v for v in variants if len(re.sub(r"\D", "", v)) >= 7}


def identity_terms(*, name: str = "", nik: str = "", phone: str = "", email: str = "",
                   address: str = "", others=()) -> list[str]:
    """The strings to remove from free text, longest first (so a full name goes before its parts)."""
    terms = {value.strip() for value in (name, nik, email, address, *others) if value and value.strip()}
    terms |= {part for part in (name or "").split() if len(part.strip(".,")) >= MIN_TERM}
    terms |= phone_variants(phone)
    return sorted((t.strip(".,") for t in terms if len(t.strip(".,")) >= MIN_TERM), key=len, reverse=True)


def redact(text: str, terms) -> str:
    """`text` with every term (whole words, any case), NIK-like numbers and e-mails replaced."""
    if not text:
        return text
    for term in terms:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", REMOVED, text, flags=re.IGNORECASE)
    text = _NIK.sub(REMOVED, text)
    return _EMAIL.sub(REMOVED, text)


def redact_data(value, terms):
    """The same through a JSON value (lists, dicts, strings)."""
    if isinstance(value, str):
        return redact(value, terms)
    if isinstance(value, list):
        return [redact_data(v, terms) for v in value]
    if isinstance(value, dict):
        return {k: redact_data(v, terms) for k, v in value.items()}
    return value
