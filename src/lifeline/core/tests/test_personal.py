import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lifeline.core.personal import (
    age_band,
    decrypt_value,
    encrypt_value,
    id_number_check_digit,
    id_number_is_valid,
    lookup_hash,
    mask_id_number,
    mask_phone,
    phone_is_valid,
)


def test_known_valid_id_number_passes_checksum():
    # GB 11643-1999's own example number
    assert id_number_is_valid("11010519491231002X")


def test_wrong_check_digit_is_refused():
    assert not id_number_is_valid("110105194912310021")


def test_impossible_birth_date_is_refused():
    first17 = "43020219800231001"  # 31 February
    assert not id_number_is_valid(first17 + id_number_check_digit(first17))


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)), st.integers(0, 999)
)
def test_generated_numbers_validate_and_one_changed_digit_does_not(birth, seq):
    first17 = f"430211{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_number_check_digit(first17)
    assert id_number_is_valid(number)
    changed = str((int(number[16]) + 1) % 10)
    assert not id_number_is_valid(number[:16] + changed + number[17])


def test_masks_hide_the_middle():
    assert mask_phone("13812345678") == "138****5678"
    # the ID number keeps its province only: no birth date, sequence or check character
    assert mask_id_number("11010519491231002X") == "11" + "*" * 16


def test_age_bands_are_ten_years_wide_and_never_the_birth_date():
    today = dt.date(2026, 12, 3)
    assert age_band(dt.date(1960, 12, 3), today) == "60\u201369"
    assert age_band(dt.date(1960, 12, 4), today) == "60\u201369"  # 65 tomorrow
    assert age_band(dt.date(1957, 12, 4), today) == "60\u201369"  # 69
    assert age_band(dt.date(1956, 12, 3), today) == "70\u201379"
    assert age_band(dt.date(2026, 1, 1), today) == "0\u20139"
    assert age_band(dt.date(1920, 1, 1), today) == "90+"
    assert age_band(None, today) == ""


def test_phone_validation():
    assert phone_is_valid("13812345678")
    assert phone_is_valid("0731-28888888")
    assert not phone_is_valid("12345")
    assert not phone_is_valid("23812345678")


def test_encryption_round_trips_and_is_not_deterministic(settings):
    a, b = encrypt_value("11010519491231002X"), encrypt_value("11010519491231002X")
    assert a != b
    assert decrypt_value(a) == "11010519491231002X"
    assert b"11010519491231002X" not in a


def test_lookup_hash_is_keyed(settings):
    h1 = lookup_hash("11010519491231002X")
    settings.LOOKUP_HASH_KEY = "00" * 32
    assert lookup_hash("11010519491231002X") != h1
