"""A citizen's whole journey through the webhooks only, in Arabic, French and English.

A first USSD order -> a prepaid card typed as the end screen prints it -> the rest by premium SMS typed as printed
-> tracking on WhatsApp -> an agent's stages in the staff view -> every notification on its channel -> a complaint
-> asking for a person, with USSD and SMS still working while waiting -> the person's answer, by SMS as asked.
"""
from __future__ import annotations

import bootstrap

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from dialog.keywords import PRINTED
from notifications import Notification
from orders_core.model import Complaint, Escalation
from orders_core.references import format_reference
from orders_core.services import create_user
from payments_sms import activate_cards, generate_batch
from payments_sms.africastalking import AfricasTalkingPremium
from tests.dialog.conftest import orders
from tests.notifications.conftest import deliver
from tests.payments_sms.conftest import AfricasTalkingStub
from tests.staff.conftest import StaffClient

from .conftest import Sms, Ussd, WhatsApp, guarded, number, post, _Endpoint

__all__ = ["guarded"]

LANGUAGE_KEY = {"fr": "1", "ar": "2", "en": "3"}
YES = {"fr": "OUI", "en": "YES", "ar": "نعم"}
FIRST_ORDER = ("1", "1", "rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal")
REPORTS = _Endpoint("/webhooks/africastalking/sms/delivery", "key")
PASSWORD = "a long staff password"
BARCODE = "RR123456785MA"


def whole(ussd: Ussd, screen: str, more: str) -> str:
    """A USSD answer with every page of it (98 until the last)."""
    pages = [screen]
    while pages[-1].startswith("CON ") and pages[-1].rstrip().endswith(f"98 {more}"):
        pages.append(ussd.press("98"))
    return "\n".join(page[4:] for page in pages)


def printed(text: str, action: str, lang: str) -> str:
    """The command of `action` as `text` prints it, with its reference (bidi marks and all), as a citizen copies it."""
    found = re.search(rf"{re.escape(PRINTED[action][lang])} \u2066?\d{{3}} \d{{3}} \d{{3}} \d\u2069?", text)
    assert found, (action, text)
    return found.group(0)


@pytest.fixture(autouse=True)
def light_hashes_are_kept(monkeypatch):
    monkeypatch.setattr("staff.auth.needs_rehash", lambda password_hash: False)


def staff(client, services, username: str, role: str, office: str | None) -> StaffClient:
    create_user(services.uow(), username, username.title(), PasswordHasher(time_cost=1, memory_cost=1024,
                parallelism=1).hash(PASSWORD), role, office_code=office, province_code=None, phone=None)
    desk = StaffClient(client.application.test_client())
    assert desk.login(username, PASSWORD).status_code == 302
    return desk


def notifications(services, contact: str) -> list[Notification]:
    with services.uow() as uow:
        found = uow.all(select(Notification).order_by(Notification.id))
        return [n for n in found if contact in (n.contact, n.recipient)]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_citizens_whole_journey(lang, client, services, guarded):
    bootstrap.wire(services, premium_biller=AfricasTalkingPremium("shubbak", "at-api-key-for-tests"))
    premium = AfricasTalkingStub(guarded)
    phone = number()
    ussd, sms, whatsapp = Ussd(client, phone), Sms(client, services, phone), WhatsApp(client, services, phone)
    more = services.catalogs.text(lang, "dialog.nav.more")

    # A first order over USSD; the end screen prints how to pay.
    ussd.dial()
    ussd.press(LANGUAGE_KEY[lang], *FIRST_ORDER)
    end_screen = whole(ussd, ussd.press("1"), more)
    [order] = orders(services)
    ref = format_reference(order.reference)
    assert ref in end_screen and order.amount_due == 2000 and order.language == lang
    deliver(services)  # the periodic tick: the order's notice, by SMS (the citizen never wrote on WhatsApp yet)

    # Half by a 10 MAD prepaid card, typed as printed (the reference as shown, then the PIN).
    cards = []
    batch = generate_batch(services.uow(), services.settings.card_pin_secret, 1000, 1, "finance", 730, cards.extend)
    activate_cards(services.uow(), batch_id=batch.batch_id)
    paid = sms.send(f"{printed(end_screen, 'card', lang)} {cards[0].pin}")
    assert orders(services)[0].amount_due == 1000, paid

    # The rest by premium SMS, typed as printed, confirmed, billed, reported.
    quote = sms.send(printed(end_screen, "pay", lang))
    assert premium.forms == [] and quote
    sms.send(YES[lang])
    assert len(premium.forms) == 1
    assert post(client, REPORTS, {"id": "ATPid_1", "status": "Success", "phoneNumber": phone, "networkCode": "60400",
                                  "failureReason": "", "retryCount": "0"}).status_code == 200
    services.drain()
    assert orders(services)[0].status == "received"

    # Tracking on WhatsApp, with the reference as printed.
    tracked = whatsapp.send(f"{PRINTED['track'][lang]} {ref}")
    assert ref in tracked.replace("\u2066", "").replace("\u2069", "")

    # An agent's stages in the staff view.
    agent = staff(client, services, f"agent-{lang}", "agent", order.office_code)
    agent.post(f"/staff/orders/{order.id}/take")
    agent.post(f"/staff/orders/{order.id}/advance", {"target": "ready"})
    agent.post(f"/staff/orders/{order.id}/dispatch", {"barcode": BARCODE})
    assert orders(services)[0].status == "dispatched"
    deliver(services)

    # Every notification went out, on its channel: SMS until the citizen wrote on WhatsApp, WhatsApp after.
    sent = notifications(services, phone)
    assert sent and all(n.status in ("sent", "delivered") for n in sent), [(n.kind, n.status) for n in sent]
    by_kind = {n.kind: n for n in sent}
    assert by_kind["order_placed"].channel == "sms" and by_kind["order_dispatched"].channel == "whatsapp"
    assert BARCODE in by_kind["order_dispatched"].text

    # A complaint about the order, by SMS.
    sms.send(PRINTED["complain"][lang])
    sms.send("1")
    sms.send("1")
    filed = sms.send("Toujours rien reçu / still nothing / لم يصل شيء")
    with services.uow() as uow:
        [complaint] = uow.all(select(Complaint))
    assert format_reference(complaint.reference) in filed.replace("\u2066", "").replace("\u2069", "")

    # Asking for a person: USSD and SMS keep working while waiting; free text goes to the person.
    assert sms.send(PRINTED["human"][lang])
    assert ussd.dial().startswith("CON ")
    assert ref in ussd.press("3", "1", ref.replace(" ", "")).replace("\u2066", "").replace("\u2069", "")
    assert ref in sms.send(f"{PRINTED['track'][lang]} {ref}").replace("\u2066", "").replace("\u2069", "")
    assert sms.send("allo ?") == ""
    with services.uow() as uow:
        [escalation] = uow.all(select(Escalation))
        said = [m.text for m in escalation.messages]
    assert escalation.channel == "sms" and "allo ?" in said

    # The person's answer goes back by SMS (asked by SMS), though WhatsApp's window is open; the view says so.
    support = staff(client, services, f"support-{lang}", "support", None)
    support.post(f"/staff/escalations/{escalation.id}/reply", {"text": "Votre demande est en route."})
    deliver(services)
    [answer] = [n for n in notifications(services, phone) if n.kind == "support_reply"]
    assert (answer.channel, answer.status) == ("sms", "sent") and "Votre demande est en route." in answer.text
    assert answer.provider != "whatsapp"
    page = support.page(f"/staff/escalations/{escalation.id}")
    assert 'class="sent-on">SMS<' in page


def test_a_person_asked_for_on_whatsapp_answers_on_whatsapp_and_the_view_says_so(client, services, guarded):
    phone = number()
    whatsapp = WhatsApp(client, services, phone)
    whatsapp.send("AGENT")
    with services.uow() as uow:
        [escalation] = uow.all(select(Escalation))
    support = staff(client, services, "support-wa", "support", None)
    support.post(f"/staff/escalations/{escalation.id}/reply", {"text": "Bonjour, je regarde."})
    deliver(services)
    [answer] = [n for n in notifications(services, phone) if n.kind == "support_reply"]
    assert (answer.channel, answer.provider) == ("whatsapp", "whatsapp")
    assert "Bonjour, je regarde." in whatsapp.sent()[-1]["text"]
    assert 'class="sent-on">WhatsApp<' in support.page(f"/staff/escalations/{escalation.id}")
