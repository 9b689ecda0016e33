"""NIK (Nomor Induk Kependudukan): parse and check its structure.

16 digits: province (2) + regency/city (2) + district (2) + date of birth
DDMMYY, with 40 added to the day for women (41–71) + a sequence (0001–9999).
This checks the structure only; whether the person exists is Dukcapil's
business. Pure Python: no Django, so forms, the API and the importer share it.
"""

import re
from dataclasses import dataclass
from datetime import date

# Province codes in use by Kemendagri, plus the older BPS codes for Papua
# (91/94) that NIKs issued before the 2022 split still carry.
PROVINCE_CODES = frozenset(
    list(range(11, 20)) + [21] + list(range(31, 37)) + list(range(51, 54)) + list(range(61, 66))
    + list(range(71, 77)) + [81, 82] + list(range(91, 97))
)
WOMAN_DAY_OFFSET = 40
_SEPARATORS = re.compile(r"[\s.\-]")


class InvalidNIK(ValueError):  # noqa: N818  (the domain's own word)
    """The value is not a structurally valid NIK; the message says why, in Indonesian."""


@dataclass(frozen=True)
class NIK:
    value: str
    province: str
    regency: str
    district: str
    birth_date: date
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    sequence: str

    def __str__(self):
        return self.value


def parse_nik(raw, *, today: date | None = None) -> NIK:
    """Parse `raw` (spaces, dots and dashes allowed between digits) or raise InvalidNIK.

    A two-digit birth year is read as the latest date not after `today`
    (a child's NIK from 2024 is 2024, not 1924).
    """
    if not isinstance(raw, str):
        raise InvalidNIK("NIK harus berupa teks 16 angka.")
    value = _SEPARATORS.sub("", raw)
    if not value:
        raise InvalidNIK("NIK belum diisi.")
    if not (value.isascii() and value.isdigit()):
        raise InvalidNIK("NIK hanya boleh berisi angka.")
    if len(value) != 16:
        raise InvalidNIK(f"NIK harus 16 angka; yang diisi {len(value)} angka.")

    province, regency, district = value[0:2], value[2:4], value[4:6]
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sequence = value[12:16]

    if int(province) not in PROVINCE_CODES:
        raise InvalidNIK(f"Dua angka pertama NIK ({province}) bukan kode provinsi.")
    if regency == "00":
        raise InvalidNIK("Angka ke-3 dan ke-4 NIK (kode kabupaten/kota) tidak boleh 00.")
    if district == "00":
        raise InvalidNIK("Angka ke-5 dan ke-6 NIK (kode kecamatan) tidak boleh 00.")

    sex = "L"
    if day > WOMAN_DAY_OFFSET:
        sex, day = "P", day - WOMAN_DAY_OFFSET
    if not 1 <= day <= 31:
        raise InvalidNIK("Tanggal lahir pada NIK (angka ke-7 dan ke-8) tidak sah: harus 01–31, "
                         "atau 41–71 untuk perempuan.")
    if not 1 <= month <= 12:
        raise InvalidNIK("Bulan lahir pada NIK (angka ke-9 dan ke-10) tidak sah: harus 01–12.")
    today = today or date.today()
    birth_date = _birth_date(year, month, day, today)
    if sequence == "0000":
        raise InvalidNIK("Empat angka terakhir NIK (nomor urut) tidak boleh 0000.")
    return NIK(value=value, province=province, regency=regency, district=district,
               birth_date=birth_date, sex=sex, sequence=sequence)


def _birth_date(year: int, month: int, day: int, today: date) -> date:
    """The latest date DD-MM-(19|20)YY that is not after `today`."""
    for century in (2000, 1900):
        try:
            candidate = date(century + year, month, day)
        except ValueError:
            continue  # 29 February of a year that is not a leap year
        if candidate <= today:
            return candidate
    raise InvalidNIK("Tanggal lahir pada NIK tidak ada di kalender.")


def build_nik(province: str, regency: str, district: str, birth_date: date, sex: str,
              sequence: str) -> str:
    """The NIK string for these parts (tests and demo data)."""
    day = birth_date.day + (WOMAN_DAY_OFFSET if sex == "P" else 0)
    return f"{province}{regency}{district}{day:02d}{birth_date:%m}{birth_date.year % 100:02d}{sequence}"


def is_valid_nik(raw, *, today: date | None = None) -> bool:
    try:
        parse_nik(raw, today=today)
    except InvalidNIK:
        return False
    return True
