"""The trained Shubbak NLU model, served by a real Rasa server, on sentences it never saw."""
from __future__ import annotations

import pytest

from dialog.nlu.evaluate import LANGUAGES, heldout_examples, predict, score
from dialog.nlu_client import NluClient

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

OVERALL_MACRO_F1 = 0.90
LANGUAGE_MACRO_F1 = 0.85


@pytest.fixture(scope="module")
def nlu(rasa_url: str) -> NluClient:
    # A first parse can be slow while TensorFlow warms up; the breaker must not count that.
    return NluClient(rasa_url, timeout=10, failure_threshold=1000)


@pytest.fixture(scope="module")
def heldout_predictions(nlu: NluClient) -> dict[str, list[tuple[str, str]]]:
    return {language: predict(nlu, heldout_examples(language)) for language in LANGUAGES}


def test_held_out_macro_f1_over_all_intents_is_at_least_0_90(heldout_predictions):
    every_pair = [pair for pairs in heldout_predictions.values() for pair in pairs]

    assert score(every_pair).macro_f1 >= OVERALL_MACRO_F1


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_macro_f1_of_each_language_is_at_least_0_85(heldout_predictions, language):
    assert score(heldout_predictions[language]).macro_f1 >= LANGUAGE_MACRO_F1


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("fin wsl talab 261 148 273 5", "track", {"order_ref": "261 148 273 5"}),
        ("CARTE 2611482735 123456789012345", "pay_card",
         {"order_ref": "2611482735", "pin": "123456789012345"}),
        ("je veux une copie intégrale", "order", {"doc_type": "full_copy"}),
        ("bghit jouj extraits 3afak", "order", {"doc_type": "extract", "copies": "2"}),
        ("أين وصل الطلب ٢٦١١٤٨٢٧٣٥", "track", {"order_ref": "٢٦١١٤٨٢٧٣٥"}),
        ("switch to arabic please", "change_language", {"language": "ar"}),
    ],
)
def test_entities_come_out_with_the_values_the_dialog_expects(nlu, text, intent, entities):
    understanding = nlu.parse(text)

    assert understanding is not None
    assert understanding.intent == intent
    assert {name: understanding.entities.get(name) for name in entities} == entities


def test_a_fifteen_digit_pin_never_yields_an_order_reference_cut_from_it(nlu):
    understanding = nlu.parse("mon code est 123 456 789 012 345")

    assert understanding.entities.get("pin") == "123 456 789 012 345"
    assert "order_ref" not in understanding.entities
