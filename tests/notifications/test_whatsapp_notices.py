"""Citizen messages on WhatsApp: inside the 24-hour window free-form, outside it the approved template, else SMS;
decided again at each send (a message held for the morning may find the window closed). Twilio's Messages API
is stubbed at HTTP in its exact shapes; the clock is moved."""
import bootstrap
import json
from dataclasses import replace
from datetime import timedelta

import pytest
import responses

from channels.whatsapp import WhatsAppSender
from dialog.contacts import WhatsAppId, find_reach, link_whatsapp
from notifications import WHATSAPP, Notifier, Planned, record_status, send_notification
from notifications import store_planned as store
from notifications.policy import mad
from orders_core.references import format_reference
from orders_core.services import place_order
from tests.channels.harness import guarded  # noqa: F401 (fixture)
from tests.notifications.conftest import deliver, messages
from tests.whatsapp.conftest import ACCOUNT, TOKEN
from tests.whatsapp.test_sender import MESSAGES_URL, sent_form, twilio_message
from web.demo import draft

PHONE = "+33612345678"  # a citizen abroad, who writes on WhatsApp
ADDRESS = "whatsapp:+33612345678"
PLACED = "HX" + "a" * 32
DISPATCHED = "HX" + "d" * 32
TEMPLATES = {"order_placed.fr": {"sid": PLACED, "variables": ["ref", "amount"]},
             "order_dispatched.fr": {"sid": DISPATCHED, "variables": ["ref", "barcode"]}}


@pytest.fixture
def notifier(services, senders, guarded):  # noqa: F811
    """Both SMS providers (scripted), Twilio's real WhatsApp sender, the dialog's contacts as the reach port."""
    settings = replace(services.settings, sms_providers=("africastalking", "twilio"), twilio_templates={})
    whatsapp = WhatsAppSender(ACCOUNT, TOKEN, "+14155238886", "https://shubbak.example.ma/webhooks/twilio/status")
    bootstrap.wire(services, notifier=Notifier.from_settings(settings, services.catalogs, senders, whatsapp=whatsapp,
                                                             reach=find_reach))
    return services.notifier


@pytest.fixture
def templates(services, notifier):
    bootstrap.wire(services, notifier=replace(notifier, templates=TEMPLATES))
    return services.notifier


def twilio_accepts(http, *sids: str) -> None:
    for sid in sids or ("SM" + "b" * 32,):
        http.add(responses.POST, MESSAGES_URL, status=201, json=twilio_message(sid=sid, to=ADDRESS))


def twilio_refuses(http, status: int, code: int) -> None:
    http.add(responses.POST, MESSAGES_URL, status=status,
             json={"code": code, "message": "refused", "more_info": f"https://www.twilio.com/docs/errors/{code}",
                   "status": status})


def wrote(services, address: str = ADDRESS, phone: str | None = PHONE, external: str | None = None) -> None:
    """The citizen writes to us on WhatsApp now (as the inbound webhook's job records it)."""
    link_whatsapp(services.uow(), WhatsAppId(address, phone, phone and phone[1:], external), services.clock())


def ordered(services):
    return place_order(services.uow(), services.settings.prices, draft(phone=PHONE))


def history(message) -> list[str]:
    return [event.status for event in message.events]


def test_inside_the_window_the_citizen_is_told_on_whatsapp_free_form_and_not_by_sms(
        services, clock, notifier, senders, guarded):  # noqa: F811
    wrote(services)
    clock.advance(hours=23, minutes=59)
    twilio_accepts(guarded)
    order = ordered(services)
    deliver(services)
    [message] = messages(services)
    form = sent_form(guarded.calls[-1])
    assert form["To"] == ADDRESS and format_reference(order.reference) in form["Body"] and "ContentSid" not in form
    assert (message.channel, message.provider, message.status) == ("whatsapp", WHATSAPP, "sent")
    assert message.provider_message_id == "SM" + "b" * 32
    assert not senders["africastalking"].calls and not senders["twilio"].calls


def test_outside_the_window_the_approved_template_goes_with_the_values_in_order(
        services, clock, templates, senders, guarded):  # noqa: F811
    wrote(services)
    clock.advance(hours=24, minutes=1)
    twilio_accepts(guarded)
    order = ordered(services)
    deliver(services)
    form = sent_form(guarded.calls[-1])
    assert form["ContentSid"] == PLACED and "Body" not in form and form["To"] == ADDRESS
    assert json.loads(form["ContentVariables"]) == {"1": format_reference(order.reference),
                                                        "2": mad(order.amount_due, "fr")}
    assert messages(services)[0].status == "sent" and not senders["africastalking"].calls


def test_outside_the_window_without_a_template_the_message_goes_by_sms(services, clock, notifier, senders, guarded):  # noqa: F811,E501
    wrote(services)
    clock.advance(hours=25)
    ordered(services)
    deliver(services)
    [message] = messages(services)
    assert not guarded.calls
    assert [call["to"] for call in senders["africastalking"].calls] == [PHONE]
    assert (message.channel, message.provider, message.status) == ("sms", "africastalking", "sent")


def test_a_citizen_who_never_wrote_on_whatsapp_gets_an_sms(services, notifier, senders, guarded):  # noqa: F811
    ordered(services)
    deliver(services)
    assert not guarded.calls and [call["to"] for call in senders["africastalking"].calls] == [PHONE]


def test_a_message_held_for_the_morning_is_routed_when_it_goes_not_when_it_was_written(
        services, clock, templates, senders, guarded):  # noqa: F811
    clock.advance(hours=-3)  # 06:00 UTC, 07:00 in Casablanca: the window will close at 07:00 tomorrow
    wrote(services)
    clock.advance(hours=15)  # 22:00 in Casablanca: quiet hours, a dispatch notice waits for 08:00
    order = ordered(services)
    planned = Planned(key="dispatch-1", audience="citizen", kind="order_dispatched", template="notify.order_dispatched",
                      language="fr", values={"ref": format_reference(order.reference), "barcode": "RR123456785MA"},
                      contact=PHONE, phone=PHONE, order_id=order.id)
    with services.uow() as uow:
        held = store(uow, templates, planned)
        uow.commit()
    assert held.channel == "whatsapp" and held.enqueued_at is None  # inside the window when written
    twilio_accepts(guarded, "SM" + "1" * 32, "SM" + "2" * 32)
    clock.advance(hours=10)  # 08:00 in Casablanca, an hour after the window closed
    assert send_notification(services.uow(), templates, held.id) == "sent"
    form = sent_form(guarded.calls[-1])
    assert form["ContentSid"] == DISPATCHED
    assert json.loads(form["ContentVariables"]) == {"1": format_reference(order.reference), "2": "RR123456785MA"}


def test_whatsapp_refusing_for_good_hands_the_message_to_sms(services, clock, notifier, senders, guarded):  # noqa: F811
    wrote(services)
    twilio_refuses(guarded, 400, 63003)  # not a WhatsApp number any more
    ordered(services)
    deliver(services)
    [message] = messages(services)
    assert (message.channel, message.provider, message.status) == ("sms", "africastalking", "sent")
    assert "failover" in history(message) and [call["to"] for call in senders["africastalking"].calls] == [PHONE]


def test_whatsapp_failing_then_accepting_is_sent_once_after_a_retry(services, clock, notifier, senders, guarded):  # noqa: F811,E501
    wrote(services)
    twilio_refuses(guarded, 500, 20500)
    twilio_accepts(guarded)
    ordered(services)
    deliver(services)
    [message] = messages(services)
    assert message.status == "pending" and message.provider == WHATSAPP
    clock.advance(seconds=30)
    deliver(services)
    [message] = messages(services)
    assert message.status == "sent" and len(guarded.calls) == 2 and not senders["africastalking"].calls


def test_twilio_reports_on_a_whatsapp_notice_are_its_history(services, clock, notifier, senders, guarded):  # noqa: F811
    wrote(services)
    twilio_accepts(guarded, "SM" + "c" * 32)
    ordered(services)
    deliver(services)
    assert record_status(services.uow(), notifier, "twilio", "SM" + "c" * 32, "read")
    [message] = messages(services)
    assert message.status == "delivered" and history(message)[-1] == "delivered"


def test_a_whatsapp_notice_reported_undelivered_goes_again_by_sms(services, clock, notifier, senders, guarded):  # noqa: F811,E501
    wrote(services)
    twilio_accepts(guarded, "SM" + "e" * 32)
    ordered(services)
    deliver(services)
    assert record_status(services.uow(), notifier, "twilio", "SM" + "e" * 32, "undelivered", "63024")
    deliver(services)
    [message] = messages(services)
    assert (message.channel, message.status) == ("sms", "sent")
    assert [call["to"] for call in senders["africastalking"].calls] == [PHONE]


def test_a_whatsapp_only_contact_outside_the_window_without_a_template_is_unreachable_not_lost_in_a_loop(
        services, clock, notifier, senders, guarded):  # noqa: F811
    external = "MA.1234567890"
    wrote(services, address="whatsapp:" + external, phone=None, external=external)
    contact = "whatsapp:ext:" + external
    planned = Planned(key="notice-1", audience="citizen", kind="order_dispatched", template="notify.order_dispatched",
                      language="fr", values={"ref": "261 148 273 5", "barcode": "RR123456785MA"},
                      contact=contact, phone=None, urgent=True)
    with services.uow() as uow:
        inside = store(uow, notifier, planned)
        uow.commit()
    assert inside.channel == "whatsapp"
    clock.advance(hours=25)
    assert send_notification(services.uow(), notifier, inside.id) == "skipped"
    [message] = messages(services)
    assert message.status == "unreachable" and not guarded.calls and not senders["africastalking"].calls
    clock.advance(minutes=10)
    deliver(services)  # the sweeper leaves it alone: nothing can carry it until the citizen writes again
    assert messages(services)[0].status == "unreachable" and not guarded.calls


def test_the_citizens_reach_is_looked_up_in_one_statement_whichever_row_holds_it(services, clock, notifier, senders):
    """The contact's own row, else the latest row with their number and a WhatsApp address: one lookup a message."""
    from sqlalchemy import event

    ordered(services)
    seen = []
    note = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(services.engine, "before_cursor_execute", note)
    try:
        deliver(services)
    finally:
        event.remove(services.engine, "before_cursor_execute", note)
    assert len([s for s in seen if "FROM contacts" in s]) == 1, seen
    assert messages(services)[0].channel == "sms"
    with services.uow() as uow:
        assert find_reach(uow, PHONE) is None  # the order alone leaves no contact row
    wrote(services, external="ext-1")  # another row, keyed by Meta's id, carries the number and the address
    with services.uow() as uow:
        assert find_reach(uow, PHONE).address == ADDRESS
