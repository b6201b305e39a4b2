"""The reply pipeline as a service, without RQ: the caller says whether its job has a try left and which job
function runs later; nothing here needs a worker."""
from dataclasses import replace

import pytest

import bootstrap
from channels import records
from channels.message import Inbound, Reply
from channels.senders import SendError
from conversations import replies
from dialog.sessions import Busy

PHONE = "+212612345678"


class Refusing:
    def __init__(self, name: str, retryable: bool):
        self.name, self.retryable = name, retryable

    def send(self, to, text):
        raise SendError(self.name, "refused", retryable=self.retryable)


def send_later(sms_id):  # stands in for the RQ job a caller passes
    raise AssertionError("not run in these tests")


def recorded_reply(services) -> int:
    return records.record_reply(services.uow(), PHONE, "Merci", "twilio:SM1", "twilio")


@pytest.fixture
def refusing(services):
    services.settings = replace(services.settings, sms_providers=("twilio",))
    bootstrap.wire(services, sms_senders={"twilio": Refusing("twilio", retryable=True)})


def test_a_retryable_refusal_with_a_try_left_asks_the_caller_to_try_again(services, refusing):
    sms_id = recorded_reply(services)
    with pytest.raises(replies.NotSentYet):
        replies.send_reply(services, sms_id, retries_left=True)
    assert records.recent(services.uow(), direction="out")[0]["status"] == "queued"


def test_without_a_try_left_the_reply_is_failed_for_good(services, refusing):
    sms_id = recorded_reply(services)
    assert replies.send_reply(services, sms_id, retries_left=False) == "failed"
    assert records.recent(services.uow(), direction="out")[0]["status"] == "failed"


def test_a_reply_is_recorded_once_and_its_sending_queued_with_the_callers_job(services, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda func, *args, **options: queued.append((func, args)))
    inbound = Inbound(channel="sms", contact=PHONE, text="AIDE", provider="twilio", provider_message_id="SM9")
    assert replies.queue_reply(services, inbound, Reply("Bonjour"), send_later) == "queued"
    assert replies.queue_reply(services, inbound, Reply("Bonjour"), send_later) == "answered already"
    assert [func for func, _ in queued] == [send_later]


def test_a_busy_contact_puts_the_callers_job_back_behind_the_other_message(services, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda func, *args, **options: queued.append((func, args)))
    carried = {"channel": "sms", "contact": PHONE, "text": "AIDE", "provider": "twilio", "provider_message_id": "SM7"}

    def busy(services, inbound, attempt):
        raise Busy()

    assert replies.answer_once(services, send_later, carried, 1, busy) == "busy"
    assert queued == [(send_later, (carried, 2))]
