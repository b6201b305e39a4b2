"""The SMS reply pipeline: answer one message once, record its reply, send a recorded reply through the first
provider that takes it, queue again the replies whose sending job was lost.

`job`, `send_job` are the RQ job functions the caller wants run later (services.enqueue puts them on a queue).
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Callable

from channels import sms
from channels.inbox import claim_message, inbound_of, mark_done, release
from channels.message import Inbound, Reply
from channels.delivery import Outcome
from channels.records import (
    apply_delivery, claim_for_sending, mark_failed, mark_sent, record_reply, recipient_of, stale_replies,
)
from channels.senders import SendError
from dialog.sessions import Busy
from notifications.optouts import opt_out

__all__ = ["NotSentYet", "REPLY_STUCK", "answer_once", "answer", "queue_reply", "send_reply", "resend_stuck",
           "apply_reply_report"]

log = logging.getLogger(__name__)
REPLY_STUCK = timedelta(minutes=15)  # longer than the sending job's retries: a reply queued longer has lost its job


class NotSentYet(RuntimeError):
    """Every provider refused for now with a retryable reason: the caller's job is tried again."""


def answer_once(services, job: Callable, message: int | dict, attempt: int, answer: Callable) -> str:
    """Run `answer(services, inbound, attempt)` once for a message: an inbox row (claimed, then marked done) or the
    message carried in the job. A busy contact (another of its messages being answered) puts `job` back in the
    queue, behind that one; after three tries the row waits for the inbox's sweep."""
    stored = not isinstance(message, dict)
    inbound = claim_message(services.uow(), message) if stored else inbound_of(message)
    if inbound is None:
        return "done already"
    try:
        outcome = answer(services, inbound, attempt)
    except Busy:
        if stored:
            release(services.uow(), message)
        if attempt < 3:
            # RQ logs a job's description: the default one would show a carried message's number and text.
            services.enqueue(job, message, attempt + 1, queue="high",
                             description=f"{job.__name__}({inbound.provider} {inbound.provider_message_id}, "
                                         f"{attempt + 1})")
        return "busy"
    if stored:
        mark_done(services.uow(), message)
    return outcome


def answer(services, inbound: Inbound, send_job: Callable, retry=None) -> str:
    """Run the dialog for one SMS and queue its reply's sending."""
    return queue_reply(services, inbound, services.dialog.handle(inbound, services.surfaces[inbound.channel]),
                       send_job, retry)


def queue_reply(services, inbound: Inbound, reply: Reply, send_job: Callable, retry=None) -> str:
    """Record the SMS reply to `inbound` once and queue `send_job(sms_id)`; say what happened."""
    text = sms.render(reply)
    if not text:
        return "quiet"
    answered = f"{inbound.provider}:{inbound.provider_message_id}"
    sms_id = record_reply(services.uow(), inbound.contact, text, answered, inbound.provider)
    if sms_id is None:
        return "answered already"
    services.enqueue(send_job, sms_id, queue="high", retry=retry)
    return "queued"


def send_reply(services, sms_id: int, retries_left: bool) -> str:
    """Send a recorded reply through the first provider that takes it. Raise NotSentYet when a refusal is worth
    another try and the caller's job has one left; otherwise failed for good."""
    outgoing = claim_for_sending(services.uow(), sms_id)
    if outgoing is None:
        return "skipped"
    failures = []
    for name in providers(services, outgoing.provider):
        try:
            result = services.sms_senders[name].send(outgoing.to, outgoing.text)
        except SendError as exc:
            failures.append(exc)
            log.warning("SMS %d not sent by %s: %s", sms_id, name, exc.reason)
            continue
        mark_sent(services.uow(), sms_id, result)
        return "sent"
    again = retries_left and any(f.retryable for f in failures)
    reason = "; ".join(f"{f.provider}: {f.reason}" for f in failures) or "no SMS provider is configured"
    mark_failed(services.uow(), sms_id, reason, final=not again)
    if again:
        raise NotSentYet(f"SMS {sms_id} not sent yet: {reason}")
    return "failed"


def resend_stuck(services, send_job: Callable, retry=None) -> int:
    """Queue `send_job` again for replies queued longer than REPLY_STUCK (their job lost with Redis); how many."""
    stale = stale_replies(services.uow(), services.clock() - REPLY_STUCK)
    for sms_id in stale:
        services.enqueue(send_job, sms_id, queue="high", retry=retry)
    if stale:
        log.info("SMS replies whose sending job was lost, queued again: %d", len(stale))
    return len(stale)


def providers(services, preferred: str | None) -> list[str]:
    """The configured providers that are wired, the one the citizen wrote to first (same number to answer)."""
    wired = [name for name in services.settings.sms_providers if name in services.sms_senders]
    return sorted(wired, key=lambda name: name != preferred)


def apply_reply_report(services, status) -> None:
    """A delivery report on our SMS reply; refused because its recipient opted out at the provider (Twilio 21610):
    recorded as an opt-out of SMS."""
    apply_delivery(services.uow(), status)
    if status.outcome == Outcome.OPTED_OUT:
        recipient = recipient_of(services.uow(), status.provider, status.provider_message_id)
        if recipient:
            opt_out(services.uow(), recipient, "sms", f"{status.provider}:{status.detail}")
