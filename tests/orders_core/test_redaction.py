"""orders_core.redaction: the one place that finds a card PIN in what a citizen sent, in every form it comes."""
import pytest

from orders_core.redaction import (
    PIN_MARK, SEALED, pin_hash, redact_pins_in, redact_text, redact_ussd_path, seal, sealed_hash,
)
from orders_core.references import check_digit

REF = "4009670927"
PIN = "74602962613312" + check_digit("74602962613312")
SPACED = f"{PIN[:4]} {PIN[4:8]} {PIN[8:12]} {PIN[12:]}"
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("text", [
    f"CARTE {REF} {SPACED}", f"carte {REF} {PIN}", f"CARD {REF} {PIN}", f"Karta {REF} {SPACED}",
    f"lkarta {REF} {PIN[:4]}-{PIN[4:8]}-{PIN[8:12]}-{PIN[12:]}", f"بطاقة {REF} {PIN}",
    f"بطاقة {REF} {PIN}".translate(EASTERN), f"Carte   {REF}\n{SPACED}", f"CARTE {REF}{PIN}",
], ids=["fr-spaced", "fr", "en", "darija", "dashes", "ar", "ar-eastern-digits", "newline", "glued"])
def test_the_card_command_keeps_its_reference_and_loses_its_pin_in_every_language(text):
    found = redact_text(text)
    assert found.pins == (PIN,)
    assert PIN_MARK in found.text and PIN[:6] not in found.text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    assert REF in found.text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))


def test_after_a_card_word_even_a_mistyped_short_pin_is_taken_out():
    found = redact_text(f"CARTE {REF} 7460 2962")
    assert found.text == f"CARTE {REF} {PIN_MARK}" and found.pins == ("74602962",)


@pytest.mark.parametrize("typed", ["7", "٧"], ids=["ascii", "eastern"])
def test_after_a_card_word_a_single_digit_past_the_reference_is_taken_out(typed):
    found = redact_text(f"CARTE {REF} {typed}")  # eleven digits in all: the fewest that may hold part of a PIN
    assert found.text == f"CARTE {REF} {PIN_MARK}" and found.pins == ("7",)


@pytest.mark.parametrize("text", [SPACED, PIN, f"voici {SPACED} merci", f"{REF}{PIN}", PIN[:-1]],
                         ids=["spaced", "bare", "in-a-sentence", "reference-then-pin", "one-digit-short"])
def test_a_pin_alone_or_in_free_text_is_taken_out(text):
    found = redact_text(text)
    assert found.pins and PIN[2:12] not in found.text


@pytest.mark.parametrize("text", [f"SUIVI {REF}", REF, "+212612345678", "COMMANDE 2 extraits 1998", "CARTE",
                                  f"CARTE {REF}", "card 00001-00042 paid 2000 centimes"])
def test_references_phone_numbers_and_plain_texts_stay_as_they_are(text):
    if text.startswith("card 0"):
        assert redact_pins_in(text) == text  # a log line is no command
    else:
        assert redact_text(text).text == text and redact_text(text).pins == ()


def test_a_ussd_path_loses_every_pin_input_and_keeps_the_others():
    found = redact_ussd_path(f"1*4*1*{PIN}*{SPACED}*2")
    assert found.text == f"1*4*1*{PIN_MARK}*{PIN_MARK}*2" and found.pins == (PIN, PIN)


def test_a_sealed_pin_is_its_keyed_hash_and_a_mistyped_one_says_so():
    assert seal("s3cret", PIN) == SEALED + pin_hash("s3cret", PIN) and PIN not in seal("s3cret", PIN)
    assert sealed_hash(seal("s3cret", PIN)) == pin_hash("s3cret", PIN)
    assert sealed_hash(seal("s3cret", PIN[:-1] + str((int(PIN[-1]) + 1) % 10))) is None
    assert sealed_hash(seal("s3cret", PIN[:8])) is None
    with pytest.raises(ValueError):
        sealed_hash(PIN)


def test_log_lines_lose_pins_before_anything_else():
    assert PIN[:5] not in redact_pins_in(f"answer to CARTE {REF} {SPACED}")


def test_the_logging_filter_masks_pins_before_phone_numbers():
    import logging

    from logs import RedactingFilter
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "answer to %s from %s", (f"CARTE {REF} {SPACED}",
                                                                                        "+212612345678"), None)
    RedactingFilter().filter(record)
    line = record.getMessage()
    assert PIN[:5] not in line.replace(" ", "") and PIN[-4:] not in line and "612345678" not in line
