"""Opting out (STOP) and back in (START) through the real webhooks: notifications are suppressed, not failed, and
an opted-out citizen can still track an order by writing; Twilio's 21610 and Africa's Talking's opt-out notice
opt a number out too."""
import bootstrap
from dataclasses import replace

import pytest

from app import create_app
from channels import records
from channels.delivery import Outcome
from channels.senders import SendError
from notifications import Notifier
from notifications.optouts import opt_out, opt_outs_of
from orders_core.services import place_order
from orders_core.references import format_reference
from tests.channels.harness import ENDPOINTS, KEY, PHONE, Endpoint, cases, guarded, post, secured
from tests.notifications.conftest import deliver, messages, paid_order
from web.demo import draft

__all__ = ["guarded"]

AT_SMS = next(e for e in ENDPOINTS if e.name == "at-sms")
TWILIO_SMS = next(e for e in ENDPOINTS if e.name == "twilio-sms")
TWILIO_STATUS = next(e for e in ENDPOINTS if e.name == "twilio-status")


@pytest.fixture
def client(services, notifier):
    services.settings = replace(services.settings, sms_providers=("africastalking", "twilio"))
    return create_app({"services": secured(services)}).test_client()


def write(client, services, text: str, endpoint=AT_SMS) -> list[str]:
    """The citizen writes `text` by SMS; the answers they receive to it (the conversation's new replies)."""
    before = len(records.conversation(services.uow(), PHONE, limit=500))
    form = {**endpoint.form(), "text" if endpoint is AT_SMS else "Body": text}
    assert post(client, endpoint, form).status_code == 200
    services.drain()
    new = records.conversation(services.uow(), PHONE, limit=500)[before:]
    return [m["text"] for m in new if m["direction"] == "out"]


def opt_out_standing(services, channel="sms"):
    with services.uow() as uow:
        return {o.channel: o for o in opt_outs_of(uow, [PHONE])}.get(channel)


@pytest.mark.parametrize("word", ["STOP", "stop", "Arrêt", "ARRET", "توقف", "وقف", "STOPALL"])
def test_a_stop_word_opts_out_and_is_confirmed_once_with_how_to_come_back(client, services, guarded, word):
    [confirmation] = write(client, services, word)
    assert "START" in confirmation
    standing = opt_out_standing(services)
    assert standing.opted_out and standing.how == f"keyword:{word}" and standing.opted_out_at is not None
    assert write(client, services, word) == []  # answered once: a second STOP is not confirmed again


def test_the_confirmation_is_in_the_language_of_the_word(client, services, guarded):
    assert "ابدأ" in write(client, services, "توقف")[0]
    assert "ستصلك" in write(client, services, "ابدأ")[0]
    assert "DEMARRER" in write(client, services, "ARRET")[0]
    assert "de nouveau" in write(client, services, "DÉMARRER")[0]


def test_an_opted_out_citizen_gets_no_notification_until_back_in_and_can_still_track(client, services, guarded,
                                                                                     senders):
    write(client, services, "STOP")
    order = paid_order(services)  # placed and paid: its payment is notified
    deliver(services)
    suppressed = messages(services)
    assert {m.status for m in suppressed} == {"suppressed"} and suppressed
    assert all("opted out" in m.last_error for m in suppressed)
    notified = [t for t in senders["africastalking"].texts if format_reference(order.reference) in t]
    assert notified == []  # nothing went to the provider
    answer = write(client, services, f"SUIVI {order.reference}")
    assert answer and format_reference(order.reference) in answer[0]  # a direct answer still goes out
    [welcome] = write(client, services, "START")
    assert "STOP" in welcome and not opt_out_standing(services).opted_out
    second = paid_order(services)
    deliver(services)
    assert {m.status for m in messages(services, order_id=second.id)} == {"sent"}


def test_a_notification_planned_before_the_stop_is_suppressed_when_its_turn_comes(client, services, guarded,
                                                                                  senders):
    paid_order(services)
    write(client, services, "STOP")
    deliver(services)
    assert {m.status for m in messages(services)} == {"suppressed"}


def test_stop_inside_any_conversation_state_still_opts_out(client, services, guarded):
    write(client, services, "AIDE")  # a conversation open at its menu
    write(client, services, "1")
    [confirmation] = write(client, services, "STOP")
    assert "START" in confirmation and opt_out_standing(services).opted_out


def test_a_stop_already_handled_by_twilio_s_advanced_opt_out_is_recorded_and_not_answered(client, services,
                                                                                          guarded):
    form = {**TWILIO_SMS.form(), "Body": "STOP", "OptOutType": "STOP"}
    before = len(records.conversation(services.uow(), PHONE, limit=500))
    post(client, TWILIO_SMS, form)
    services.drain()
    assert opt_out_standing(services).opted_out
    assert [m for m in records.conversation(services.uow(), PHONE, limit=500)[before:] if m["direction"] == "out"] == []


def test_twilio_21610_on_a_notification_opts_the_number_out_and_suppresses_what_follows(client, services, guarded,
                                                                                        senders):
    twilio_first = replace(services.settings, sms_providers=("twilio", "africastalking"))
    bootstrap.wire(services, notifier=Notifier.from_settings(twilio_first, services.catalogs, senders))
    paid_order(services)
    deliver(services)
    first = messages(services)[0]
    assert first.provider == "twilio"
    # courier's "Status Stop contact" fixture, with the id of our message
    form = {"ErrorCode": "21610", "MessageSid": first.provider_message_id, "MessageStatus": "failed", "To": PHONE}
    assert post(client, TWILIO_STATUS, form).status_code == 200
    services.drain()
    after = messages(services, id=first.id)[0]
    assert after.status == "suppressed" and "21610" in after.last_error
    assert opt_out_standing(services).opted_out and opt_out_standing(services).how.startswith("twilio:")
    assert senders["africastalking"].calls == []  # not failed over to the other provider either
    paid_order(services)
    deliver(services)
    assert messages(services)[-1].status == "suppressed"


def test_a_refused_send_saying_opted_out_suppresses_instead_of_failing(services, notifier, senders):
    class OptedOut:
        name = "africastalking"
        calls = []

        def send(self, to, text):
            self.calls.append(to)
            raise SendError(self.name, "UserInBlacklist", outcome=Outcome.OPTED_OUT)

    notifier.senders["africastalking"] = OptedOut()
    paid_order(services)
    deliver(services)
    paid_order(services)
    deliver(services)
    statuses = [m.status for m in messages(services)]
    assert set(statuses) == {"suppressed"} and len(statuses) >= 2
    assert len(OptedOut.calls) == 1  # the provider was asked once: the later ones were suppressed before it
    assert opt_out_standing(services).how == "africastalking:UserInBlacklist"
    assert senders["twilio"].calls == []


def _opt_outs(services, form=None) -> int:
    with services.uow() as uow:
        return len(opt_outs_of(uow, [PHONE]))


AT_OPTOUT = Endpoint("at-optout", "africastalking", "/webhooks/africastalking/sms/optout", "key",
                     lambda: {"senderId": "SHUBBAK", "phoneNumber": PHONE}, ("phoneNumber",), "phoneNumber",
                     dedup=False, effect=_opt_outs)


def test_africas_talking_s_opt_out_notice_opts_the_number_out_of_sms(client, services, guarded):
    response = client.post(f"/webhooks/africastalking/sms/optout?key={KEY}",
                           data={"senderId": "SHUBBAK", "phoneNumber": PHONE})
    assert response.status_code == 200
    standing = opt_out_standing(services)
    assert standing.opted_out and standing.how == "africastalking:optout"


@pytest.mark.parametrize("case", [c for c in cases(AT_OPTOUT) if c.status != 200 or c.name == "valid"],
                         ids=lambda c: c.name)
def test_africas_talking_s_opt_out_notice_is_checked_like_every_callback(client, services, guarded, case):
    response = post(client, AT_OPTOUT, case.form(AT_OPTOUT.form()), case.auth)
    assert response.status_code == case.status
    assert (opt_out_standing(services) is not None) == case.changes


@pytest.mark.parametrize("key, channel, status", [
    ("phone", "sms", "suppressed"), ("contact", "sms", "suppressed"), ("phone", "whatsapp", "sent"),
    ("contact", "whatsapp", "sent")])
def test_an_order_placed_by_an_opted_out_citizen_tells_them_nothing_on_that_channel(services, notifier, key, channel,
                                                                                     status):
    """The hot path reads the requester's opt-outs with the order (PostgreSQL): under their phone or their contact,
    for the channel the message goes on only."""
    phone, contact = "+212661000777", "+212661000888"
    opt_out(services.uow(), {"phone": phone, "contact": contact}[key], channel, "keyword:STOP")
    order = place_order(services.uow(), services.settings.prices, draft(phone=phone, requester_contact=contact))
    deliver(services)
    [message] = messages(services, order_id=order.id)
    assert (message.kind, message.status) == ("order_placed", status)
