"""Retention: outbox rows handled and messages settled longer ago than the retention period are deleted, so that
the database holds a bounded window of message history rather than all of it."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select

from orders_core.lifecycle import Status as OrderStatus
from orders_core.orm import orders, outbox

from .model import Status
from .orm import agent_notices, notification_events, notification_messages

__all__ = ["Purged", "SETTLED", "purge_settled"]

log = logging.getLogger(__name__)
# A message in one of these statuses is never sent again; a late delivery report may still move it, which
# touches `updated_at` and so restarts its retention.
SETTLED = (Status.SENT, Status.DELIVERED, Status.UNDELIVERED, Status.FAILED, Status.UNREACHABLE)


@dataclass(frozen=True)
class Purged:
    outbox: int = 0
    messages: int = 0


def purge_settled(uow, keep: timedelta, batch: int = 1000, max_batches: int = 100) -> Purged:
    """Delete outbox rows done and messages settled before now - `keep`, a batch per transaction; at most
    `max_batches` of each per run, so that one run stays short and the next one carries on."""
    with uow:
        cutoff = uow.now() - keep
    done = _repeat(uow, lambda: _purge_outbox(uow, cutoff, batch), batch, max_batches)
    settled = _repeat(uow, lambda: _purge_messages(uow, cutoff, batch), batch, max_batches)
    if done or settled:
        log.info("retention: %d outbox row(s) and %d message(s) older than %s deleted", done, settled,
                 cutoff.isoformat())
    return Purged(done, settled)


def _repeat(uow, purge_batch, batch: int, max_batches: int) -> int:
    total = 0
    for _ in range(max_batches):
        with uow:
            count = purge_batch()
            uow.commit()
        total += count
        if count < batch:
            break
    return total


def _purge_outbox(uow, cutoff: datetime, batch: int) -> int:
    ids = uow.session.scalars(select(outbox.c.id).where(outbox.c.done_at < cutoff).order_by(outbox.c.id)
                              .limit(batch)).all()
    if ids:
        uow.session.execute(delete(outbox).where(outbox.c.id.in_(ids)))
    return len(ids)


def _purge_messages(uow, cutoff: datetime, batch: int) -> int:
    m, n = notification_messages.c, agent_notices.c
    # An agent's notice of an order still waiting is what keeps that order out of their next digest: its message
    # stays until the order has moved on.
    still_waiting = exists().where(n.message_id == m.id, n.order_id == orders.c.id,
                                   orders.c.status == OrderStatus.RECEIVED)
    ids = uow.session.scalars(select(m.id).where(m.updated_at < cutoff, m.status.in_(SETTLED), ~still_waiting)
                              .order_by(m.id).limit(batch)).all()
    if ids:
        uow.session.execute(delete(notification_events).where(notification_events.c.message_id.in_(ids)))
        uow.session.execute(delete(agent_notices).where(n.message_id.in_(ids)))
        uow.session.execute(delete(notification_messages).where(m.id.in_(ids)))
    return len(ids)
