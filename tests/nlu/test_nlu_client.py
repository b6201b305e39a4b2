"""The NLU client: parsing Rasa's answer, surviving every failure, and its circuit breaker."""
from __future__ import annotations

import json
import logging

import pytest
import requests
import responses

from dialog.nlu_client import NluClient, Understanding

BASE = "http://nlu.test:5005"
PARSE = BASE + "/model/parse"
PIN_MESSAGE = "CARTE 2611482735 123456789012345"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def rasa_answer(intent: str = "track", confidence: float = 0.93, entities: list | None = None) -> dict:
    """A /model/parse body shaped like Rasa 3.6's."""
    return {
        "text": "ignored",
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [
            {"name": intent, "confidence": confidence},
            {"name": "order", "confidence": 1 - confidence},
        ],
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock: FakeClock) -> NluClient:
    return NluClient(BASE, timeout=0.8, failure_threshold=3, cooldown=30, clock=clock)


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def fail_three_times(http: responses.RequestsMock, client: NluClient) -> None:
    http.add(responses.POST, PARSE, status=503)
    for _ in range(3):
        assert client.parse("fin wsl talab") is None


def test_a_successful_parse_gives_intent_confidence_entities_and_ranking(http, client):
    entity = {"entity": "order_ref", "value": "261 148 273 5", "extractor": "RegexEntityExtractor"}
    http.add(responses.POST, PARSE, json=rasa_answer(entities=[entity]))

    understanding = client.parse("fin wsl talab 261 148 273 5")

    assert understanding == Understanding(
        intent="track",
        confidence=0.93,
        entities={"order_ref": "261 148 273 5"},
        ranking=(("track", 0.93), ("order", pytest.approx(0.07))),
    )
    assert json.loads(http.calls[0].request.body) == {"text": "fin wsl talab 261 148 273 5"}


def test_an_exact_pattern_match_wins_over_the_models_guess_for_the_same_entity(http, client):
    guessed = {"entity": "pin", "value": "1234567890", "extractor": "DIETClassifier"}
    matched = {"entity": "pin", "value": "123456789012345", "extractor": "RegexEntityExtractor"}
    http.add(responses.POST, PARSE, json=rasa_answer("pay_card", entities=[guessed, matched]))

    assert client.parse(PIN_MESSAGE).entities == {"pin": "123456789012345"}


def test_the_first_value_of_an_entity_is_kept_when_no_pattern_matched(http, client):
    first = {"entity": "language", "value": "en", "extractor": "DIETClassifier"}
    second = {"entity": "language", "value": "fr", "extractor": "DIETClassifier"}
    http.add(responses.POST, PARSE, json=rasa_answer("change_language", entities=[first, second]))

    assert client.parse("english please, not french").entities == {"language": "en"}


def test_a_long_text_is_cut_to_500_characters_before_sending(http, client):
    http.add(responses.POST, PARSE, json=rasa_answer())

    client.parse("a" * 600 + "b")

    assert json.loads(http.calls[0].request.body)["text"] == "a" * 500


def test_a_blank_text_is_not_sent(http, client):
    assert client.parse("   ") is None
    assert len(http.calls) == 0


def test_an_answer_without_an_intent_is_none_but_not_a_failure(http, client):
    http.add(responses.POST, PARSE, json={"intent": {"name": None, "confidence": 0.0}, "entities": []})
    for _ in range(4):
        assert client.parse("???") is None
    assert len(http.calls) == 4  # the breaker stayed closed


@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": requests.exceptions.ConnectionError("refused")},
        {"status": 500, "json": {"error": "boom"}},
        {"status": 200, "body": "<html>not json</html>"},
        {"status": 200, "json": {"intent": "track"}},
        {"status": 200, "json": [1, 2, 3]},
        {"status": 200, "json": {"intent": {"name": "track", "confidence": "high"}}},
    ],
    ids=["timeout", "connection-refused", "http-500", "garbage-body", "intent-not-object",
         "json-list", "confidence-not-number"],
)
def test_every_kind_of_failure_returns_none(http, client, failure):
    http.add(responses.POST, PARSE, **failure)

    assert client.parse("bghit n9ad talab") is None


def test_the_timeout_is_passed_to_the_request(http, client, monkeypatch):
    seen = {}
    real_post = requests.post

    def spying_post(*args, **kwargs):
        seen.update(kwargs)
        return real_post(*args, **kwargs)

    monkeypatch.setattr("dialog.nlu_client.requests.post", spying_post)
    http.add(responses.POST, PARSE, json=rasa_answer())

    client.parse("salam")

    assert seen["timeout"] == 0.8


def test_a_failure_is_logged_without_the_text(http, client, caplog):
    http.add(responses.POST, PARSE, status=500)

    with caplog.at_level(logging.WARNING, logger="dialog.nlu_client"):
        client.parse(PIN_MESSAGE)

    assert "HTTP 500" in caplog.text
    assert "123456789012345" not in caplog.text
    assert "2611482735" not in caplog.text


def test_the_breaker_opens_after_three_failures_and_makes_no_call(http, client):
    fail_three_times(http, client)

    assert client.parse("fin wsl talab") is None
    assert len(http.calls) == 3


def test_the_breaker_stays_open_until_the_cooldown_has_passed(http, client, clock):
    fail_three_times(http, client)
    clock.now += 29.9

    client.parse("fin wsl talab")

    assert len(http.calls) == 3


def test_after_the_cooldown_one_trial_call_goes_out_and_success_closes_the_breaker(http, client, clock):
    fail_three_times(http, client)
    http.replace(responses.POST, PARSE, json=rasa_answer())
    clock.now += 30

    assert client.parse("fin wsl talab").intent == "track"
    assert client.parse("fin wsl talab").intent == "track"
    assert len(http.calls) == 5


def test_a_failed_trial_call_opens_the_breaker_again_for_a_full_cooldown(http, client, clock):
    fail_three_times(http, client)
    clock.now += 30

    assert client.parse("fin wsl talab") is None  # the trial, failing
    clock.now += 29
    assert client.parse("fin wsl talab") is None  # no call

    assert len(http.calls) == 4


def test_successes_reset_the_count_of_consecutive_failures(http, client):
    failing = http.add(responses.POST, PARSE, status=500)
    client.parse("a")
    client.parse("b")
    http.remove(failing)
    http.add(responses.POST, PARSE, json=rasa_answer())
    client.parse("c")
    http.replace(responses.POST, PARSE, status=500)
    client.parse("d")
    client.parse("e")

    client.parse("f")  # third failure in a row only now

    assert len(http.calls) == 6
