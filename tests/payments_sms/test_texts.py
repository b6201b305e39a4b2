"""The payment texts: in every language, with the same placeholders, within their SMS budgets once filled."""
import pytest

from texts import LANGUAGES, Catalogs, count, placeholders

CATALOGS = Catalogs.load()
KEYS = sorted(k for k in CATALOGS.keys("fr") if k.startswith("payments."))
# Realistic long values for the placeholders the payment texts use.
VALUES = {"ref": "261 148 273 5", "amount": "1 240", "due": "1 240", "paid": "1 240", "price": "12,50",
          "balance": "1 240", "credit": "7,50", "count": "12", "step": "12", "time": "14:30", "short_code": "1919"}


def test_there_are_payment_texts():
    assert len(KEYS) > 20


@pytest.mark.parametrize("key", KEYS)
def test_every_payment_text_exists_in_every_language_with_the_same_placeholders(key):
    found = {lang: placeholders(CATALOGS.messages[lang][key]) for lang in LANGUAGES}
    assert len(set(found.values())) == 1, found
    assert set().union(*found.values()) <= set(VALUES)


@pytest.mark.parametrize(("lang", "key"), [(lang, key) for key in KEYS for lang in LANGUAGES])
def test_a_payment_text_fits_its_sms_budget(lang, key):
    text = CATALOGS.text(lang, key, **VALUES)
    assert count(text).segments <= (CATALOGS.budget(key) or 1), text


@pytest.mark.parametrize("key", ["payments.premium.billed", "payments.card.paid", "payments.card.check_number"])
def test_the_french_and_english_texts_stay_in_gsm7_so_a_segment_holds_160_characters(key):
    for lang in ("fr", "en"):
        assert count(CATALOGS.text(lang, key, **VALUES)).encoding == "GSM-7"
