"""Free text through the NLU client, Rasa stubbed at HTTP in its parse shape: sure -> the flow; unsure -> a
clarifying question with the likely options; unreachable -> "not understood" and the menu; two misses in a row ->
the offer of a person. SMS free text goes through the same understanding; USSD never asks."""
import json
from dataclasses import replace

import pytest
import requests
import responses

import bootstrap
from app import create_app
from dialog.nlu_client import NluClient
from dialog.understanding import understand_with
from orders_core.references import format_reference
from orders_core.services import place_order
from tests.dialog.conftest import SmsPhone, UssdPhone
from web.demo import draft

from .conftest import WhatsAppPhone, escalations

RASA = "http://rasa.test:5005"
PARSE = RASA + "/model/parse"


def rasa_answer(intent: str, confidence: float, ranking=(), **entities) -> dict:
    """Rasa's answer to POST /model/parse."""
    return {"text": "...", "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": name, "value": value, "start": 0, "end": len(value), "confidence_entity": 0.99,
                          "extractor": "DIETClassifier"} for name, value in entities.items()],
            "intent_ranking": [{"name": name, "confidence": c} for name, c in (ranking or [(intent, confidence)])]}


@pytest.fixture
def rasa(services, guarded, nlu):
    """The NLU wired to a Rasa stubbed at HTTP; `rasa.says(...)` queues its next answers."""
    nlu(understand_with(NluClient(RASA, timeout=0.5, failure_threshold=3, cooldown=30).parse))

    class Rasa:
        def says(self, intent, confidence=0.97, ranking=(), **entities):
            guarded.add(responses.POST, PARSE, json=rasa_answer(intent, confidence, ranking, **entities))

        def is_down(self):
            guarded.add(responses.POST, PARSE, body=requests.ConnectionError("connection refused"))

        @property
        def asked(self) -> list[str]:
            bodies = [call.request.body for call in guarded.calls if call.request.url == PARSE]
            return [json.loads(body)["text"] for body in bodies]
    return Rasa()


def say(services, lang, key, **values):
    return services.catalogs.text(lang, key, **values)


def test_a_sure_model_opens_the_flow_with_the_reference_it_found(client, services, phone, rasa):
    order = place_order(services.uow(), services.settings.prices, draft(phone="+212612345678"))
    rasa.says("track", 0.98, order_ref=format_reference(order.reference))
    reply = phone.send(f"slt, fin wsl talab dyali {format_reference(order.reference)} 3afak")
    assert format_reference(order.reference) in reply and "attente de paiement" in reply


def test_an_order_naming_its_document_and_copies_starts_at_the_birth_place(client, services, phone, rasa):
    rasa.says("order", 0.99, doc_type="extract", copies="2")
    assert say(services, "fr", "dialog.order.office") in phone.send("je voudrais 2 extraits de naissance svp")
    phone.send("rabat")
    for answer in ("1", "1234 1990", "El Alami, Salma", "1"):
        phone.send(answer)
    assert "Extrait x2" in phone.send("Rabat, 12 avenue Mohammed V, Agdal")


def test_an_unsure_model_gets_a_clarifying_question_with_the_likely_options(client, services, phone, rasa):
    rasa.says("track", 0.45, [("track", 0.45), ("complain", 0.35), ("pay_card", 0.12), ("greet", 0.05)])
    reply = phone.send("mon papier il est pas la")
    assert reply.split("\n") == [say(services, "fr", "understanding.clarify"), "*1* Suivre une demande",
                                 "*2* Réclamation", "*3* Payer", "*4* " + say(services, "fr", "understanding.menu")]
    assert say(services, "fr", "dialog.complain.category") in phone.send("2")


def test_with_rasa_down_the_bot_says_it_did_not_understand_and_the_menu_works(client, services, phone, rasa):
    rasa.is_down()
    reply = phone.send("je ne trouve pas mon extrait")
    assert reply.startswith(say(services, "fr", "understanding.not_understood")) and "*3* Suivre une demande" in reply
    assert say(services, "fr", "dialog.track.how") in phone.send("3")
    assert "Quel document" in phone.send("COMMANDE")  # keywords work as ever


def test_two_misunderstandings_in_a_row_offer_a_person(client, services, phone, rasa):
    rasa.says("affirm", 0.8, [("affirm", 0.8), ("help", 0.03)])
    assert say(services, "fr", "understanding.not_understood") in phone.send("wesh")
    rasa.says("track", 0.3, [("track", 0.3), ("order", 0.3)])
    offer = phone.send("la chose de la dernière fois")
    assert offer.split("\n") == [say(services, "fr", "understanding.offer_human"),
                                 "*1* " + say(services, "fr", "understanding.yes_human"),
                                 "*2* " + say(services, "fr", "understanding.no_menu")]
    assert say(services, "fr", "dialog.human.opened") in phone.send("1")
    [escalation] = escalations(services)
    assert (escalation.contact, escalation.channel, escalation.reason) == ("+212612345678", "whatsapp",
                                                                          "asked_for_human")


def test_after_a_miss_a_message_understood_goes_where_it_says(client, services, phone, rasa):
    rasa.is_down()
    phone.send("???")
    rasa.says("complain", 0.95)
    assert say(services, "fr", "dialog.complain.category") in phone.send("je veux me plaindre")


def test_a_failing_server_is_not_asked_again_for_a_while_and_the_bot_still_answers(client, services, phone, rasa):
    rasa.is_down()
    for text in ("un", "deux", "trois", "quatre", "cinq"):
        assert phone.send(f"message {text}")  # an answer every time, never an error
    assert len(rasa.asked) == 3  # the circuit breaker opened after three failures


def test_a_language_named_in_free_text_is_taken_at_once(client, services, phone, rasa):
    rasa.says("change_language", 0.96, language="ar")
    assert say(services, "ar", "dialog.language.saved") in phone.send("parlez moi en arabe")


def test_sms_free_text_goes_through_the_same_understanding(services, rasa):
    sms = SmsPhone(create_app({"services": services}).test_client(), services, "+212612345678")
    rasa.says("track", 0.45, [("track", 0.45), ("complain", 0.35)])
    reply = sms.send("ma demande svp")
    assert reply.split("\n") == [say(services, "fr", "understanding.clarify"), "1 Suivre une demande",
                                 "2 Réclamation", "3 Autre chose (menu)"]  # SMS: plain numbers
    assert rasa.asked == ["ma demande svp"]


def test_ussd_never_asks_the_nlu(services, rasa):
    ussd = UssdPhone(create_app({"services": services}).test_client(), "+212612345678")
    ussd.dial()
    ussd.press("1", "bonjour je veux un extrait", "1", "1", "2", "rabat")
    assert "Rabat-Agdal-Riyad" in ussd.screens[-1] and rasa.asked == []
