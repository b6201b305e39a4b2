"""One phone per number, over HTTP: every message a number receives is on the channel it went out on; premium SMS
are billed by the sandbox, whose reports come back through the real webhook; hanging up ends the USSD session."""
from dataclasses import replace

import pytest
from sqlalchemy import select

from app import create_app
from channels.message import Inbound
from jobs import notifications as notification_jobs
from orders_core.model import Order
from orders_core.services import (
    add_escalation_message, advance_order, create_user, dispatch_order, open_escalation, place_order, record_payment,
    take_order,
)
from payments_sms.model import Charge
from tests.channels.harness import guarded
from tests.dialog.conftest import drain
from web import demo

from .sandbox_helpers import wait_for, wire_sandbox

__all__ = ["guarded"]
PHONE = "+212612340007"


@pytest.fixture
def client(services):
    return create_app({"services": wire_sandbox(services)}).test_client()


def feed(client, phone=PHONE, after=0):
    return client.get(f"/simulator/feed?phone={phone}&after={after}").get_json()["messages"]


def on(client, channel, phone=PHONE, direction="out"):
    return [m for m in feed(client, phone) if m["channel"] == channel and m["direction"] == direction]


def placed_order(services, phone=PHONE):
    return place_order(services.uow(), services.settings.prices, demo.draft(phone=phone))


def settle(services, client, predicate, seconds=10):
    """Run jobs until `predicate()` holds (the sandbox's reports arrive on their own thread)."""
    def done():
        drain(services)
        return predicate()
    return wait_for(done, seconds)


def test_a_ussd_session_is_transcribed_and_hanging_up_sends_the_end_of_session_callback(client, services, guarded):
    first = client.post("/simulator/ussd", json={"phone": PHONE, "path": ""}).get_json()
    client.post("/simulator/ussd", json={"phone": PHONE, "session": first["session"], "path": "1"})
    key = services.surfaces["ussd"].session_key(Inbound("ussd", "africastalking", "", "", session_id=first["session"]))
    assert services.dialog.sessions.load(key) is not None
    ended = client.post("/simulator/ussd/end", json={"phone": PHONE, "session": first["session"], "path": "1"})
    assert ended.get_json()["status"] == 200
    transcript = [(m["direction"], m["kind"], m["text"][:3]) for m in feed(client) if m["channel"] == "ussd"]
    assert transcript == [("in", "typed", "*12"), ("out", "screen", "CON"), ("in", "typed", "1"),
                          ("out", "screen", "CON"), ("in", "hangup", "")]
    assert services.dialog.sessions.load(key) is None  # the dialog let the session go


def test_an_sms_reply_and_a_notification_arrive_in_the_sms_thread(client, services, guarded):
    client.post("/simulator/sms", json={"phone": PHONE, "text": "AIDE"})
    placed_order(services)
    settle(services, client, lambda: len(on(client, "sms")) >= 1)
    services.enqueue(notification_jobs.dispatch_outbox)
    drain(services)
    received = on(client, "sms")
    assert [m["kind"] for m in received] == ["reply", "notification"]
    assert received[1]["notification"] == "order_placed" and on(client, "whatsapp") == []


def test_a_premium_payment_is_completed_by_the_sandbox_s_reports_through_the_webhook(client, services, guarded):
    order = placed_order(services)
    client.post("/simulator/sms", json={"phone": PHONE, "text": f"PAYER {order.reference}"})
    drain(services)
    client.post("/simulator/sms", json={"phone": PHONE, "text": "OUI"})
    paid = settle(services, client, lambda: _status(services, order) == "received")
    assert paid, f"order still {_status(services, order)}"
    billed = [m for m in on(client, "sms") if m["kind"] == "premium"]
    assert len(billed) == 3 and all("Shubbak" in m["text"] for m in billed)
    with services.uow() as uow:
        assert {c.status for c in uow.all(_charges())} == {"succeeded"}


def test_a_chosen_failure_stops_the_premium_payment_and_the_citizen_is_told(client, services, guarded):
    order = placed_order(services)
    assert client.post("/simulator/billing", json={"phone": PHONE, "outcome": "InsufficientCredit"}).status_code == 200
    client.post("/simulator/sms", json={"phone": PHONE, "text": f"PAYER {order.reference}"})
    drain(services)
    client.post("/simulator/sms", json={"phone": PHONE, "text": "OUI"})
    assert settle(services, client, lambda: _charge_statuses(services) == ["failed"])
    services.enqueue(notification_jobs.dispatch_outbox)
    drain(services)
    assert any(m["notification"] == "premium_notice" for m in on(client, "sms"))
    assert _status(services, order) == "awaiting_payment"
    assert client.get(f"/simulator/feed?phone={PHONE}").get_json()["billing"] == "InsufficientCredit"


def test_a_whatsapp_message_is_answered_in_the_whatsapp_chat_and_later_notices_follow_it(client, services, guarded):
    order = placed_order(services)
    client.post("/simulator/whatsapp", json={"phone": PHONE, "text": f"SUIVI {order.reference}"})
    assert settle(services, client, lambda: on(client, "whatsapp"))
    assert order.reference[:3] in on(client, "whatsapp")[0]["text"]
    assert [m["text"] for m in on(client, "whatsapp", direction="in")] == [f"SUIVI {order.reference}"]


@pytest.mark.parametrize("body", [{"phone": "not a phone"}, {"phone": PHONE, "outcome": "Bribe"}])
def test_bad_input_is_refused_with_what_is_expected(client, guarded, body):
    answer = client.post("/simulator/billing", json=body)
    assert answer.status_code == 400


def test_the_feed_of_a_malformed_number_is_a_400_not_a_500(client, guarded):
    assert client.get("/simulator/feed?phone=abc&after=x").status_code == 400


def _charges():
    return select(Charge).order_by(Charge.id)


def _charge_statuses(services):
    with services.uow() as uow:
        return [c.status for c in uow.all(_charges())]


def _status(services, order):
    with services.uow() as uow:
        return uow.get(Order, order.id).status


@pytest.mark.parametrize("pin", ["8757 4630 0050 156", "8757 4630 0050 15", "875746300050156"])
def test_a_card_pin_typed_on_the_phone_is_never_kept_in_clear(client, services, guarded, pin):
    """The phone's copy is marked by the one rule the webhooks use (orders_core.redaction): a PIN mistyped one
    digit short too, and shown as the staff pages show it."""
    order = placed_order(services)
    client.post("/simulator/sms", json={"phone": PHONE, "text": f"CARTE {order.reference} {pin}"})
    [typed] = on(client, "sms", direction="in")
    assert typed["text"] == f"CARTE {order.reference} [PIN]"


def test_the_phones_copy_of_a_reply_keeps_its_reference_and_amounts(services):
    """A reply is no card command: only a long run of digits would be marked in it."""
    services.handset.record(PHONE, "sms", "out", "reply", "Card accepted: 50.00 MAD paid for order 2611482735.")
    [kept] = services.handset.messages(PHONE)
    assert kept["text"] == "Card accepted: 50.00 MAD paid for order 2611482735."


def test_a_support_answer_reaches_the_phone_on_the_channel_the_citizen_used(client, services, guarded):
    client.post("/simulator/whatsapp", json={"phone": PHONE, "text": "Bonjour"})
    drain(services)
    escalation = open_escalation(services.uow(), PHONE, channel="whatsapp", language="fr", reason="asked_for_human",
                                 phone=PHONE, text="Je veux parler à quelqu'un")
    add_escalation_message(services.uow(), escalation.id, "out", "support", "Bonjour, je suis Amina du support.")
    services.enqueue(notification_jobs.dispatch_outbox)
    drain(services)
    answers = [m for m in on(client, "whatsapp") if "Amina" in m["text"]]
    assert [m["kind"] for m in answers] == ["notification"]
    assert not [m for m in on(client, "sms") if "Amina" in m["text"]]


def test_outside_the_24_hour_window_a_notice_arrives_as_its_approved_template_with_its_text(services, clock, guarded):
    services.settings = replace(services.settings, twilio_templates={
        "order_dispatched.fr": {"sid": "HXdispatched", "variables": ["ref", "barcode"]}})
    client = create_app({"services": wire_sandbox(services)}).test_client()
    order = placed_order(services)
    record_payment(services.uow(), order.reference, order.total, "card", f"card-{order.reference}")
    client.post("/simulator/whatsapp", json={"phone": PHONE, "text": f"SUIVI {order.reference}"})
    drain(services)
    clock.advance(hours=25)
    agent = create_user(services.uow(), "agent-t", "Agent T", "x", "agent", office_code=demo.DEMO_OFFICE).as_actor()
    take_order(services.uow(), order.id, agent)
    advance_order(services.uow(), order.id, "ready", agent)
    dispatch_order(services.uow(), order.id, "RR123456785MA", agent)
    for _ in range(2):
        services.enqueue(notification_jobs.dispatch_outbox)
        drain(services)
    [template] = [m for m in on(client, "whatsapp") if m["kind"] == "template"]
    assert template["text"].startswith("HXdispatched") and "2=RR123456785MA" in template["text"]
    assert template["notification"] == "order_dispatched" and "RR123456785MA" in template["shown"]
