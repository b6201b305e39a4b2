"""Whole WhatsApp conversations on keywords and menus: the diaspora's order abroad, tracking to the barcode, the same
citizen across channels, files kept with complaints, the language guessed from the number and changeable."""
import pytest
from sqlalchemy import select

from app import create_app
from channels.whatsapp import BODY_LIMIT, pieces, render
from channels.message import Reply
from dialog.orm import contacts
from orders_core.references import format_reference
from orders_core.services import (
    advance_order, create_user, dispatch_order, place_order, record_payment, take_order,
)
from payments_sms.money import mad
from tests.dialog.conftest import SmsPhone, UssdPhone
from web.demo import draft

from .conftest import WhatsAppPhone, complaints, orders

FRANCE = "whatsapp:+33612345678"
MOROCCO = "whatsapp:+212612345678"


def say(services, lang: str, key: str, **values) -> str:
    return services.catalogs.text(lang, key, **values)


def test_a_citizen_in_france_orders_with_delivery_abroad_answering_numbers(client, services, guarded):
    phone = WhatsAppPhone(client, services, FRANCE)
    assert "COMMANDE" in phone.send("Bonjour")  # French from +33: no language question first
    assert "*3* Une copie intégrale" in phone.send("COMMANDE")  # numbered as on USSD, accents kept
    phone.send("2")
    assert "*1* Rabat-Agdal-Riyad" in phone.send("rabat")
    for answer in ("1", "1234 1990", "El Alami, Salma", "1"):
        phone.send(answer)
    assert "*2* A l'étranger" not in phone.send("2")  # abroad chosen: the country is asked
    assert "Pays non reconnu" in phone.send("Atlantide")
    phone.send("France")
    settings = services.settings
    summary = phone.send("Paris, 12 rue de la Paix")
    assert f"envoi {mad(settings.postage_abroad, 'fr')}" in summary and "Paris (FR)" in summary
    placed = phone.send("1")
    [order] = orders(services)
    assert format_reference(order.reference) in placed
    assert (order.delivery_zone, order.delivery_country, order.channel) == ("abroad", "FR", "whatsapp")
    assert order.total == settings.fee_base + 2 * settings.fee_extract + settings.postage_abroad
    assert (order.requester_contact, order.requester_phone, order.language) == ("+33612345678",) * 2 + ("fr",)


@pytest.mark.parametrize(("address", "text", "lang"), [
    ("whatsapp:+447400123456", "2611482735", "en"),
    ("whatsapp:+12025550123", "2611482735", "en"),
    ("whatsapp:+15145550123", "2611482735", "fr"),  # Canada: its Moroccans live mostly in Quebec
    ("whatsapp:+966501234567", "2611482735", "ar"),
    ("whatsapp:+32470123456", "2611482735", "fr"),
    ("whatsapp:+212612345678", "2611482735", "fr"),  # Morocco: no guess, French for digits
    ("whatsapp:+212612345678", "السلام عليكم", "ar"),  # ... and the first message's script decides
    ("whatsapp:+33612345678", "hello, where is my order?", "en"),  # words beat the country code
])
def test_the_first_language_is_guessed_from_the_number_or_the_words(client, services, guarded, address, text, lang):
    reply = WhatsAppPhone(client, services, address).send(text)
    expected = "common.check_number" if text.isdigit() else "dialog.help.sms"  # a wrong check digit
    assert say(services, lang, expected) in reply


def test_the_guessed_language_can_be_changed(client, services, guarded):
    phone = WhatsAppPhone(client, services, "whatsapp:+447400123456")
    assert say(services, "en", "dialog.help.sms") in phone.send("hi")
    assert "*2* العربية" in phone.send("LANGUAGE")
    assert say(services, "ar", "dialog.language.saved") in phone.send("2")
    assert say(services, "ar", "dialog.help.sms") in phone.send("help")


def test_tracking_says_the_envelope_was_dispatched_and_gives_its_barcode(client, services, guarded):
    order = place_order(services.uow(), services.settings.prices, draft(phone="+33612345678"))
    record_payment(services.uow(), order.reference, order.total, "card", "c1")
    agent = create_user(services.uow(), "agent1", "Agent", "x", "agent", office_code="42101").as_actor()
    take_order(services.uow(), order.id, agent)
    advance_order(services.uow(), order.id, "ready", agent)
    dispatch_order(services.uow(), order.id, "RR123456785MA", agent)
    reply = WhatsAppPhone(client, services, FRANCE).send(f"suivi {format_reference(order.reference)}")
    assert "envoyée en recommandé" in reply and say(services, "fr", "dialog.track.barcode",
                                                     barcode="RR123456785MA") in reply


def test_the_same_citizen_is_recognised_on_sms_ussd_and_whatsapp(services, guarded):
    client = create_app({"services": services}).test_client()  # AT's keys unset: the phones below post bare
    sms = SmsPhone(client, services, "+212612345678")
    sms.send("LANGUE")
    sms.send("3")  # English, chosen by SMS
    order = place_order(services.uow(), services.settings.prices, draft(phone="+212612345678"))
    phone = WhatsAppPhone(client, services, MOROCCO)
    assert say(services, "en", "dialog.track.how") in phone.send("STATUS")
    assert format_reference(order.reference) in phone.send("2")  # the order placed from the phone number
    ussd = UssdPhone(client, "+212612345678")
    ussd.dial()
    assert say(services, "en", "dialog.menu.order") in ussd.screens[-1]  # one contact for the three channels
    with services.uow() as uow:
        assert uow.session.execute(select(contacts.c.contact)).scalars().all() == ["+212612345678"]


def test_a_contact_without_a_phone_number_is_linked_once_one_is_known(client, services, guarded):
    hidden = WhatsAppPhone(client, services, "whatsapp:MA.1349120865", ExternalUserId="MA.1349120865")
    assert say(services, "fr", "dialog.track.none") in hidden.send("SUIVI", ) + hidden.send("2")
    order = place_order(services.uow(), services.settings.prices, draft(phone="+212612345678"))
    known = WhatsAppPhone(client, services, MOROCCO, ExternalUserId="MA.1349120865")
    known.send("SUIVI")
    assert format_reference(order.reference) in known.send("2")
    hidden.send("SUIVI")
    assert format_reference(order.reference) in hidden.send("2")  # the id alone now finds the phone's orders
    with services.uow() as uow:
        rows = uow.session.execute(select(contacts.c.contact, contacts.c.phone, contacts.c.external_user_id)).all()
    assert [tuple(row) for row in rows] == [("whatsapp:ext:MA.1349120865", "+212612345678", "MA.1349120865")]


PHOTO = ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/jpeg")
PDF = ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM2/Media/ME2", "application/pdf")


def _to_the_text_step(phone) -> None:
    phone.send("RECLAMATION")
    phone.send("1")  # a late order, no order of mine


def test_a_photo_sent_with_the_complaint_text_is_recorded_on_the_complaint(client, services, guarded):
    phone = WhatsAppPhone(client, services, FRANCE)
    _to_the_text_step(phone)
    filed = phone.send("L'acte reçu est déchiré", media=(PHOTO,))
    [complaint] = complaints(services)
    assert format_reference(complaint.reference) in filed
    assert complaint.attachments == [{"url": PHOTO[0], "type": "image/jpeg"}]
    assert complaint.channel == "whatsapp" and complaint.text == "L'acte reçu est déchiré"


def test_a_file_sent_first_waits_for_the_complaint_and_one_sent_after_joins_it(client, services, guarded):
    phone = WhatsAppPhone(client, services, FRANCE)
    assert say(services, "fr", "whatsapp.media.kept") == phone.send("", media=(PDF,))
    _to_the_text_step(phone)
    assert "Décrivez" in phone.send("", media=(PHOTO,))  # a file is no description: asked again, file kept
    phone.send("Rien reçu depuis un mois")
    [complaint] = complaints(services)
    assert [a["type"] for a in complaint.attachments] == ["application/pdf", "image/jpeg"]
    later = phone.send("", media=(("https://api.twilio.com/m/ME3", "image/png"),))
    assert later == say(services, "fr", "whatsapp.media.attached", ref=format_reference(complaint.reference))
    [complaint] = complaints(services)
    assert [a["type"] for a in complaint.attachments] == ["application/pdf", "image/jpeg", "image/png"]


def test_a_long_reply_goes_as_several_whatsapp_messages_without_losing_a_line():
    reply = Reply("x" * 1700, options=tuple(f"option {n} " + "y" * 90 for n in range(1, 6)))
    messages = pieces(render(reply))
    assert len(messages) == 2 and all(len(m) <= BODY_LIMIT for m in messages)
    assert "".join(messages[:2]).split("\n") == ["x" * 1700] + [f"*{n}* option {n} " + "y" * 90 for n in range(1, 6)]


def test_a_long_reply_is_sent_in_order_as_several_messages(client, services, guarded, monkeypatch):
    monkeypatch.setattr("conversations.whatsapp.whatsapp.render", lambda reply: "\n".join(["a" * 1000, "b" * 1000, "c"]))
    assert WhatsAppPhone(client, services, FRANCE).send("AIDE") == "\n".join(["a" * 1000, "b" * 1000 + "\nc"])
