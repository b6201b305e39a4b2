"""RQ jobs of the notifications package: hand the outbox over, plan and send messages, sweep, digests, history.
The notifier comes from the composition root (bootstrap); the periodic clock that starts these is jobs.clock."""
from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

import bootstrap
import notifications
from jobs import payments as payment_jobs
from orders_core.services import expire_unpaid
from orders_core.uow import UnitOfWork

__all__ = [
    "dispatch_outbox", "handle_outbox", "send", "sweep", "agent_digests", "late_reports", "expire_orders",
    "expire_charges", "purge_history", "record_delivery_report",
]

log = logging.getLogger(__name__)


def _send_each(services, message_ids) -> int:
    for message_id in message_ids:
        services.enqueue(send, message_id)
    return len(message_ids)


def dispatch_outbox() -> int:
    """Claim new outbox rows and enqueue one handling job per row."""
    services = bootstrap.current()
    claimed = notifications.claim_outbox(services.uow())
    for outbox_id in claimed:
        services.enqueue(handle_outbox, outbox_id)
    return len(claimed)


def handle_outbox(outbox_id: int) -> int:
    """Plan and store the messages of one outbox row, then send those due now in this same job: one job per
    notification (a `send` job each cost RQ as much again as the sending itself). A message stored but not sent
    because this job died is due and marked enqueued: the sweeper hands it to a `send` job once it is stale."""
    services = bootstrap.current()
    # One pooled connection for the job's two transactions (planning, then the send's outcome): each checkout
    # pings the database first, a round trip as dear as a statement.
    with services.engine.connect() as connection:
        uow = UnitOfWork(partial(services.session_factory, bind=connection), services.clock)
        return notifications.deliver_outbox(uow, services.notifier, outbox_id)


def send(message_id: int) -> str:
    services = bootstrap.current()
    return notifications.send_notification(services.uow(), services.notifier, message_id)


def sweep() -> int:
    """Re-enqueue stuck outbox rows and due messages (retries, the morning after quiet hours, dead workers)."""
    services = bootstrap.current()
    swept = notifications.sweep(services.uow(), services.notifier)
    for outbox_id in swept.outbox_ids:
        services.enqueue(handle_outbox, outbox_id)
    return len(swept.outbox_ids) + _send_each(services, swept.message_ids)


def agent_digests() -> int:
    services = bootstrap.current()
    return _send_each(services, notifications.agent_digests(services.uow(), services.notifier))


def late_reports() -> int:
    services = bootstrap.current()
    return _send_each(services, notifications.late_reports(services.uow(), services.notifier))


def expire_orders() -> int:
    return expire_unpaid(bootstrap.current().uow())


def record_delivery_report(provider: str, provider_message_id: str, status: str, detail: str | None = None,
                           outcome: str | None = None) -> bool:
    """The channels' delivery-report hook: add a provider's report to the message's history (`outcome`: what its
    error code means, channels.delivery.Outcome)."""
    services = bootstrap.current()
    return notifications.record_status(services.uow(), services.notifier, provider, provider_message_id, status,
                                       detail, outcome)


def expire_charges() -> int:
    """The payments package's charge expiry (premium charges with no final report), on this clock."""
    return payment_jobs.expire_charges()


def purge_history() -> int:
    """Delete outbox rows and messages older than the retention period (notify_retention_days; 0 keeps all)."""
    services = bootstrap.current()
    days = services.settings.notify_retention_days
    if days <= 0:
        return 0
    purged = notifications.purge_settled(services.uow(), timedelta(days=days))
    return purged.outbox + purged.messages
