"""Sending one stored message: claim it, hand it to its provider, record the outcome, retry or fail over.

The crash window. A send is recorded as `sending` (with a lease) and committed *before* the provider is called,
and the provider's answer is committed right after. A worker killed in between leaves a `sending` row whose
lease runs out; the sweeper then sends it again (history: "abandoned"). We chose to resend: the provider may
not have received it (the usual case: killed while waiting on the network), and a lost payment confirmation
or dispatch notice costs the citizen more than a rare duplicate in the milliseconds between the provider's
acceptance and our commit. Neither provider offers an idempotency key on send, so that gap cannot be closed
from our side; the history shows every resend for support to see. A new SMS due now (deliver_outbox) is stored
already `sending` in the planning transaction (see "Durability" for what a database crash can undo).

Durability. Both commits of a notification job (the planning with its claim, then the provider's acceptance) are
answered by PostgreSQL before they reach the disk (`synchronous_commit = off` for these two transactions only): a
durable commit costs an fsync (~1-3.5 ms here), as much as RQ's whole cost of a job. What a PostgreSQL crash can
then undo is the last moment's bookkeeping (PostgreSQL writes relaxed commits out within ~0.6 s, three
`wal_writer_delay`s): a message recorded `sent` becomes `sending` again, and the sweeper sends it once more when
its lease runs out; a planning undone too leaves the outbox row to be handled again, and the citizen gets the
message a second time. That is all a crash can cost: one duplicate SMS for a notification in flight. Never a
lost notification: the outbox row was committed durably by the order's or payment's own transaction (they keep
waiting for the disk: tests/notifications/test_sending.py), and a job that is not done leaves it or its message
for the sweeper. Never money: these transactions write no payment, charge or credit. Without a crash nothing is
sent twice: the claim and the unique message key still hold as before. Refusals, retries and failovers are
recorded durably (rare, and their next step depends on them).

WhatsApp. A citizen who has written to us on WhatsApp is answered there: the channel is decided again at each
send, since the 24-hour window may have closed (or opened again) while the message waited for the morning or a
retry. Inside the window the text goes free-form; outside it, the kind's approved template with the message's
values; without a template, or when WhatsApp refuses it for good or after its retries, the message fails over
to the SMS providers, in their configured order.

Opt-outs and provider errors. A person opted out of the channel a message would go on (notifications.optouts)
gets nothing: the message is `suppressed`, never failed. A provider's error comes classified once by its module's
table (SendError.outcome): throttling and unknown codes are retried later with the plan's delays (a bounded number
of times, then the next provider), a route the provider cannot take goes to the next provider at once, an opt-out
(Twilio 21610, Africa's Talking's blacklist) is recorded and suppresses the message, and the rest fail for good.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from channels.delivery import Outcome
from channels.senders import SendError, SendResult
from channels.whatsapp import route, template_for

from orders_core.phones import number_kind, sms_capable

from . import store
from .dispatch import plan_outbox
from .model import WHATSAPP, Notification, Status
from .optouts import add_opt_out, opted_out
from .policy import reach_of

__all__ = ["send_notification", "deliver_outbox", "Attempt", "channel_of", "keys_of"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    message_id: int
    number: int
    provider: str
    to: str
    text: str
    content_sid: str | None = None  # a WhatsApp template, filled with `variables`
    variables: dict | None = None


def send_notification(uow, notifier, message_id: int) -> str:
    """Send a message if it is due and nobody else holds it; return what happened (a status or "skipped")."""
    attempt = _claim(uow, notifier, message_id)
    if attempt is None:
        return "skipped"
    return _deliver(uow, notifier, attempt)


def deliver_outbox(uow, notifier, outbox_id: int) -> int:
    """Plan the messages of one outbox row and send those due now; how many were due.

    An SMS due now is stored already claimed for its first send (one INSERT, one commit before the provider is
    called: the crash window above is unchanged); a WhatsApp message takes the usual claim at send time."""
    stored = plan_outbox(uow, notifier, outbox_id, claim=_claim_new)
    for message in stored:
        if message.status == Status.SENDING:
            _deliver(uow, notifier, Attempt(message.id, message.attempts, message.provider, message.recipient,
                                            message.text))
        elif message.status == Status.PENDING and message.enqueued_at is not None:
            send_notification(uow, notifier, message.id)
    return sum(1 for m in stored if m.status == Status.SENDING or m.enqueued_at is not None)


def _claim_new(uow, notifier, message: Notification, now, opted_out_of: frozenset | None = None) -> None:
    """Take a new SMS message due now for its first send, or hold it back (opted out, number without SMS);
    `opted_out_of`: the person's opt-outs when read with the message's values (None: read them now)."""
    if message.provider == WHATSAPP or not notifier.plan.providers:
        return
    _hold_back(uow, message, now, opted_out_of)
    if message.claimable(now):
        message.claim(now, notifier.plan)


def _deliver(uow, notifier, attempt: Attempt) -> str:
    """Hand a claimed attempt to its provider and record the outcome."""
    try:
        outcome = _send(notifier, attempt)
    except SendError as exc:
        outcome = exc
    except Exception as exc:  # a sender's bug must not lose the message: count it as a retryable failure
        log.exception("sender %s failed on message %d", attempt.provider, attempt.message_id)
        outcome = SendError(attempt.provider, f"unexpected {type(exc).__name__}", retryable=True)
    return _record(uow, notifier, attempt, outcome)


def _send(notifier, attempt: Attempt) -> SendResult:
    if attempt.provider != WHATSAPP:
        return notifier.senders[attempt.provider].send(attempt.to, attempt.text)
    if attempt.content_sid:
        return notifier.whatsapp.send_template(attempt.to, attempt.content_sid, attempt.variables or {})
    return notifier.whatsapp.send(attempt.to, attempt.text)


def _claim(uow, notifier, message_id: int) -> Attempt | None:
    with uow:
        now = uow.now()
        message = store.message_for_update(uow, message_id)
        if message is None or not message.claimable(now):
            return None
        path, variables = (_whatsapp_path(uow, notifier, message, now) if message.provider == WHATSAPP
                           else (None, None))
        if message.provider != WHATSAPP and not notifier.plan.providers:
            message.refused("no SMS provider is configured", now)
        if message.claimable(now):
            _hold_back(uow, message, now)
        if not message.claimable(now):
            uow.commit()
            return None
        message.claim(now, notifier.plan)
        uow.commit()
        if message.provider == WHATSAPP:
            return Attempt(message.id, message.attempts, WHATSAPP, path.to, message.text, path.content_sid, variables)
        return Attempt(message.id, message.attempts, message.provider, message.recipient, message.text)


def _hold_back(uow, message: Notification, now, opted_out_of: frozenset | None = None) -> None:
    """Keep from the provider what must not reach it: a channel the person opted out of (suppressed), an SMS to a
    number that cannot take one (refused, with the number's kind). `opted_out_of`: the channels the person is
    opted out of, read earlier in this same transaction under the same keys; None: read here."""
    channel = channel_of(message)
    if channel in opted_out_of if opted_out_of is not None else opted_out(uow, keys_of(message), channel):
        message.suppress(f"opted out of {channel}", now)
    elif channel == "sms" and not sms_capable(message.recipient or ""):
        message.refused(f"the number cannot receive SMS ({number_kind(message.recipient or '')})", now)


def _whatsapp_path(uow, notifier, message: Notification, now) -> tuple:
    """The 24-hour rule applied at this send (the citizen may have written since the message was planned):
    free-form, else the kind's template and its numbered variables, else the message fails over to SMS."""
    reach = reach_of(uow, notifier, message.contact or message.recipient) if notifier.whatsapp else None
    template = template_for(notifier.templates, message.kind, message.language, message.variables or {})
    path = route(reach and reach.address, None, reach and reach.last_inbound_at, now, template and template[0])
    if path is None:
        message.fail_over("outside WhatsApp's 24-hour window and no approved template", now, notifier.plan)
        return None, None
    return path, (template[1] if path.content_sid else None)


def _record(uow, notifier, attempt: Attempt, outcome) -> str:
    if isinstance(outcome, SendResult):
        with uow:
            sent = store.record_sent_and_commit(uow, attempt.message_id, attempt.number,
                                                outcome.provider_message_id, outcome.segments)  # "Durability"
            if sent is not None:
                log.info("message %d (%s) attempt %d via %s: %s", attempt.message_id, sent.kind, attempt.number,
                         attempt.provider, Status.SENT)
                return Status.SENT
    with uow:
        message = store.message_for_update(uow, attempt.message_id)
        now = uow.now()
        if message.attempts != attempt.number or message.status != Status.SENDING:
            # Our lease ran out and another attempt took over: keep the history honest, change nothing else.
            message.note("late_outcome", now, _describe(outcome))
        elif isinstance(outcome, SendResult):
            message.accepted(outcome.provider_message_id, outcome.segments, now)
        else:
            _refused(uow, notifier, message, outcome, now)
        uow.commit()
        log.info("message %d (%s) attempt %d via %s: %s", message.id, message.kind, attempt.number,
                 attempt.provider, message.status)
        return message.status


def _refused(uow, notifier, message: Notification, error: SendError, now) -> None:
    """What a provider's refusal means for the message, by its outcome (the provider's table decided it)."""
    shift = lambda t: notifier.quiet.release(t, message.urgent)  # noqa: E731
    if error.outcome == Outcome.OPTED_OUT:
        if _holder(message):
            add_opt_out(uow, _holder(message), channel_of(message), f"{error.provider}:{error.reason}")
        message.suppress(f"opted out at the provider: {error.reason}", now)
    elif error.outcome == Outcome.OTHER_PROVIDER:
        message.fail_over(error.reason, now, notifier.plan, shift)
    elif error.retryable:
        message.retry_later(error.reason, now, notifier.plan, shift)
    elif message.provider == WHATSAPP:  # not a WhatsApp user, outside the window, template refused: SMS reaches them
        message.fail_over(error.reason, now, notifier.plan)
    elif error.outcome == Outcome.NOT_SMS_CAPABLE:
        message.refused(f"the number cannot receive SMS: {error.reason}", now)
    else:
        message.refused(error.reason, now)


def channel_of(message: Notification) -> str:
    """The channel this message goes on now: WhatsApp while its provider is WhatsApp, else SMS."""
    return "whatsapp" if message.provider == WHATSAPP else "sms"


def keys_of(message: Notification) -> list[str]:
    """The keys a person's opt-out may be recorded under: their contact and the number the message goes to."""
    return list(dict.fromkeys(key for key in (message.contact, message.recipient) if key))


def _holder(message: Notification) -> str | None:
    """Whom a provider's opt-out is recorded for: the number on SMS, the contact on WhatsApp."""
    first = (message.contact, message.recipient) if message.provider == WHATSAPP else (message.recipient,
                                                                                        message.contact)
    return next((key for key in first if key), None)


def _describe(outcome) -> str:
    if isinstance(outcome, SendResult):
        return f"accepted as {outcome.provider_message_id}"
    return f"{outcome.reason} ({'retryable' if outcome.retryable else 'permanent'})"
