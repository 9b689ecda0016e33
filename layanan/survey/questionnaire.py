"""The questionnaire of Permenpan RB 14/2017: nine elements, four answers each, the profile.

Element codes U1–U9 are stable (they are the columns of the answers and of every report); only
the order in which an agency asks them is configurable (SurveyConfig.element_order). The answer
labels are the regulation's, exactly as ../shared/REGULATIONS.md lists them (score 1 → 4).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .ikm import CODES


@dataclass(frozen=True)
class Element:
    code: str
    name: object  # lazy text: "Persyaratan"
    question: object  # lazy text: the question as the respondent reads it
    labels: tuple  # four lazy texts, score 1..4

    @property
    def field(self) -> str:
        return self.code.lower()

    @property
    def choices(self) -> list[tuple[int, object]]:
        return list(zip((1, 2, 3, 4), self.labels, strict=True))


ELEMENTS: dict[str, Element] = {
    e.code: e
    for e in [
        Element(
            "U1",
            _("Persyaratan"),
            _(
                "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
                "pelayanannya?"
            ),
            (_("tidak sesuai"), _("kurang sesuai"), _("sesuai"), _("sangat sesuai")),
        ),
        Element(
            "U2",
            _("Sistem, mekanisme dan prosedur"),
            _("Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?"),
            (_("tidak mudah"), _("kurang mudah"), _("mudah"), _("sangat mudah")),
        ),
        Element(
            "U3",
            _("Waktu penyelesaian"),
            _("Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?"),
            (_("tidak cepat"), _("kurang cepat"), _("cepat"), _("sangat cepat")),
        ),
        Element(
            "U4",
            _("Biaya/tarif"),
            _("Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?"),
            (_("sangat mahal"), _("cukup mahal"), _("murah"), _("gratis")),
        ),
        Element(
            "U5",
            _("Produk spesifikasi jenis pelayanan"),
            _(
                "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
                "dalam standar pelayanan dengan hasil yang diberikan?"
            ),
            (_("tidak sesuai"), _("kurang sesuai"), _("sesuai"), _("sangat sesuai")),
        ),
        Element(
            "U6",
            _("Kompetensi pelaksana"),
            _("Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?"),
            (_("tidak kompeten"), _("kurang kompeten"), _("kompeten"), _("sangat kompeten")),
        ),
        Element(
            "U7",
            _("Perilaku pelaksana"),
            _(
                "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
                "dan keramahan?"
            ),
            (_("tidak sopan dan ramah"), _("kurang"), _("sopan dan ramah"), _("sangat sopan dan ramah")),
        ),
        Element(
            "U8",
            _("Sarana dan prasarana"),
            _("Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?"),
            (_("buruk"), _("cukup"), _("baik"), _("sangat baik")),
        ),
        Element(
            "U9",
            _("Penanganan pengaduan, saran dan masukan"),
            _("Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?"),
            (
                _("tidak ada"),
                _("ada tetapi tidak berfungsi"),
                _("berfungsi kurang maksimal"),
                _("dikelola dengan baik"),
            ),
        ),
    ]
}
assert tuple(ELEMENTS) == CODES


def ordered(order=None) -> list[Element]:
    """The elements in an agency's order (its list of codes; the default U1..U9)."""
    codes = valid_order(order) or list(CODES)
    return [ELEMENTS[code] for code in codes]


def valid_order(order) -> list[str] | None:
    """`order` as a list of the nine codes, or None when it is not a permutation of them."""
    if not isinstance(order, list | tuple):
        return None
    codes = [str(code).upper() for code in order]
    return codes if sorted(codes) == sorted(CODES) and len(codes) == len(CODES) else None


class Sex(models.IntegerChoices):
    MALE = 1, _("Laki-laki")
    FEMALE = 2, _("Perempuan")


class AgeBand(models.IntegerChoices):
    UNDER_20 = 1, _("di bawah 20 tahun")
    FROM_20 = 2, _("20–29 tahun")
    FROM_30 = 3, _("30–39 tahun")
    FROM_40 = 4, _("40–49 tahun")
    FROM_50 = 5, _("50–59 tahun")
    FROM_60 = 6, _("60 tahun ke atas")


class Education(models.IntegerChoices):
    SD = 1, "SD"
    SMP = 2, "SMP"
    SMA = 3, "SMA"
    DIPLOMA = 4, "D1–D3"
    S1 = 5, "S1"
    S2 = 6, "S2"
    S3 = 7, "S3"


class Occupation(models.IntegerChoices):
    PNS = 1, "PNS"
    TNI = 2, "TNI"
    POLRI = 3, "POLRI"
    PRIVATE = 4, _("Swasta")
    ENTREPRENEUR = 5, _("Wirausaha")
    OTHER = 6, _("Lainnya")


# The profile questions: (field, label, choices), in questionnaire order.
PROFILE = [
    ("sex", _("Jenis kelamin"), Sex),
    ("age_band", _("Umur"), AgeBand),
    ("education", _("Pendidikan terakhir"), Education),
    ("occupation", _("Pekerjaan"), Occupation),
]
PROFILE_FIELDS = [field for field, _label, _choices in PROFILE]
