"""Sending one stored message: claim it, hand it to its provider, record the outcome, retry or fail over.

The crash window. A send is recorded as `sending` (with a lease) and committed *before* the provider is called,
and the provider's answer is committed right after. A worker killed in between leaves a `sending` row whose
lease runs out; the sweeper then sends it again (history: "abandoned"). We chose to resend: the provider may
not have received it (the usual case: killed while waiting on the network), and a lost payment confirmation
or dispatch notice costs the citizen more than a rare duplicate in the milliseconds between the provider's
acceptance and our commit. Neither provider offers an idempotency key on send, so that gap cannot be closed
from our side; the history shows every resend for support to see.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from channels.senders import SendError, SendResult

from .model import Notification, Status

__all__ = ["send_notification", "Attempt"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    message_id: int
    number: int
    provider: str
    to: str
    text: str


def send_notification(uow, notifier, message_id: int) -> str:
    """Send a message if it is due and nobody else holds it; return what happened (a status or "skipped")."""
    attempt = _claim(uow, notifier, message_id)
    if attempt is None:
        return "skipped"
    try:
        outcome = notifier.senders[attempt.provider].send(attempt.to, attempt.text)
    except SendError as exc:
        outcome = exc
    except Exception as exc:  # a sender's bug must not lose the message: count it as a retryable failure
        log.exception("sender %s failed on message %d", attempt.provider, message_id)
        outcome = SendError(attempt.provider, f"unexpected {type(exc).__name__}", retryable=True)
    return _record(uow, notifier, attempt, outcome)


def _claim(uow, notifier, message_id: int) -> Attempt | None:
    with uow:
        message = uow.get(Notification, message_id, lock=True)
        if message is None or not message.claimable(uow.now()):
            return None
        if not notifier.plan.providers:
            message.refused("no SMS provider is configured", uow.now())
            uow.commit()
            return None
        message.claim(uow.now(), notifier.plan)
        uow.commit()
        return Attempt(message.id, message.attempts, message.provider, message.recipient, message.text)


def _record(uow, notifier, attempt: Attempt, outcome) -> str:
    with uow:
        message = uow.get(Notification, attempt.message_id, lock=True)
        now = uow.now()
        if message.attempts != attempt.number or message.status != Status.SENDING:
            # Our lease ran out and another attempt took over: keep the history honest, change nothing else.
            message.note("late_outcome", now, _describe(outcome))
        elif isinstance(outcome, SendResult):
            message.accepted(outcome.provider_message_id, outcome.segments, now)
        elif outcome.retryable:
            message.retry_later(outcome.reason, now, notifier.plan, lambda t: notifier.quiet.release(t, message.urgent))
        else:
            message.refused(outcome.reason, now)
        uow.commit()
        log.info("message %d (%s) attempt %d via %s: %s", message.id, message.kind, attempt.number,
                 attempt.provider, message.status)
        return message.status


def _describe(outcome) -> str:
    if isinstance(outcome, SendResult):
        return f"accepted as {outcome.provider_message_id}"
    return f"{outcome.reason} ({'retryable' if outcome.retryable else 'permanent'})"
