"""SMS segment counting and the plain GSM-7 rendering used on USSD screens."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from texts import GSM7, UCS2, count, gsm7_safe
from texts.segments import GSM7_BASIC, GSM7_EXTENSION

ARABIC = "ب"
EMOJI = "😀"
EXTENSION = "^{}\\[~]|€\f"


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 1),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        (ARABIC * 70, UCS2, 70, 1),
        (ARABIC * 71, UCS2, 71, 2),
        (ARABIC * 134, UCS2, 134, 2),
        (ARABIC * 135, UCS2, 135, 3),
        ("{" * 80, GSM7, 160, 1),
        ("{" * 81, GSM7, 162, 2),
        (ARABIC * 69 + EMOJI, UCS2, 71, 2),
    ],
)
def test_a_text_is_billed_as_the_parts_its_encoding_needs(text, encoding, units, segments):
    assert (count(text).encoding, count(text).units, count(text).segments) == (encoding, units, segments)


@pytest.mark.parametrize("char", EXTENSION)
def test_an_extension_character_costs_two_septets_and_stays_gsm7(char):
    assert (count(char).encoding, count("a" + char).units) == (GSM7, 3)


def test_the_gsm7_tables_have_every_character_of_the_standard():
    # 128 positions less the escape, and ten characters reached through it.
    assert (len(GSM7_BASIC), len(GSM7_EXTENSION)) == (127, 10)


@pytest.mark.parametrize("char", "éèùàÉìòÇÑñÜüÄäÖößØøÅåÆæ£¥§¿¡¤ΔΦΓΛΩΠΨΣΘΞ")
def test_accented_letters_of_the_gsm7_table_keep_a_message_gsm7(char):
    assert count(f"Merci {char}").encoding == GSM7


@pytest.mark.parametrize("char", ["ç", "ê", "â", "î", "ô", "û", "á", "`", "’", "…", "\u202f", ARABIC, EMOJI])
def test_one_character_outside_gsm7_switches_the_whole_message_to_ucs2(char):
    result = count("a" * 100 + char)
    assert (result.encoding, result.segments) == (UCS2, 2)


def test_an_emoji_counts_two_utf16_units():
    assert count(EMOJI).units == 2


def test_an_escape_sequence_is_never_split_across_two_parts():
    # 306 septets would fit two parts of 153, but the escape pair cannot straddle the boundary.
    text = "a" * 152 + "€" + "a" * 152
    assert (count(text).units, count(text).segments) == (306, 3)


def test_a_surrogate_pair_is_never_split_across_two_parts():
    text = ARABIC * 66 + EMOJI + ARABIC * 66
    assert (count(text).units, count(text).segments) == (134, 3)


@pytest.mark.parametrize(
    ("latin", "plain"),
    [
        ("Français", "Francais"),
        ("Êtes-vous sûr ? île, âge, hôtel", "Etes-vous sur ? ile, age, hotel"),
        ("l’été “à Fès”…", "l'été \"à Fès\"..."),
        ("« Œuvre »", '" OEuvre "'),
        ("prix\u202f: 20\u00a0MAD", "prix : 20 MAD"),
        ("Ça coûte 20 €", "Ça coute 20 €"),
    ],
)
def test_latin_text_is_transliterated_to_plain_gsm7(latin, plain):
    assert gsm7_safe(latin) == plain
    assert count(gsm7_safe(latin)).encoding == GSM7


@pytest.mark.parametrize("text", ["العربية", "آمنة", "Ελλάδα", "ⵜⴰⵎⴰⵣⵉⵖⵜ"])
def test_transliteration_leaves_other_scripts_alone(text):
    assert gsm7_safe(text) == text


MIXED = st.text(
    alphabet=st.sampled_from([*"aZ0 .,@\n", *EXTENSION, *"éçêÇ’…", ARABIC, "ﻻ", EMOJI, "𝔸"]),
    max_size=400,
)


@given(MIXED, st.sampled_from([*"a{€çب", EMOJI]))
def test_appending_a_character_never_lowers_the_number_of_segments(text, char):
    assert count(text + char).segments >= count(text).segments


@given(MIXED)
def test_a_text_is_gsm7_exactly_when_every_character_is_in_the_gsm_tables(text):
    in_tables = all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)
    assert (count(text).encoding == GSM7) == in_tables


@given(MIXED)
def test_units_are_septets_in_gsm7_and_utf16_code_units_in_ucs2(text):
    result = count(text)
    if result.encoding == GSM7:
        assert result.units == len(text) + sum(char in EXTENSION for char in text)
    else:
        assert result.units == len(text.encode("utf-16-le")) // 2


@given(MIXED)
def test_parts_hold_the_whole_text_and_lose_at_most_one_unit_each(text):
    result = count(text)
    single, part = (160, 153) if result.encoding == GSM7 else (70, 67)
    if result.units <= single:
        assert result.segments == 1
    else:
        assert math.ceil(result.units / part) <= result.segments <= math.ceil(result.units / (part - 1))
