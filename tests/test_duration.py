"""Tests for the "Jangka waktu penyelesaian" parser (pure Python, no database)."""

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layanan.standards import duration
from layanan.standards.duration import (
    UNITS,
    DurationParseError,
    DurationSpec,
    format_duration,
    parse_duration,
)

SINCE_KASUBAG = "disposisi Kepala Bagian Organisasi diterima Kasubag Kelembagaan"
SINCE_KA_SUB = "disposisi Kepala Bagian Organisasi diterima Ka Sub Bagian Kelembagaan"

# Every "Jangka waktu penyelesaian" text of the seed documents, with its acceptance values.
SEED_CASES = [
    ("45 Menit", None, 45, "minute", "submitted"),
    ("30 (tiga puluh) menit", None, 30, "minute", "submitted"),
    (
        "1 s/d 3 Minggu ( Sesuaikan dengan data yang diminta dan berat atau ringannya "
        "masalah Pengaduan yang disampaikan )",
        1,
        3,
        "week",
        "submitted",
    ),
    (
        "Jangka waktu penyelesaian 1 (satu) \u2013 60 (enam puluh) hari kerja",
        1,
        60,
        "working_day",
        "submitted",
    ),
    ("3 s/d 6 bulan", 3, 6, "month", "submitted"),
    (f"1 (satu) bulan sejak {SINCE_KASUBAG}", None, 1, "month", SINCE_KASUBAG),
    (f"3 (tiga) bulan sejak {SINCE_KASUBAG}", None, 3, "month", SINCE_KASUBAG),
    (f"3 (tiga) bulan sejak {SINCE_KA_SUB}", None, 3, "month", SINCE_KA_SUB),
    ("1 (satu) hari kerja", None, 1, "working_day", "submitted"),
    ("1 bulan", None, 1, "month", "submitted"),
    ("3 (tiga) bulan", None, 3, "month", "submitted"),
    ("1 hari kerja", None, 1, "working_day", "submitted"),
    ("2 hari kerja", None, 2, "working_day", "submitted"),
    ("5 hari kerja", None, 5, "working_day", "submitted"),
    ("2 (dua) hari sejak", None, 2, "day", "submitted"),
    ("Setiap hari kerja", None, None, "none", "submitted"),
    (
        "Penyelesaian Layanan Informasi kepada Masyarakat dapat diselesaikan paling lama "
        "dalam waktu 30 menit.",
        None,
        30,
        "minute",
        "submitted",
    ),
]


@pytest.mark.parametrize(("text", "low", "high", "unit", "clock"), SEED_CASES)
def test_seed_texts(text, low, high, unit, clock):
    spec = parse_duration(text)
    assert (spec.min, spec.max, spec.unit, spec.clock_starts_at) == (low, high, unit, clock)
    assert spec.text == text
    assert spec.as_dict() == {
        "min": low,
        "max": high,
        "unit": unit,
        "clock_starts_at": clock,
        "text": text,
    }


def test_sejak_without_start_point_warns():
    spec = parse_duration("2 (dua) hari sejak")
    assert any("sejak" in w and "permohonan diterima" in w for w in spec.warnings)


def test_clean_seed_texts_have_no_warnings():
    assert parse_duration("45 Menit").warnings == ()
    assert parse_duration(f"1 (satu) bulan sejak {SINCE_KASUBAG}").warnings == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "kosong"),
        ("   ", "kosong"),
        ("segera", "Tidak ada angka waktu"),
        ("0 hari", "tidak boleh nol"),
        ("5 s/d 3 hari", "Rentang terbalik: 5 s/d 3"),
        ("10 dekade", "Satuan waktu tidak dikenali: 'dekade'"),
        ("10", "Satuan waktu tidak ditemukan"),
        ("2 minggu s/d 1 bulan", "Satuan rentang berbeda"),
        ("0,5 hari", "pecahan"),
        ("200 tahun", "terlalu besar"),
        ("9" * 5000 + " hari", "terlalu besar"),
    ],
)
def test_rejections_explain_why(text, message):
    with pytest.raises(DurationParseError) as caught:
        parse_duration(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "low", "high", "unit", "clock"),
    [
        ("tiga bulan", None, 3, "month", "submitted"),
        ("satu hari kerja", None, 1, "working_day", "submitted"),
        ("dua puluh hari", None, 20, "day", "submitted"),
        ("sembilan puluh sembilan menit", None, 99, "minute", "submitted"),
        ("1 sampai dengan 3 hari kerja", 1, 3, "working_day", "submitted"),
        ("2 hingga 4 pekan", 2, 4, "week", "submitted"),
        ("1 s.d. 2 tahun", 1, 2, "year", "submitted"),
        ("1 sd 2 jam", 1, 2, "hour", "submitted"),
        ("3-3 hari kerja", None, 3, "working_day", "submitted"),
        ("maksimal 14 hari kerja", None, 14, "working_day", "submitted"),
        ("1 jam 30 menit", None, 90, "minute", "submitted"),
        ("1,5 jam", None, 90, "minute", "submitted"),
        ("1 x 24 jam", None, 1, "day", "submitted"),
        (
            "paling cepat 3 hari kerja dan paling lama 7 hari kerja",
            3,
            7,
            "working_day",
            "submitted",
        ),
        (
            "Sejak berkas lengkap diterima, paling lama 5 hari kerja",
            None,
            5,
            "working_day",
            "berkas lengkap diterima",
        ),
        ("3 hari kerja (setelah berkas lengkap).", None, 3, "working_day", "berkas lengkap"),
        ("Sesuai Perbup Nomor 12 Tahun 2019: 5 hari kerja", None, 5, "working_day", "submitted"),
        ("30\u00a0menit", None, 30, "minute", "submitted"),
        ("5 working days", None, 5, "working_day", "submitted"),
        ("Setiap saat", None, None, "none", "submitted"),
        ("Sepanjang hari kerja", None, None, "none", "submitted"),
    ],
)
def test_other_accepted_forms(text, low, high, unit, clock):
    spec = parse_duration(text)
    assert (spec.min, spec.max, spec.unit, spec.clock_starts_at) == (low, high, unit, clock)


def test_guesses_are_reported():
    assert parse_duration("30 (dua puluh) menit").warnings
    assert parse_duration("1 x 24 jam").warnings
    assert parse_duration("2 hari").warnings  # calendar or working day?
    assert not parse_duration("2 hari kalender").warnings


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("1 s/d 3 Minggu", "1\u20133 minggu"),
        ("45 Menit", "45 menit (jam kerja)"),
        ("5 hari kerja", "5 hari kerja"),
        ("Setiap hari kerja", "Setiap hari kerja (layanan berkelanjutan)"),
        ("Setiap saat", "Setiap saat (layanan berkelanjutan)"),
        (f"1 (satu) bulan sejak {SINCE_KASUBAG}", f"1 bulan sejak {SINCE_KASUBAG}"),
    ],
)
def test_format_duration(text, rendered):
    spec = parse_duration(text)
    assert format_duration(spec) == rendered
    assert format_duration(spec.as_dict()) == rendered


def test_spec_refuses_impossible_values():
    with pytest.raises(DurationParseError):
        DurationSpec(None, None, "day", "submitted", "")
    with pytest.raises(DurationParseError):
        DurationSpec(3, 3, "day", "submitted", "")
    with pytest.raises(DurationParseError):
        DurationSpec(None, 3, "decade", "submitted", "")
    with pytest.raises(DurationParseError):
        DurationSpec(None, 3, "none", "submitted", "")


def test_module_has_no_django_import():
    tree = ast.parse(Path(duration.__file__).read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.startswith("django")]


# --- Properties ---------------------------------------------------------------------------

_ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def spell(n: int) -> str:
    """Independent Indonesian spelling of 1..99 (kept separate from the module's table)."""
    teens = {10: "sepuluh", 11: "sebelas"}
    if n in teens:
        return teens[n]
    if n < 10:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    return f"{_ONES[n // 10]} puluh {_ONES[n % 10]}".strip()


UNIT_WORDS = [
    ("menit", "minute"),
    ("Menit", "minute"),
    ("MENIT", "minute"),
    ("minutes", "minute"),
    ("jam", "hour"),
    ("Jam", "hour"),
    ("hours", "hour"),
    ("hari kerja", "working_day"),
    ("Hari Kerja", "working_day"),
    ("hari  kerja", "working_day"),
    ("working days", "working_day"),
    ("hari", "day"),
    ("hari kalender", "day"),
    ("Hari", "day"),
    ("days", "day"),
    ("minggu", "week"),
    ("Minggu", "week"),
    ("pekan", "week"),
    ("weeks", "week"),
    ("bulan", "month"),
    ("Bulan", "month"),
    ("months", "month"),
    ("tahun", "year"),
    ("Tahun", "year"),
    ("years", "year"),
]
SEPARATORS = [
    " s/d ",
    " S/D ",
    " s.d. ",
    " s.d ",
    " sd ",
    " sampai ",
    " sampai dengan ",
    " hingga ",
    " \u2013 ",
    "\u2013",
    " - ",
    "-",
    " \u2014 ",
]
PREFIXES = [
    "",
    "Jangka waktu penyelesaian ",
    "paling lama ",
    "Maksimal ",
    "Penyelesaian dapat diselesaikan paling lama dalam waktu ",
]
SUFFIXES = ["", ".", " ( Sesuaikan dengan data yang diminta )", " untuk setiap permohonan."]
CLOCKS = [SINCE_KASUBAG, "berkas lengkap diterima", "surat permohonan diterima oleh petugas"]

numbers = st.integers(min_value=1, max_value=99)


@st.composite
def written_number(draw, n):
    style = draw(st.sampled_from(["digits", "digits+words", "words"]))
    if style == "digits":
        return str(n)
    if style == "words":
        return spell(n)
    return f"{n} ({spell(n)})"


@st.composite
def duration_texts(draw):
    """A generated text and the (min, max, unit) it must parse to."""
    word, unit = draw(st.sampled_from(UNIT_WORDS))
    high = draw(numbers)
    low = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=high)))
    core = f"{draw(written_number(high))} {word}"
    if low is not None:
        core = f"{draw(written_number(low))}{draw(st.sampled_from(SEPARATORS))}{core}"
    text = draw(st.sampled_from(PREFIXES)) + core + draw(st.sampled_from(SUFFIXES))
    return text, (None if low == high else low), high, unit


@settings(deadline=None)
@given(duration_texts())
def test_generated_texts_round_trip(case):
    text, low, high, unit = case
    spec = parse_duration(text)
    assert (spec.min, spec.max, spec.unit) == (low, high, unit)
    assert spec.clock_starts_at == "submitted"
    assert spec.text == text


@settings(deadline=None)
@given(duration_texts(), st.sampled_from(CLOCKS))
def test_generated_sejak_phrase(case, clock):
    text, low, high, unit = case
    text = text.rstrip(".") + f" sejak {clock}."
    spec = parse_duration(text)
    assert (spec.min, spec.max, spec.unit, spec.clock_starts_at) == (low, high, unit, clock)


def check_outcome(text):
    """Either a valid spec that keeps the text, or DurationParseError; nothing else."""
    try:
        spec = parse_duration(text)
    except DurationParseError as error:
        assert str(error)
        return
    assert spec.unit in UNITS
    assert spec.text == text
    assert (spec.max is None) == (spec.unit == "none")
    if spec.min is not None:
        assert spec.min < spec.max
    assert all(isinstance(w, str) and w for w in spec.warnings)
    assert format_duration(spec)


@settings(deadline=None)
@given(st.text())
def test_arbitrary_text_parses_or_raises_parse_error(text):
    check_outcome(text)


noisy_texts = st.builds(
    lambda before, case, after: before + case[0] + after,
    st.text(max_size=30),
    duration_texts(),
    st.text(max_size=30),
)
mixed_texts = st.builds(
    "".join,
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "1",
                    "0",
                    "12",
                    "1,5",
                    "x",
                    "24",
                    " ",
                    "(",
                    ")",
                    "tiga",
                    "puluh",
                    "se",
                    "hari",
                    "kerja",
                    "jam",
                    "menit",
                    "tahun",
                    "2019",
                    "s/d",
                    "-",
                    "sejak",
                    "setiap",
                    "paling lama",
                    "paling cepat",
                    "dan",
                    ".",
                    "\u2013",
                    "\u00a0",
                ]
            ),
            st.text(max_size=3),
        ),
        max_size=12,
    ),
)


@settings(deadline=None)
@given(st.one_of(noisy_texts, mixed_texts))
def test_noisy_text_parses_or_raises_parse_error(text):
    check_outcome(text)


specs = st.one_of(
    st.builds(
        lambda unit, high, low, clock: DurationSpec(
            low if low is not None and low < high else None, high, unit, clock, ""
        ),
        st.sampled_from([u for u in UNITS if u != "none"]),
        numbers,
        st.one_of(st.none(), numbers),
        st.sampled_from(["submitted", *CLOCKS]),
    ),
    st.just(DurationSpec(None, None, "none", "submitted", "Setiap hari kerja")),
)


@settings(deadline=None)
@given(specs)
def test_format_then_parse_round_trips(spec):
    again = parse_duration(format_duration(spec))
    assert (again.min, again.max, again.unit, again.clock_starts_at) == (
        spec.min,
        spec.max,
        spec.unit,
        spec.clock_starts_at,
    )


# --- Forms met in other agencies' standards (issue 12) ------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("1 jam", None, 1, "hour"),
        ("3 hari", None, 3, "day"),
        ("maksimal 10 menit", None, 10, "minute"),
        ("10 (sepuluh) hari kerja + 7 (tujuh) hari kerja", 10, 17, "working_day"),
        ("1 (satu) hari s/d 14 hari kerja", 1, 14, "working_day"),
        ("1 (satu) hari maksimal 14 (empat belas) hari kerja", 1, 14, "working_day"),
        (
            "Waktu penyelesaian dilaksanakan paling lambat 10 (sepuluh) hari kerja sejak diterima "
            "permintaan, PPID dapat memperpanjang waktu paling lambat 7 (tujuh) hari kerja.",
            10,
            17,
            "working_day",
        ),
        (
            "Lama waktu proses pembuatan adalah selambat-lambatnya 1 (satu) hari kerja. Masa berlaku AK 1 "
            "adalah 2 (dua) tahun, pencari kerja wajib registrasi ulang setiap 6 (enam) bulan sekali.",
            None,
            1,
            "working_day",
        ),
        ("Kelahiran dilaporkan paling lambat 60 (enam puluh) hari. Penerbitan akta 1 hari kerja", None, 1,
         "working_day"),
    ],
)
def test_forms_of_other_agencies(text, low, high, unit):
    spec = parse_duration(text)
    assert (spec.min, spec.max, spec.unit) == (low, high, unit)


def test_ignored_validity_is_reported():
    spec = parse_duration("Masa berlaku kartu 2 (dua) tahun; proses pembuatan 15 menit")
    assert (spec.max, spec.unit) == (15, "minute")
    assert any("masa berlaku" in warning for warning in spec.warnings)


def test_the_clock_phrase_ends_with_its_clause():
    spec = parse_duration("paling lambat 10 hari kerja sejak diterima permintaan, PPID dapat memperpanjang "
                          "7 hari kerja")
    assert spec.clock_starts_at == "diterima permintaan"


COUNTED_UNITS = [("hari kerja", "working_day"), ("menit", "minute"), ("jam", "hour"), ("bulan", "month"),
                 ("hari", "day")]
EXTENSION_GAPS = [" + ", "+", ", dapat diperpanjang paling lama ", ". Waktu dapat diperpanjang maksimal ",
                  " sejak diterima; PPID dapat memperpanjang waktu paling lambat "]


@settings(deadline=None)
@given(numbers, numbers, st.sampled_from(COUNTED_UNITS), st.sampled_from(EXTENSION_GAPS))
def test_generated_extension_adds_up(first, extra, unit_word, gap):
    word, unit = unit_word
    spec = parse_duration(f"{first} {word}{gap}{extra} {word}")
    assert (spec.min, spec.max, spec.unit) == (first, first + extra, unit)


@settings(deadline=None)
@given(numbers, numbers, st.sampled_from([" s/d ", " sampai dengan ", " maksimal ", ", paling lama "]),
       st.booleans())
def test_generated_bare_hari_then_working_days_is_a_working_day_range(a, b, link, spelled):
    low, high = min(a, b), max(a, b) + 1
    first = f"{low} ({spell(low)})" if spelled else str(low)
    spec = parse_duration(f"{first} hari{link}{high} hari kerja")
    assert (spec.min, spec.max, spec.unit) == (low, high, "working_day")


@settings(deadline=None)
@given(duration_texts(), numbers, st.sampled_from(["Masa berlaku kartu", "Kartu berlaku selama",
                                                   "Pemohon wajib registrasi ulang setiap"]),
       st.booleans())
def test_generated_validity_clause_never_becomes_the_processing_time(case, years, clause, before):
    text, low, high, unit = case
    other = f"{clause} {years} tahun"
    combined = f"{other}. {text}" if before else f"{text.rstrip('.')}. {other}."
    spec = parse_duration(combined)
    assert (spec.min, spec.max, spec.unit) == (low, high, unit)
