"""Whole WhatsApp conversations against a REAL Rasa server trained on the repository's data (fixture `rasa_url`,
skipped with its reason where Python 3.10 is missing): French, Arabic, English and Latin-script Darija, each
ordering, tracking, complaining and asking for a person in its own words. Then Rasa stopped: keywords and menus."""
from dataclasses import dataclass

import pytest

from dialog.nlu import calibration
from dialog.nlu_client import NluClient
from dialog.understanding import understand_with
from orders_core.references import format_reference
from tests.rasa_server import free_port

from .conftest import WhatsAppPhone, complaints, escalations, orders


@dataclass(frozen=True)
class Citizen:
    """One citizen's words, in their language, for each thing they come to do."""

    lang: str
    address: str
    order: str  # names the document (and the number of copies, or `copies` answers the question)
    birth_place: tuple  # the office search and the pick
    record: tuple  # act and year, the names, relation (the merged screens)
    delivery: tuple  # the address in Morocco, or 2 (abroad), the country, the address
    track: str  # "{ref}" is the order's reference
    complain: str
    complaint: str
    human: str
    documents: dict
    copies: str | None = None


CITIZENS = [
    Citizen("fr", "whatsapp:+33612345678", "je voudrais commander 2 extraits d'acte de naissance", ("rabat", "1"),
            ("1234 1990", "El Alami, Salma", "1"), ("2", "France", "Paris, 12 rue de la Paix"),
            "où en est ma demande {ref} ?", "je veux faire une réclamation", "Toujours rien reçu.",
            "je veux parler à un conseiller", {"extract": 2}),
    Citizen("ar", "whatsapp:+966501234567", "من فضلك بغيت نسخة موجزة من رسم الولادة", ("الرباط", "1"),
            ("4321 1410", "العلمي، سلمى", "1"), ("الرباط، زنقة 5 حي أكدال",),
            "أين وصل طلبي {ref}", "أريد تقديم شكاية بخصوص طلبي", "لم أتوصل بشيء.", "أريد التحدث مع موظف من فضلكم",
            {"extract": 1}, copies="1"),
    Citizen("en", "whatsapp:+447400123456", "I need 2 full copies of my birth certificate", ("casablanca", "1"),
            ("77 1985", "Bennani, Youssef", "1"), ("2", "UK", "London, 10 Baker Street"),
            "where is my order {ref}?", "I want to make a complaint about my order", "Nothing arrived yet.",
            "can I talk to a real person please", {"full_copy": 2}),
    Citizen("fr", "whatsapp:+212661234567", "3afak bghit 2 nosakh mojazin", ("fes", "1"),
            ("98 2001", "Tazi, Amine", "1"), ("Fes, Derb 12, Talaa Kbira",),
            "wach t9dr tgoul liya fin wslat talab {ref}", "kayn mochkil f talab dyali", "ma wslni walo",
            "3afak bghit nhder m3a chi bnadem", {"extract": 2}),
]


@pytest.fixture
def real_nlu(rasa_url, services, guarded, nlu):
    guarded.add_passthru(rasa_url)  # the real server, on loopback; every other HTTP call stays refused
    nlu(understand_with(NluClient(rasa_url, timeout=5, failure_threshold=1000).parse, calibration.RASA_ACCEPT))


def say(services, lang, key, **values):
    return services.catalogs.text(lang, key, **values)


def _order(phone, services, citizen: Citizen) -> str:
    asked = phone.send(citizen.order)  # the document understood: its question is skipped
    if citizen.copies:
        assert say(services, citizen.lang, "dialog.order.copies_extract") in asked
        asked = phone.send(citizen.copies)
    assert say(services, citizen.lang, "dialog.order.office") in asked
    for answer in (*citizen.birth_place, *citizen.record, *citizen.delivery):
        phone.send(answer)
    return phone.send("1")


def _complain(phone, services, citizen: Citizen) -> str:
    asked = phone.send(citizen.complain)
    if say(services, citizen.lang, "understanding.clarify") in asked:  # the model unsure: the citizen picks
        asked = phone.send("1")
    assert say(services, citizen.lang, "dialog.complain.order") in asked
    phone.send("1")  # about the order just placed
    phone.send("1")  # late
    return phone.send(citizen.complaint)


@pytest.mark.rasa
@pytest.mark.parametrize("citizen", CITIZENS, ids=["french", "arabic", "english", "darija"])
def test_a_whole_whatsapp_conversation_in_the_citizens_own_words(client, services, real_nlu, citizen: Citizen):
    phone = WhatsAppPhone(client, services, citizen.address)
    placed = _order(phone, services, citizen)
    [order] = orders(services)
    assert format_reference(order.reference) in placed and order.language == citizen.lang
    assert {line.document: line.copies for line in order.lines} == citizen.documents
    tracked = phone.send(citizen.track.format(ref=format_reference(order.reference)))
    assert say(services, citizen.lang, "dialog.track.awaiting_payment", ref=format_reference(order.reference),
               date="23/11/2026") in tracked
    filed = _complain(phone, services, citizen)
    [complaint] = complaints(services)
    assert format_reference(complaint.reference) in filed and complaint.order_id == order.id
    assert say(services, citizen.lang, "dialog.human.opened") in phone.send(citizen.human)
    [escalation] = escalations(services)
    assert (escalation.channel, escalation.language) == ("whatsapp", citizen.lang)


def test_with_rasa_stopped_the_conversation_goes_on_keywords_and_menus(client, services, guarded, nlu):
    stopped = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connections are refused
    guarded.add_passthru(stopped)
    nlu(understand_with(NluClient(stopped, timeout=0.5).parse))
    phone = WhatsAppPhone(client, services, "whatsapp:+33612345678")
    lost = phone.send("bonsoir, il me faut un papier pour mon fils")
    assert lost.startswith(say(services, "fr", "understanding.not_understood"))
    assert "Quel document" in phone.send("1")  # the menu's first choice: ordering
    for answer in ("1", "rabat", "1", "1234 1990", "El Alami, Salma", "2", "2", "BE", "Bruxelles, Rue Haute 5"):
        phone.send(answer)
    assert "Demande" in phone.send("1")
    [order] = orders(services)
    assert format_reference(order.reference) in phone.send(f"SUIVI {order.reference}")
    phone.send("RECLAMATION")
    phone.send("1")
    phone.send("1")
    filed = phone.send("Pas encore reçu")
    assert format_reference(complaints(services)[0].reference) in filed
    assert say(services, "fr", "dialog.human.opened") in phone.send("AGENT")
