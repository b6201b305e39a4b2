"""Replies go out through the configured providers in order, the one the citizen wrote to first; a retryable
failure is tried again later (RQ), a permanent one on every provider marks the SMS failed."""
import bootstrap
from dataclasses import replace

import pytest

from channels import records
from channels.senders import SendError, SendResult
from jobs.conversations import send_sms
from texts import count

from .conftest import PHONE, drain, guarded

__all__ = ["guarded"]


class Scripted:
    """A fake provider (our Sender port) answering "ok", "retry" or "permanent" in turn; the last one repeats."""

    def __init__(self, name: str, *script: str):
        self.name, self.script, self.calls = name, script or ("ok",), []

    def send(self, to: str, text: str) -> SendResult:
        outcome = self.script[min(len(self.calls), len(self.script) - 1)]
        self.calls.append(to)
        if outcome != "ok":
            raise SendError(self.name, f"{outcome} failure", retryable=outcome == "retry")
        return SendResult(self.name, f"{self.name}-{len(self.calls)}", "sent", count(text).segments)


@pytest.fixture
def providers(services):
    services.settings = replace(services.settings, sms_providers=("twilio", "africastalking"))
    senders = {"africastalking": Scripted("africastalking"), "twilio": Scripted("twilio")}
    bootstrap.wire(services, sms_senders=senders)
    return senders


def last_sent(services) -> dict:
    return records.recent(services.uow(), direction="out")[0]


def test_the_reply_goes_through_the_provider_the_citizen_wrote_to(sms, services, providers, guarded):
    sms.send("AIDE")  # arrives through Africa's Talking
    sent = last_sent(services)
    assert (sent["provider"], sent["provider_message_id"], sent["status"]) == ("africastalking", "africastalking-1",
                                                                               "sent")
    assert providers["twilio"].calls == []


def test_a_failing_provider_hands_over_to_the_next(sms, services, providers, guarded):
    providers["africastalking"].script = ("permanent",)
    sms.send("AIDE")
    assert (last_sent(services)["provider"], providers["twilio"].calls) == ("twilio", [PHONE])


def test_a_retryable_failure_everywhere_leaves_the_sms_queued_for_a_later_try(sms, services, providers, guarded):
    providers["africastalking"].script = ("retry",)
    providers["twilio"].script = ("retry",)
    sms.client.post("/webhooks/africastalking/sms", data={"from": PHONE, "to": "1919", "text": "AIDE", "id": "r1"})
    services.drain()
    sent = last_sent(services)
    assert sent["status"] == "queued" and "retry failure" in sent["detail"]
    scheduled = services.queue("high").scheduled_job_registry.get_job_ids()
    assert len(scheduled) == 1  # RQ runs it again in 5 minutes (SEND_RETRY)


def test_permanent_failures_everywhere_mark_the_sms_failed(sms, services, providers, guarded):
    providers["africastalking"].script = ("permanent",)
    providers["twilio"].script = ("permanent",)
    sms.send("AIDE")
    sent = last_sent(services)
    assert sent["status"] == "failed" and "africastalking: permanent failure" in sent["detail"]


def test_an_sms_is_sent_once_even_if_its_job_runs_twice(sms, services, providers, guarded):
    sms.send("AIDE")
    assert send_sms(last_sent(services)["id"]) == "skipped"
    assert len(providers["africastalking"].calls) == 1
