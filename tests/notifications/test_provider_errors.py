"""Provider errors classified once per provider, replayed through the status webhook in courier's exact shapes:
WhatsApp's rate limit (63018) retried with backoff, an unknown code retried a bounded number of times and logged
once, a landline (30006) not failed over, carrier filtering (30007) and a wrong operator sent to the other
provider, Africa's Talking's blacklist an opt-out."""
import bootstrap
import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from app import create_app
from channels.delivery import forget_unknown_codes
from notifications import Notifier
from notifications.optouts import opt_out, opt_outs_of
from orders_core.services import place_order
from tests.channels.harness import PHONE as MOROCCAN, Endpoint, ENDPOINTS, guarded, post, secured  # noqa: F401
from tests.notifications.conftest import deliver, messages, paid_order
from web.demo import draft
from tests.notifications.test_whatsapp_notices import (  # noqa: F401 (the notifier fixture)
    ADDRESS, notifier, ordered, twilio_accepts, twilio_refuses, wrote,
)

TWILIO_STATUS = next(e for e in ENDPOINTS if e.name == "twilio-status")
AT_DELIVERY = next(e for e in ENDPOINTS if e.name == "at-delivery")


@pytest.fixture
def client(services, notifier):  # noqa: F811
    forget_unknown_codes()
    return create_app({"services": secured(services)}).test_client()


def report(client, services, sid: str, status: str = "failed", code: str | None = None) -> None:
    """Twilio's status callback, as courier's fixtures post it."""
    form = {"MessageSid": sid, "MessageStatus": status, **({"ErrorCode": code} if code else {})}
    assert post(client, TWILIO_STATUS, form).status_code == 200
    services.drain()


def on_whatsapp(services, clock, guarded, sid: str):  # noqa: F811
    wrote(services)
    twilio_accepts(guarded, sid)
    order = ordered(services)
    deliver(services)
    [message] = messages(services)
    assert (message.provider, message.provider_message_id, message.status) == ("whatsapp", sid, "sent")
    return order, message


def test_a_whatsapp_message_throttled_63018_is_retried_with_backoff_not_failed(client, services, clock, guarded,
                                                                               senders):
    _, message = on_whatsapp(services, clock, guarded, "SM" + "1" * 32)
    report(client, services, message.provider_message_id, "failed", "63018")  # courier's "Status ID Rate limit"
    [waiting] = messages(services)
    assert waiting.status == "pending" and waiting.provider == "whatsapp" and waiting.next_attempt_at > clock()
    twilio_accepts(guarded, "SM" + "2" * 32)
    clock.advance(seconds=(waiting.next_attempt_at - clock()).total_seconds())
    deliver(services)
    [again] = messages(services)
    assert (again.status, again.provider, again.provider_message_id) == ("sent", "whatsapp", "SM" + "2" * 32)
    assert senders["africastalking"].calls == []


def test_a_send_refused_63018_is_retried_later_on_whatsapp(client, services, clock, guarded, senders):
    wrote(services)
    twilio_refuses(guarded, 429, 63018)
    ordered(services)
    deliver(services)
    [message] = messages(services)
    assert (message.status, message.provider) == ("pending", "whatsapp") and "63018" in message.last_error


def test_a_send_refused_outside_the_window_63016_goes_by_sms(client, services, clock, guarded, senders):
    wrote(services)
    twilio_refuses(guarded, 400, 63016)
    ordered(services)
    deliver(services)
    [message] = messages(services)
    assert (message.status, message.provider, message.channel) == ("sent", "africastalking", "sms")


def test_an_unknown_code_is_retried_a_bounded_number_of_times_and_logged_once(client, services, clock, guarded,
                                                                             senders, notifier, caplog):  # noqa: F811
    _, message = on_whatsapp(services, clock, guarded, "SM" + "3" * 32)
    caplog.set_level(logging.WARNING, logger="channels.delivery")
    for n in range(len(notifier.plan.delays) + 1):
        sid = "SM" + str(4 + n) * 32
        report(client, services, messages(services)[0].provider_message_id, "failed", "39999")
        twilio_accepts(guarded, sid)
        clock.advance(hours=2)
        deliver(services)
    [final] = messages(services)
    assert final.provider == "africastalking" and final.status == "sent"  # the retries used up: SMS took it
    unknown = [r for r in caplog.records if "39999" in r.getMessage()]
    assert len(unknown) == 1


@pytest.fixture
def twilio_sms(services, senders):
    """Twilio first for SMS (no WhatsApp window here): its reports are the ones replayed."""
    settings = replace(services.settings, sms_providers=("twilio", "africastalking"))
    bootstrap.wire(services, notifier=Notifier.from_settings(settings, services.catalogs, senders))
    return services.notifier


def sent_by_twilio(services) -> str:
    paid_order(services)
    deliver(services)
    [message] = messages(services)
    assert message.provider == "twilio"
    return message.provider_message_id


@pytest.mark.parametrize(("code", "status", "provider", "twilio_calls"), [
    ("30003", "pending", "twilio", 1),        # unreachable handset: the same provider later
    ("30008", "pending", "twilio", 1),        # unknown error: the same
    ("30006", "undelivered", "twilio", 1),    # a landline: no provider can text it
    ("30007", "sent", "africastalking", 1),   # carrier filtering: the other provider at once
    ("30005", "sent", "africastalking", 1),   # accepted then lost: the other provider may still reach it
])
def test_twilio_sms_error_codes_decide_what_follows(client, services, guarded, senders, twilio_sms, code, status,
                                                    provider, twilio_calls):
    sid = sent_by_twilio(services)
    report(client, services, sid, "undelivered", code)
    deliver(services)
    [message] = messages(services)
    assert (message.status, message.provider, len(senders["twilio"].calls)) == (status, provider, twilio_calls)


@pytest.mark.parametrize("word", ["Success", "success", "SUCCESS"])
def test_africas_talking_success_in_any_case_is_delivered(client, services, guarded, senders, notifier, word):  # noqa
    paid_order(services)
    deliver(services)
    [message] = messages(services)
    form = {**AT_DELIVERY.form(), "id": message.provider_message_id, "status": word}
    assert post(client, AT_DELIVERY, form).status_code == 200
    services.drain()
    assert messages(services)[0].status == "delivered"


@pytest.mark.parametrize("word", ["Buffered", "Submitted", "sent"])
def test_africas_talking_progress_words_are_not_final(client, services, guarded, senders, notifier, word):  # noqa
    paid_order(services)
    deliver(services)
    [message] = messages(services)
    post(client, AT_DELIVERY, {**AT_DELIVERY.form(), "id": message.provider_message_id, "status": word})
    services.drain()
    assert messages(services)[0].status == "sent"


def test_africas_talking_blacklist_is_an_opt_out(client, services, guarded, senders, notifier):  # noqa: F811
    paid_order(services)
    deliver(services)
    [message] = messages(services)
    post(client, AT_DELIVERY, {**AT_DELIVERY.form(), "id": message.provider_message_id, "status": "Failed",
                               "failureReason": "UserInBlackList"})
    services.drain()
    assert messages(services)[0].status == "suppressed"
    with services.uow() as uow:
        [standing] = opt_outs_of(uow, [MOROCCAN])
    assert standing.opted_out and standing.how.startswith("africastalking:")


def test_a_notification_by_sms_to_a_fixed_line_is_refused_with_a_clear_reason_before_any_provider(
        services, senders, notifier):  # noqa: F811
    place_order(services.uow(), services.settings.prices, draft(phone="+212522123456", channel="whatsapp"))
    deliver(services)
    [message] = messages(services)
    assert (message.status, message.last_error) == ("failed", "the number cannot receive SMS (fixed_line)")
    assert senders["africastalking"].calls == [] and senders["twilio"].calls == []


def test_a_citizen_opted_out_of_whatsapp_gets_no_whatsapp_notice(client, services, clock, guarded, senders):
    wrote(services)
    opt_out(services.uow(), "+33612345678", "whatsapp", "keyword:STOP")
    ordered(services)
    deliver(services)
    [message] = messages(services)
    assert (message.status, message.provider) == ("suppressed", "whatsapp")
    assert not [c for c in guarded.calls if "Messages.json" in c.request.url]
    assert senders["africastalking"].calls == []
