"""WhatsApp's 24-hour window with a moved clock: inside it free-form, outside it the approved template, and without
one an SMS to the linked phone; Twilio stubbed at HTTP in its exact shapes."""
import json
from datetime import timedelta

import pytest
import responses
from sqlalchemy import select

from channels import records
from channels.whatsapp import route
from jobs.whatsapp import send_whatsapp
from notifications import Notification
from notifications.policy import choose_channel
from orders_core.references import format_reference
from orders_core.services import place_order, record_payment
from tests.notifications.conftest import deliver
from web.demo import draft
from tests.channels.harness import post

from .conftest import ACCOUNT, TOKEN, WHATSAPP, drain, whatsapp_form, with_settings
from .test_sender import MESSAGES_URL, sent_form, twilio_message

PHONE = "+33612345678"
ADDRESS = "whatsapp:+33612345678"
TEMPLATE = "HX" + "d" * 32


@pytest.fixture
def twilio(services, client, guarded):
    """Twilio configured for WhatsApp (templates for dispatch notices only), its Messages API stubbed."""
    with_settings(services, twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN, twilio_whatsapp_from="+14155238886",
                  twilio_templates={"order_dispatched.fr": {"sid": TEMPLATE, "variables": ["ref", "barcode"]},
                                    "order_delivered.fr": "HX" + "e" * 32})
    guarded.add(responses.POST, MESSAGES_URL, status=201, json=twilio_message())
    return guarded


def wrote(client, services, twilio) -> None:
    """The citizen writes on WhatsApp (which opens the window); the bot's answer goes out free-form."""
    post(client, WHATSAPP, whatsapp_form(ADDRESS, "AIDE"))
    drain(services)
    assert "Body" in sent_form(twilio.calls[-1])


def notice(**values):
    return send_whatsapp(PHONE, "Demande 261 148 273 5 envoyée en recommandé : RR123456785MA.", "notice-1",
                         "order_dispatched", {"ref": "261 148 273 5", "barcode": "RR123456785MA", **values})


def sms_to(services, phone: str) -> list[dict]:
    return [m for m in records.conversation(services.uow(), phone) if m["direction"] == "out"]


def test_inside_the_window_a_notice_goes_free_form(client, services, clock, twilio):
    wrote(client, services, twilio)
    clock.advance(hours=23, minutes=59)
    assert notice() == "sent"
    form = sent_form(twilio.calls[-1])
    assert form["To"] == ADDRESS and form["Body"].endswith("RR123456785MA.") and "ContentSid" not in form


def test_outside_the_window_the_approved_template_goes_with_its_variables(client, services, clock, twilio):
    wrote(client, services, twilio)
    clock.advance(hours=24, minutes=1)
    assert notice() == "template"
    form = sent_form(twilio.calls[-1])
    assert "Body" not in form and (form["To"], form["ContentSid"]) == (ADDRESS, TEMPLATE)
    assert json.loads(form["ContentVariables"]) == {"1": "261 148 273 5", "2": "RR123456785MA"}


def test_a_template_given_by_its_sid_alone_numbers_the_values_in_order(client, services, clock, twilio):
    wrote(client, services, twilio)
    clock.advance(days=3)
    send_whatsapp(PHONE, "Livrée.", "notice-2", "order_delivered", {"ref": "261 148 273 5", "date": "26/11/2026"})
    assert json.loads(sent_form(twilio.calls[-1])["ContentVariables"]) == {"1": "261 148 273 5", "2": "26/11/2026"}


def test_outside_the_window_without_a_template_an_sms_goes_to_the_linked_phone(client, services, clock, twilio):
    wrote(client, services, twilio)
    calls = len(twilio.calls)
    clock.advance(hours=30)
    assert send_whatsapp(PHONE, "Un conseiller vous a répondu.", "notice-3", "support_reply") == "sms"
    drain(services)
    assert len(twilio.calls) == calls  # nothing more on WhatsApp
    assert [(m["text"], m["status"]) for m in sms_to(services, PHONE)] == [("Un conseiller vous a répondu.", "sent")]


def test_a_reply_whose_job_ran_after_the_window_closed_goes_by_sms(client, services, clock, twilio):
    calls = len(twilio.calls)
    post(client, WHATSAPP, whatsapp_form(ADDRESS, "AIDE"))
    services.drain()  # the answer job links the contact and queues the reply...
    assert len(twilio.calls) == calls + 1
    post(client, WHATSAPP, whatsapp_form(ADDRESS, "MENU"))
    clock.advance(hours=25)  # ... the next one is answered a day late (workers down)
    drain(services)
    assert len(twilio.calls) == calls + 1 and sms_to(services, PHONE)[0]["text"].startswith("Shubbak")


def test_without_a_phone_number_and_outside_the_window_nothing_can_reach_the_contact(client, services, clock,
                                                                                   twilio):
    post(client, WHATSAPP, whatsapp_form("whatsapp:MA.77", "AIDE", ExternalUserId="MA.77"))
    drain(services)
    assert sent_form(twilio.calls[-1])["To"] == "whatsapp:MA.77"  # answered on the address Twilio gave
    clock.advance(days=2)
    assert send_whatsapp("whatsapp:ext:MA.77", "x", "notice-4", "support_reply") == "unreachable"
    assert route("whatsapp:MA.77", None, clock() - timedelta(days=2), clock(), None) is None


@pytest.mark.parametrize(("hours_since", "template", "phone", "expected"), [
    (1, None, PHONE, "whatsapp"), (23.9, None, None, "whatsapp"), (24, "HX1", PHONE, "whatsapp"),
    (24, None, PHONE, "sms"), (48, None, None, None), (None, "HX1", PHONE, "whatsapp"), (None, None, PHONE, "sms"),
])
def test_the_notifications_choose_their_channel_by_the_window(clock, hours_since, template, phone, expected):
    last = None if hours_since is None else clock() - timedelta(hours=hours_since)
    chosen = choose_channel(phone, PHONE, "order_dispatched", whatsapp=ADDRESS, last_inbound_at=last, now=clock(),
                            template=template)
    assert chosen == expected


def test_without_a_whatsapp_address_the_notifications_keep_to_sms(clock):
    assert choose_channel(PHONE, PHONE, "order_placed") == "sms"
    assert choose_channel(None, "whatsapp:ext:MA.77", "order_placed") is None



def test_the_services_notifications_reach_a_whatsapp_citizen_on_whatsapp_then_by_sms(client, services, clock,
                                                                                      twilio):
    """The composition root's notifier (jobs.notifications), not a test's: wired to this WhatsApp sender and
    to the dialog's contacts."""
    wrote(client, services, twilio)
    order = place_order(services.uow(), services.settings.prices, draft(phone=PHONE))
    deliver(services)
    placed = sent_form(twilio.calls[-1])
    assert placed["To"] == ADDRESS and format_reference(order.reference) in placed["Body"]
    calls = len(twilio.calls)
    clock.advance(days=2)
    record_payment(services.uow(), order.reference, order.total, "card", "card-1")
    deliver(services)  # outside the window, and no template for payments: by SMS (the console sender here)
    assert len(twilio.calls) == calls
    with services.uow() as uow:
        sent = [(m.kind, m.channel, m.recipient, m.status)
                for m in uow.all(select(Notification).order_by(Notification.id))]
    assert sent == [("order_placed", "whatsapp", PHONE, "sent"), ("payment_complete", "sms", PHONE, "sent")]
