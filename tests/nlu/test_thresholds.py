"""Each model's own threshold decides whether its intent opens a flow; out-of-scope, when sure, gets its answer;
the fallback model answers only when the first one cannot."""
from __future__ import annotations

from dialog.nlu_client import Understanding
from dialog.understanding import FLOW, command_for, understand_with


def parse_as(intent: str, confidence: float, *ranking):
    calls = []

    def parse(text: str):
        calls.append(text)
        return Understanding(intent, confidence, {}, tuple(ranking) or ((intent, confidence),))
    parse.calls = calls
    return parse


def test_a_model_sure_by_its_own_threshold_opens_the_flow():
    understood = understand_with(parse_as("track", 0.35), accept_at=0.30)("ou en est ma demande")

    assert (command_for(understood).flow, command_for(understood).entry) == ("track", "start")


def test_the_same_confidence_under_a_higher_threshold_asks_which_was_meant():
    understood = understand_with(parse_as("track", 0.35), accept_at=0.60)("ou en est ma demande")

    assert (command_for(understood).flow, command_for(understood).entry) == (FLOW, "clarify")


def test_a_sure_out_of_scope_message_gets_the_answer_of_what_the_service_does():
    understood = understand_with(parse_as("out_of_scope", 0.9), accept_at=0.6)("bghit passport")

    assert (command_for(understood).flow, command_for(understood).entry) == (FLOW, "out_of_scope")


def test_an_unsure_out_of_scope_guess_is_never_offered_as_a_choice():
    unsure = parse_as("out_of_scope", 0.4, ("out_of_scope", 0.4), ("order", 0.3), ("track", 0.2))
    command = command_for(understand_with(unsure, accept_at=0.6)("papier"))

    assert (command.flow, command.entry, command.argument) == (FLOW, "clarify", "order track")


def test_the_fallback_answers_only_when_the_first_model_cannot():
    fallback = parse_as("order", 0.9)
    down = understand_with(lambda text: None, accept_at=0.95, fallback=understand_with(fallback, accept_at=0.3))
    up = understand_with(parse_as("track", 0.99), accept_at=0.95, fallback=understand_with(fallback, accept_at=0.3))

    assert (down("un extrait").name, down("un extrait").accept_at) == ("order", 0.3)
    assert up("ma demande").name == "track" and fallback.calls == ["un extrait", "un extrait"]


def test_with_no_model_answering_the_text_is_unheard():
    understood = understand_with(lambda text: None)("bonjour")

    assert understood.reached is False and command_for(understood).entry == "unheard"
