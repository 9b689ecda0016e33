"""The NIK parser: structure only, Indonesian messages, never any other exception."""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from layanan.core.nik import PROVINCE_CODES, InvalidNIK, build_nik, is_valid_nik, parse_nik

TODAY = date(2026, 3, 10)

provinces = st.sampled_from(sorted(f"{code:02d}" for code in PROVINCE_CODES))
two_digits_not_zero = st.integers(1, 99).map(lambda n: f"{n:02d}")
# Within a century back from TODAY the two-digit year is unambiguous.
birth_dates = st.dates(min_value=TODAY - timedelta(days=365 * 99), max_value=TODAY)
sexes = st.sampled_from(["L", "P"])
sequences = st.integers(1, 9999).map(lambda n: f"{n:04d}")


@st.composite
def valid_niks(draw):
    parts = dict(province=draw(provinces), regency=draw(two_digits_not_zero),
                 district=draw(two_digits_not_zero), birth_date=draw(birth_dates), sex=draw(sexes),
                 sequence=draw(sequences))
    return build_nik(**parts), parts


@given(valid_niks())
def test_generated_niks_round_trip(generated):
    value, parts = generated
    nik = parse_nik(value, today=TODAY)
    assert nik.value == value
    assert (nik.province, nik.regency, nik.district, nik.birth_date, nik.sex, nik.sequence) == (
        parts["province"], parts["regency"], parts["district"], parts["birth_date"], parts["sex"],
        parts["sequence"])


@given(valid_niks())
def test_separators_typed_by_people_are_ignored(generated):
    value, _parts = generated
    spaced = f"{value[:4]} {value[4:8]}.{value[8:12]}-{value[12:]}"
    assert parse_nik(spaced, today=TODAY).value == value


def _replace(value: str, start: int, digits: str) -> str:
    return value[:start] + digits + value[start + len(digits):]


@given(valid_niks(), st.integers(0, 99).filter(lambda n: n not in PROVINCE_CODES))
def test_unknown_province_is_rejected(generated, province):
    value = _replace(generated[0], 0, f"{province:02d}")
    with pytest.raises(InvalidNIK, match="kode provinsi"):
        parse_nik(value, today=TODAY)


@given(valid_niks(), st.sampled_from([(2, "kabupaten"), (4, "kecamatan")]))
def test_zero_regency_or_district_is_rejected(generated, where):
    start, word = where
    with pytest.raises(InvalidNIK, match=word):
        parse_nik(_replace(generated[0], start, "00"), today=TODAY)


@given(valid_niks(), st.sampled_from([0, *range(32, 41), *range(72, 100)]))
def test_impossible_day_is_rejected(generated, day):
    with pytest.raises(InvalidNIK, match="Tanggal lahir"):
        parse_nik(_replace(generated[0], 6, f"{day:02d}"), today=TODAY)


@given(valid_niks(), st.sampled_from([0, *range(13, 100)]))
def test_impossible_month_is_rejected(generated, month):
    with pytest.raises(InvalidNIK, match="Bulan lahir"):
        parse_nik(_replace(generated[0], 8, f"{month:02d}"), today=TODAY)


@given(valid_niks())
def test_sequence_zero_is_rejected(generated):
    with pytest.raises(InvalidNIK, match="nomor urut"):
        parse_nik(_replace(generated[0], 12, "0000"), today=TODAY)


@given(valid_niks(), st.integers(0, 15), st.sampled_from(list("aZ ²٣x/")))
def test_a_foreign_character_is_rejected(generated, position, char):
    assume(not char.isspace())
    with pytest.raises(InvalidNIK, match="angka"):
        parse_nik(_replace(generated[0], position, char), today=TODAY)


@given(valid_niks(), st.integers(1, 15))
def test_too_short_or_too_long_is_rejected(generated, cut):
    value = generated[0]
    with pytest.raises(InvalidNIK, match="16 angka"):
        parse_nik(value[:-cut], today=TODAY)
    with pytest.raises(InvalidNIK, match="16 angka"):
        parse_nik(value + value[:cut], today=TODAY)


@given(st.one_of(st.text(max_size=40), st.from_regex(r"\A[0-9]{16}\Z"), st.none(), st.integers(),
                 st.binary(max_size=20)))
def test_anything_else_gives_a_nik_or_invalid_nik_only(raw):
    try:
        nik = parse_nik(raw, today=TODAY)
    except InvalidNIK as exc:
        assert str(exc)  # always a reason
    else:
        assert len(nik.value) == 16 and nik.birth_date <= TODAY


def test_known_examples():
    woman = parse_nik("3201234507920003", today=TODAY)  # day 45 → 5 July 1992, a woman
    assert (woman.birth_date, woman.sex, woman.province) == (date(1992, 7, 5), "P", "32")
    child = parse_nik("5106010101240001", today=TODAY)
    assert child.birth_date == date(2024, 1, 1)
    assert parse_nik("5106012902000001", today=TODAY).birth_date == date(2000, 2, 29)
    with pytest.raises(InvalidNIK, match="kalender"):
        parse_nik("5106013102250001", today=TODAY)  # 31 February
    with pytest.raises(InvalidNIK, match="kalender"):
        parse_nik("5106012902010001", today=TODAY)  # 29 February 2001 / 1901
    assert not is_valid_nik("") and not is_valid_nik("1234")
