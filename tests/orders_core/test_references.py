"""References: Verhoeff check digit, parsing what people type, grouping for reading."""
import random

import pytest
from hypothesis import given, strategies as st

from orders_core.errors import BadCheckDigit, MalformedReference
from orders_core.references import check_digit, format_reference, is_valid, new_reference, parse_reference

SAMPLE = [new_reference(randbelow=random.Random(seed).randrange) for seed in range(200)]


def test_known_verhoeff_values():
    # Published examples of the Verhoeff scheme.
    assert check_digit("236") == "3"
    assert is_valid("2363")
    assert check_digit("12345") == "1"
    assert not is_valid("2364")


@pytest.mark.parametrize("reference", SAMPLE[:50])
def test_every_single_digit_error_is_caught(reference):
    for i in range(10):
        for d in "0123456789":
            if d != reference[i]:
                assert not is_valid(reference[:i] + d + reference[i + 1:])


@pytest.mark.parametrize("reference", SAMPLE)
def test_every_adjacent_swap_is_caught(reference):
    for i in range(9):
        a, b = reference[i], reference[i + 1]
        if a != b:
            assert not is_valid(reference[:i] + b + a + reference[i + 2:])


def test_new_references_are_valid_and_start_as_asked():
    assert all(is_valid(r) and len(r) == 10 and r[0] in "12345678" for r in SAMPLE)
    assert new_reference("9")[0] == "9"


REF = "261148273" + check_digit("261148273")
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.mark.parametrize("typed", [
    REF, format_reference(REF), f" {REF[:3]}-{REF[3:6]}-{REF[6:]} ", REF.translate(EASTERN),
    format_reference(REF).translate(EASTERN), REF.translate(PERSIAN), f"{REF[:5]}\u00a0{REF[5:]}",
])
def test_parsing_accepts_spaces_and_arabic_digits(typed):
    assert parse_reference(typed) == REF


def test_a_bad_check_digit_is_its_own_error():
    good = SAMPLE[0]
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(BadCheckDigit):
        parse_reference(bad)


@pytest.mark.parametrize("typed", ["", "123", "12345678901", "abcdefghij", "26114827 3x", "1" * 10000])
def test_malformed_text_is_not_a_reference(typed):
    with pytest.raises(MalformedReference):
        parse_reference(typed)


def test_references_are_grouped_for_reading():
    assert format_reference("2611482735") == "261 148 273 5"


@given(st.text(max_size=50))
def test_parsing_never_fails_with_anything_but_a_named_error(text):
    try:
        parse_reference(text)
    except (MalformedReference, BadCheckDigit):
        pass
