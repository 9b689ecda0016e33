"""The kinds of request a standard takes, as the citizen chooses among them.

A standard may take several kinds (seed 001 "Pelayanan data dan pengaduan": a data request or a
complaint). The web form asks which one first (`?jenis=pengaduan`, no JavaScript needed); the
form's fields, the requirements asked, the receipt's wording and the procedure's entry step
follow the choice.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from layanan.standards.models import ServiceKind

SLUGS = {
    ServiceKind.COMPLAINT: "pengaduan",
    ServiceKind.DATA_REQUEST: "permintaan-data",
    ServiceKind.INFORMATION: "permintaan-informasi",
    ServiceKind.CONSULTATION: "konsultasi",
    ServiceKind.OTHER: "permohonan",
}
BY_SLUG = {slug: kind for kind, slug in SLUGS.items()}
CHOICE_TEXT = {
    ServiceKind.COMPLAINT: (gettext_lazy("Pengaduan"),
                           gettext_lazy("Menyampaikan keluhan atau laporan; boleh anonim atau rahasia.")),
    ServiceKind.DATA_REQUEST: (gettext_lazy("Permintaan data"),
                               gettext_lazy("Meminta data yang dikelola instansi ini.")),
    ServiceKind.INFORMATION: (gettext_lazy("Permintaan informasi"),
                              gettext_lazy("Meminta informasi publik (UU 14/2008).")),
    ServiceKind.CONSULTATION: (gettext_lazy("Konsultasi"),
                               gettext_lazy("Bertanya atau meminta pendampingan.")),
    ServiceKind.OTHER: (gettext_lazy("Permohonan layanan"),
                        gettext_lazy("Mengajukan permohonan layanan ini.")),
}


@dataclass(frozen=True)
class KindChoice:
    kind: str
    slug: str
    title: str
    text: str


def choices(standard) -> list[KindChoice]:
    return [KindChoice(k, SLUGS.get(k, k), str(CHOICE_TEXT[k][0]), str(CHOICE_TEXT[k][1]))
            for k in standard.accepted_kinds if k in CHOICE_TEXT]


def chosen(standard, slug: str) -> str | None:
    """The kind the citizen chose (the `jenis` parameter), or None when the standard takes several
    kinds and none (or one it does not take) was chosen; a one-kind standard needs no choice."""
    kinds = standard.accepted_kinds
    if len(kinds) == 1:
        return kinds[0]
    kind = BY_SLUG.get((slug or "").strip().lower())
    return kind if kind in kinds else None


def is_complaint(kind: str) -> bool:
    return kind == ServiceKind.COMPLAINT
