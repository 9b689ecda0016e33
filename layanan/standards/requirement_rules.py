"""Pure rules about requirement wording (no Django): who provides a requirement, and which
requirements look like the office's facilities or like the applicant's identity.

Used by the importer (its guess of `provided_by`), by the completeness screen (a warning when
requirements look like facilities: seed 004 lists "ATK, Komputer atau laptop, Jaringan
internet" as Persyaratan), and by the receipt (an anonymous complaint lists no identity).
"""

import re

APPLICANT, SHOWN, OFFICE = "applicant", "shown", "office"

# What an office has and an applicant never brings: stationery, computers, the network, furniture.
_FACILITY = re.compile(
    r"^\s*(?:\d+[.)]\s*)?(?:atk\b|alat\s+tulis|komputer|laptop|printer|pencetak|scanner|pemindai"
    r"|jaringan(?:\s+internet)?|internet|wi-?fi|meja|kursi|ruang(?:an)?\s+(?:tunggu|pelayanan|kerja)"
    r"|listrik|genset|kendaraan|mesin\s+(?:fotokopi|antrian|antrean)|sarana|prasarana|aplikasi\s+siak)",
    re.I,
)
# Shown to the officer at the counter, not handed over or uploaded.
_SHOWN = re.compile(r"\b(?:menunjuk(?:k)?an|ditunjuk(?:k)?an|tunjukkan|memperlihatkan|diperlihatkan"
                    r"|perlihatkan)\b", re.I)
# Made by the office itself ("Rekapan Informasi": the office's recap, not the applicant's).
_OFFICE_MADE = re.compile(r"^\s*rekap(?:an)?\b", re.I)
_IDENTITY_WORDS = re.compile(
    r"\b(?:ktp|e-?ktp|sim|identitas|kartu\s+keluarga|kk|paspor|kitas|alamat|telepon|nomor\s+hp"
    r"|no\.?\s*hp|pengenal|pekenal)\b", re.I)
_EVIDENCE = re.compile(r"\bbukti\b", re.I)


def looks_like_facility(label: str) -> bool:
    return bool(_FACILITY.search(label or ""))


def guess_provided_by(label: str) -> str:
    """applicant / shown / office, from the requirement's wording (the importer's guess)."""
    if looks_like_facility(label) or _OFFICE_MADE.search(label or ""):
        return OFFICE
    if _SHOWN.search(label or ""):
        return SHOWN
    return APPLICANT


def looks_like_identity(label: str) -> bool:
    """A requirement about who the applicant is (KTP, address, phone): none for an anonymous report."""
    return bool(_IDENTITY_WORDS.search(label or ""))


def looks_like_evidence(label: str) -> bool:
    """"Bukti dukung aduan": satisfied by the evidence a complainant attaches."""
    return bool(_EVIDENCE.search(label or ""))


# ---------------------------------------------------------------- selections (duck-typed Requirement rows)


def asked_of_applicant(requirements, kind: str = "", *, anonymous: bool = False) -> list:
    """The requirements the applicant of a request of `kind` brings, shows or uploads: never what
    the office provides, never another kind's, and for an anonymous report nothing about identity."""
    return [r for r in requirements
            if r.provided_by != OFFICE and (not r.kinds or not kind or kind in r.kinds)
            and not (anonymous and (r.kind == "identity" or looks_like_identity(r.label)))]


def uploads_asked(requirements, kind: str = "") -> list:
    """The documents the web form asks to upload: applicant-provided documents of this kind."""
    return [r for r in asked_of_applicant(requirements, kind)
            if r.kind == "document" and r.provided_by == APPLICANT]
