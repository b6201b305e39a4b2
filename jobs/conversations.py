"""RQ jobs of the conversations (answer an SMS, send a recorded reply, apply a delivery report), and the wiring of
the dialog and the SMS senders into the composition root.

Hooks for other packages, all in `services.adapters`:
- "dialog_routers": routers `(Inbound) -> Reply | None` tried before the citizen flows (default: agent commands);
- "dialog_flows": flows replacing or adding to dialog.flows.registry() by name (e.g. the payments' "pay");
- "understand": `(text) -> dialog.Intent | None`, free-text understanding on SMS and WhatsApp (never USSD);
- "sms_senders": senders by name (channels.registry), tried in SHUBBAK_SMS_PROVIDERS order;
- DELIVERY_LISTENERS below: who else hears of each delivery report.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

import rq
from rq import Retry

import bootstrap
from channels import sms, ussd
from channels.delivery import DeliveryStatus
from channels.message import Inbound, Reply
from channels.records import apply_delivery, claim_for_sending, mark_failed, mark_sent, record_inbound, record_reply
from channels.registry import build_senders
from channels.senders import SendError
from dialog import Dialog, Ports, SessionStore, Surface, registry
from dialog.sessions import Busy

__all__ = ["SURFACES", "DELIVERY_LISTENERS", "install", "dialog_of", "senders_of", "enqueue_answer", "answer_sms",
           "send_sms",
           "delivery_report", "plain", "inbound_from", "SEND_RETRY"]

log = logging.getLogger(__name__)
USSD_SECONDS = 300  # Africa's Talking closes a session after 180 s; a late step still finds it
CHAT_SECONDS = 30 * 60  # SMS: a conversation idle for 30 minutes starts again
SEND_RETRY = Retry(max=2, interval=[300, 600])  # as courier: again after 5 and 10 minutes, then failed

SURFACES = {
    "ussd": Surface("ussd", pager=ussd.screens, must_answer=True, free_text=False, per_session=True,
                    session_seconds=USSD_SECONDS, latin_until_chosen=True),
    "sms": Surface("sms", session_seconds=CHAT_SECONDS),
}


def install(services) -> None:
    """Register the SMS senders of every configured provider (one line in bootstrap.build)."""
    senders_of(services)


def senders_of(services) -> dict:
    return services.adapters.setdefault("sms_senders", build_senders(services.settings))


def dialog_of(services) -> Dialog:
    """The process's dialog engine, built on first use from the settings and the registered hooks."""
    if "dialog" not in services.adapters:
        ports = Ports(services.uow, services.settings.prices, services.catalogs, services.clock,
                      services.settings.at_short_code)
        routers = services.adapters.setdefault("dialog_routers", _default_routers(services))
        flows = registry(services.adapters.get("dialog_flows", ()))
        services.adapters["dialog"] = Dialog(ports, SessionStore(services.redis), flows, routers,
                                             services.adapters.get("understand"))
    return services.adapters["dialog"]


def _default_routers(services) -> list:
    from jobs.notifications import agent_commands  # agents act on orders by SMS from their registered number
    return [agent_commands(services)]


def plain(inbound: Inbound) -> dict:
    """An inbound message as plain values, for a job's arguments."""
    values = asdict(inbound)
    values["received_at"] = inbound.received_at.isoformat() if inbound.received_at else None
    return values


def inbound_from(values: dict) -> Inbound:
    moment = values.get("received_at")
    return Inbound(**{**values, "received_at": datetime.fromisoformat(moment) if moment else None})


def enqueue_answer(services, inbound: Inbound, attempt: int = 1):
    """Queue `answer_sms` for an incoming SMS (high queue: the citizen is waiting)."""
    # RQ logs a job's description: the default one would show the arguments, phone number and text included.
    return services.enqueue(answer_sms, plain(inbound), attempt, queue="high",
                            description=f"answer_sms({inbound.provider} {inbound.provider_message_id})")


def answer_sms(message: dict, attempt: int = 1) -> str:
    """Run the dialog for one incoming SMS and queue its reply; return what happened."""
    services, inbound = bootstrap.current(), inbound_from(message)
    if attempt == 1:
        record_inbound(services.uow(), inbound.contact, inbound.text, inbound.provider, inbound.provider_message_id)
    try:
        reply = dialog_of(services).handle(inbound, SURFACES[inbound.channel])
    except Busy:  # another SMS of this number is being answered: this one goes after it
        if attempt < 3:
            enqueue_answer(services, inbound, attempt + 1)
        return "busy"
    return queue_reply(services, inbound, reply)


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
            result = senders_of(services)[name].send(outgoing.to, outgoing.text)
        except SendError as exc:
            failures.append(exc)
            log.warning("SMS %d not sent by %s: %s", sms_id, name, exc.reason)
            continue
        mark_sent(services.uow(), sms_id, result)
        return "sent"
    return _failed(services, sms_id, failures)


def _providers(services, preferred: str | None) -> list[str]:
    """The configured providers that are wired, the one the citizen wrote to first (same number to answer)."""
    wired = [name for name in services.settings.sms_providers if name in senders_of(services)]
    return sorted(wired, key=lambda name: name != preferred)


def _failed(services, sms_id: int, failures: list[SendError]) -> str:
    job = rq.get_current_job()
    again = any(f.retryable for f in failures) and bool(job and job.retries_left)
    reason = "; ".join(f"{f.provider}: {f.reason}" for f in failures) or "no SMS provider is configured"
    mark_failed(services.uow(), sms_id, reason, final=not again)
    if again:
        raise RuntimeError(f"SMS {sms_id} not sent yet: {reason}")  # RQ tries again (SEND_RETRY)
    return "failed"


def delivery_report(report: dict) -> bool:
    """Apply a provider's delivery report to our record, and pass it on to the other packages that send SMS."""
    services, status = bootstrap.current(), DeliveryStatus(**report)
    ours = apply_delivery(services.uow(), status)
    for listener in DELIVERY_LISTENERS:
        listener(services, status)
    return ours


def _to_notifications(services, status: DeliveryStatus) -> None:
    from jobs.notifications import record_delivery_report  # their messages: history, fail-over
    services.enqueue(record_delivery_report, status.provider, status.provider_message_id,
                     status.status or status.provider_status, status.detail)


def _to_payments(services, status: DeliveryStatus) -> None:
    from jobs.payments import enqueue_report  # premium charges count on the final report, in the provider's words
    enqueue_report(services, status.provider, status.provider_message_id, status.provider_status, status.detail)


DELIVERY_LISTENERS = [_to_notifications, _to_payments]
