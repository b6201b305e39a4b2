"""RQ jobs of the conversations: answer an SMS, send a recorded reply, apply a delivery report.

An SMS or a report reaches its job as its row in the inbox (channels.inbox), which the job claims and marks done;
when the database was down at the callback, as the message itself, carried by the job alone. The dialog, the
senders and the surfaces come from the composition root (bootstrap).
"""
from __future__ import annotations

import logging
from datetime import timedelta

import rq
from rq import Retry

import bootstrap
from channels import sms
from channels.delivery import DeliveryStatus, Outcome
from channels.inbox import claim_message, claim_report, inbound_of, mark_done, release, values_of
from channels.message import Inbound, Reply
from channels.records import (
    apply_delivery, claim_for_sending, mark_failed, mark_sent, record_inbound, record_reply, recipient_of,
    stale_replies,
)
from channels.senders import SendError
from dialog import Dialog, Surface
from dialog.sessions import Busy
from notifications.optouts import opt_out
from persistence import message_kind

__all__ = ["REPORT_OWNERS", "enqueue_answer", "answer_sms",
           "answer_message", "send_sms", "resend_replies", "delivery_report", "plain", "inbound_from", "SEND_RETRY"]

log = logging.getLogger(__name__)
SEND_RETRY = Retry(max=2, interval=[300, 600])  # as courier: again after 5 and 10 minutes, then failed
REPLY_STUCK = timedelta(minutes=15)  # longer than SEND_RETRY's waits: a reply queued longer has lost its job
def plain(inbound: Inbound) -> dict:
    """An inbound message as plain values, for a job's arguments."""
    return values_of(inbound)


def inbound_from(values: dict) -> Inbound:
    return inbound_of(values)


def enqueue_answer(services, inbound: Inbound, attempt: int = 1):
    """Queue `answer_sms` carrying an incoming SMS itself (high queue: the citizen is waiting)."""
    # RQ logs a job's description: the default one would show the arguments, phone number and text included.
    return services.enqueue(answer_sms, plain(inbound), attempt, queue="high",
                            description=f"answer_sms({inbound.provider} {inbound.provider_message_id})")


def answer_sms(message: int | dict, attempt: int = 1) -> str:
    """Run the dialog for one incoming SMS (its inbox id, or the message carried) and queue its reply; return what
    happened."""
    services = bootstrap.current()
    if isinstance(message, dict) and attempt == 1:  # carried: the callback could not record it
        inbound = inbound_from(message)
        record_inbound(services.uow(), inbound.contact, inbound.text, inbound.provider, inbound.provider_message_id)
    return answer_message(services, answer_sms, message, attempt, _answer_sms)


def _answer_sms(services, inbound: Inbound, attempt: int) -> str:
    return queue_reply(services, inbound, services.dialog.handle(inbound, services.surfaces[inbound.channel]))


def answer_message(services, job, message: int | dict, attempt: int, answer) -> str:
    """Run `answer(services, inbound, attempt)` once for a message: an inbox row (claimed, then marked done) or the
    message carried in the job. A busy contact (another of its messages being answered) puts the job back in the
    queue, behind that one; after three tries the row waits for the inbox's sweep."""
    stored = not isinstance(message, dict)
    inbound = claim_message(services.uow(), message) if stored else inbound_from(message)
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


def queue_reply(services, inbound: Inbound, reply: Reply) -> str:
    text = sms.render(reply)
    if not text:
        return "quiet"
    answered = f"{inbound.provider}:{inbound.provider_message_id}"
    sms_id = record_reply(services.uow(), inbound.contact, text, answered, inbound.provider)
    if sms_id is None:
        return "answered already"
    services.enqueue(send_sms, sms_id, queue="high", retry=SEND_RETRY)
    return "queued"


def send_sms(sms_id: int) -> str:
    """Send a recorded reply through the first provider that takes it; failed after the last retry."""
    services = bootstrap.current()
    outgoing = claim_for_sending(services.uow(), sms_id)
    if outgoing is None:
        return "skipped"
    failures = []
    for name in _providers(services, outgoing.provider):
        try:
            result = services.sms_senders[name].send(outgoing.to, outgoing.text)
        except SendError as exc:
            failures.append(exc)
            log.warning("SMS %d not sent by %s: %s", sms_id, name, exc.reason)
            continue
        mark_sent(services.uow(), sms_id, result)
        return "sent"
    return _failed(services, sms_id, failures)


def resend_replies() -> int:
    """Periodic: queue again the sending of replies queued for longer than REPLY_STUCK (their job lost with
    Redis); how many."""
    services = bootstrap.current()
    stale = stale_replies(services.uow(), services.clock() - REPLY_STUCK)
    for sms_id in stale:
        services.enqueue(send_sms, sms_id, queue="high", retry=SEND_RETRY)
    if stale:
        log.info("SMS replies whose sending job was lost, queued again: %d", len(stale))
    return len(stale)


def _providers(services, preferred: str | None) -> list[str]:
    """The configured providers that are wired, the one the citizen wrote to first (same number to answer)."""
    wired = [name for name in services.settings.sms_providers if name in services.sms_senders]
    return sorted(wired, key=lambda name: name != preferred)


def _failed(services, sms_id: int, failures: list[SendError]) -> str:
    job = rq.get_current_job()
    again = any(f.retryable for f in failures) and bool(job and job.retries_left)
    reason = "; ".join(f"{f.provider}: {f.reason}" for f in failures) or "no SMS provider is configured"
    mark_failed(services.uow(), sms_id, reason, final=not again)
    if again:
        raise RuntimeError(f"SMS {sms_id} not sent yet: {reason}")  # RQ tries again (SEND_RETRY)
    return "failed"


def delivery_report(report: int | dict) -> bool | None:
    """Apply a provider's delivery report (its inbox id, or the report carried) to the message it names: our SMS
    reply, a notification or a premium charge; whether it was an SMS reply (None: the report was done already)."""
    services = bootstrap.current()
    if isinstance(report, dict):
        return _apply_report(services, DeliveryStatus(**report))
    status = claim_report(services.uow(), report)
    if status is None:
        return None
    try:
        ours = _apply_report(services, status)
    except Exception:
        release(services.uow(), report)  # RQ tries again (REPORT_RETRY), or else the inbox's sweep
        raise
    mark_done(services.uow(), report)
    return ours


def _apply_report(services, status: DeliveryStatus) -> bool:
    # Applied here, in the owner's own transaction, not in a job of its own: a report done in the inbox must not
    # live on only in Redis. Applying one twice changes nothing (statuses never go back).
    kind = message_kind(services.uow(), status.provider, status.provider_message_id)
    # None: maybe a premium charge whose id is not recorded yet (the report overtook it); payments say.
    REPORT_OWNERS[kind or "charge"](services, status)
    return kind == "reply"


def _to_replies(services, status: DeliveryStatus) -> None:
    """Our SMS reply's status; refused because its recipient opted out at the provider (Twilio 21610): recorded
    as an opt-out of SMS."""
    apply_delivery(services.uow(), status)
    if status.outcome == Outcome.OPTED_OUT:
        recipient = recipient_of(services.uow(), status.provider, status.provider_message_id)
        if recipient:
            opt_out(services.uow(), recipient, "sms", f"{status.provider}:{status.detail}")


def _to_payments(services, status: DeliveryStatus) -> None:
    from jobs.payments import delivery_report as charge_report  # premium charges count on the final report
    # Raises while a charge's id may not be recorded yet (the report overtook it): this job is tried again.
    charge_report(status.provider, status.provider_message_id, status.provider_status, status.detail)


def _to_notifications(services, status: DeliveryStatus) -> None:
    from jobs.notifications import record_delivery_report  # their messages: history, fail-over
    record_delivery_report(status.provider, status.provider_message_id, status.status or status.provider_status,
                           status.detail, status.outcome)


# What a report names (persistence.message_kind) -> who applies it.
REPORT_OWNERS = {"reply": _to_replies, "charge": _to_payments, "notification": _to_notifications}
