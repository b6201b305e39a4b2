"""Free text understood end to end with no Rasa server (the embedded default): an SMS asking for a birth extract
starts the order flow, one asking after an order tracks it, one about another paper gets what the service does and
the offer of a person. With SHUBBAK_NLU_URL set, Rasa answers, and the embedded classifier when Rasa is down."""
from dataclasses import replace

import pytest
import requests

import bootstrap
from app import create_app
from dialog.nlu import calibration
from bootstrap import understanding_of
from tests.dialog.conftest import SmsPhone

from .conftest import escalations
from .test_understanding import PARSE, RASA, rasa_answer

ARABIC_PHONE = "+212698765432"


def say(services, lang, key, **values):
    return services.catalogs.text(lang, key, **values)


@pytest.fixture
def embedded(services):
    """The services wired as bootstrap.build wires them with no SHUBBAK_NLU_URL: the embedded classifier."""
    return bootstrap.wire(services, understand=understanding_of(services.settings))


@pytest.fixture
def sms(embedded):
    return SmsPhone(create_app({"services": embedded}).test_client(), embedded, "+212612345678")


def test_an_sms_asking_for_a_birth_extract_starts_the_order_flow_at_the_copies(services, sms):
    reply = sms.send("Je voudrais commander un extrait d'acte de naissance")

    assert say(services, "fr", "dialog.order.copies_extract") in reply


def test_an_sms_asking_after_an_order_gets_the_tracking_question(services, sms):
    assert say(services, "fr", "dialog.track.how") in sms.send("ou en est ma demande ?")


def test_an_sms_about_a_passport_gets_what_the_service_does_and_a_person_on_request(services, sms):
    reply = sms.send("bghit passport")

    assert reply.split("\n") == [say(services, "fr", "nlu.out_of_scope"),
                                 "1 " + say(services, "fr", "understanding.yes_human"),
                                 "2 " + say(services, "fr", "understanding.no_menu")]
    assert say(services, "fr", "dialog.human.opened_sms") in sms.send("1")  # asked by SMS: answered by SMS
    [escalation] = escalations(services)
    assert escalation.channel == "sms"


def test_the_out_of_scope_answer_is_in_the_language_of_the_message(embedded, services):
    arabic = SmsPhone(create_app({"services": services}).test_client(), services, ARABIC_PHONE)

    assert say(services, "ar", "nlu.out_of_scope") in arabic.send("أرغب في تجديد جواز السفر")


def test_after_the_out_of_scope_answer_the_menu_is_one_reply_away(services, sms):
    sms.send("i want to pay my electricity bill")

    assert say(services, "en", "dialog.menu.order") in sms.send("2")


def test_rasa_answers_when_its_url_is_set(services, sms, guarded):
    bootstrap.wire(services, understand=understanding_of(replace(services.settings, nlu_url=RASA)))
    guarded.add("POST", PARSE, json=rasa_answer("complain", 0.97))

    assert say(services, "fr", "dialog.complain.category") in sms.send("ou en est ma demande ?")


def test_with_rasa_down_the_embedded_classifier_answers(services, sms, guarded):
    bootstrap.wire(services, understand=understanding_of(replace(services.settings, nlu_url=RASA)))
    guarded.add("POST", PARSE, body=requests.ConnectionError("connection refused"))

    assert say(services, "fr", "dialog.order.copies_extract") in sms.send(
        "Je voudrais commander un extrait d'acte de naissance")
    assert [call.request.url for call in guarded.calls] == [PARSE]


def test_the_composition_root_wires_the_embedded_nlu_by_default_and_rasa_when_an_url_is_set(settings):
    plain = bootstrap.build(settings)
    wired = bootstrap.build(replace(settings, nlu_url=RASA))
    for built in (plain, wired):
        assert "understanding" in built.dialog.flows
        assert built.dialog.understand is built.understand is not None
        assert "pay" in built.dialog.flows  # the payments' flow kept beside it
        built.engine.dispose()


def test_every_intent_that_opens_a_flow_is_counted_as_one_by_the_evaluation():
    from dialog.understanding import INTENTS

    assert set(INTENTS) == calibration.FLOW_INTENTS
