"""RQ jobs of the conversations: answer an SMS, send a recorded reply, apply a delivery report.

An SMS or a report reaches its job as its row in the inbox (channels.inbox), which the job claims and marks done;
when the database was down at the callback, as the message itself, carried by the job alone. The dialog, the
senders and the surfaces come from the composition root (bootstrap); the work is conversations.replies'.
"""
from __future__ import annotations

import logging

import rq
from rq import Retry

import bootstrap
from channels.delivery import DeliveryStatus
from channels.inbox import claim_report, inbound_of, mark_done, release, values_of
from channels.message import Inbound
from channels.records import record_inbound
from conversations import replies
from conversations.replies import REPLY_STUCK
from persistence import message_kind

__all__ = ["REPORT_OWNERS", "enqueue_answer", "answer_sms",
           "send_sms", "resend_replies", "delivery_report", "plain", "inbound_from", "SEND_RETRY",
           "REPLY_STUCK"]

log = logging.getLogger(__name__)
SEND_RETRY = Retry(max=2, interval=[300, 600])  # as courier: again after 5 and 10 minutes, then failed


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
    return replies.answer_once(services, answer_sms, message, attempt, _answer_sms)


def _answer_sms(services, inbound: Inbound, attempt: int) -> str:
    return replies.answer(services, inbound, send_sms, retry=SEND_RETRY)


def send_sms(sms_id: int) -> str:
    """Send a recorded reply through the first provider that takes it; failed after the last retry."""
    job = rq.get_current_job()
    return replies.send_reply(bootstrap.current(), sms_id, retries_left=bool(job and job.retries_left))


def resend_replies() -> int:
    """Periodic: queue again the sending of replies whose sending job was lost with Redis; how many."""
    return replies.resend_stuck(bootstrap.current(), send_sms, retry=SEND_RETRY)


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
    replies.apply_reply_report(services, status)


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
