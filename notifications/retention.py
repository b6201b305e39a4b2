"""Retention: outbox rows handled and messages settled longer ago than the retention period are deleted, so that
the database holds a bounded window of message history rather than all of it."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select

from orders_core.lifecycle import Status as OrderStatus
from orders_core.orm import orders, outbox

from .model import Status
from .orm import agent_notices, notification_events, notification_messages

__all__ = ["Purged", "SETTLED", "BATCH", "BATCHES_PER_RUN", "purge_settled"]

log = logging.getLogger(__name__)
SETTLED = Status.SETTLED
# A periodic run deletes one batch of outbox rows and one of messages (with their events): ~70 ms each on
# PostgreSQL, so a run stays short; it runs every minute (jobs.clock), which deletes several times a national
# day's inflow (tests/notifications/test_retention.py).
BATCH, BATCHES_PER_RUN = 1000, 1


@dataclass(frozen=True)
class Purged:
    outbox: int = 0
    messages: int = 0


def purge_settled(uow, keep: timedelta, batch: int | None = None, max_batches: int | None = None) -> Purged:
    """Delete outbox rows done and messages settled before now - `keep`, a batch per transaction; at most
    `max_batches` of each per run, so that one run stays short and the next one carries on. Each batch is read
    from the oldest end of a time index, so its cost does not depend on how much history is kept."""
    batch, max_batches = batch or BATCH, max_batches or BATCHES_PER_RUN
    with uow:
        cutoff = uow.now() - keep
    done = 0
    for _ in range(max_batches):
        with uow:
            count = _purge_outbox(uow, cutoff, batch)
            uow.commit()
        done += count
        if count < batch:
            break
    settled, after = 0, None
    for _ in range(max_batches):
        with uow:
            count, after = _purge_messages(uow, cutoff, batch, after)
            uow.commit()
        settled += count
        if count < batch:
            break
    if done or settled:
        log.info("retention: %d outbox row(s) and %d message(s) older than %s deleted", done, settled,
                 cutoff.isoformat())
    return Purged(done, settled)


def _purge_outbox(uow, cutoff: datetime, batch: int) -> int:
    # By `done_at`, the leading column of ix_outbox_pending: the index gives the oldest rows, however many are kept.
    ids = uow.session.scalars(select(outbox.c.id).where(outbox.c.done_at < cutoff)
                              .order_by(outbox.c.done_at, outbox.c.id).limit(batch)).all()
    if ids:
        uow.session.execute(delete(outbox).where(outbox.c.id.in_(ids)))
    return len(ids)


def _purge_messages(uow, cutoff: datetime, batch: int, after):
    """One batch of settled messages, the oldest by `updated_at` after the key `after` (updated_at, id) the previous
    batch of this run stopped at. Returns how many were deleted and where to carry on."""
    m = notification_messages.c
    stmt = select(m.id, m.updated_at).where(m.updated_at < cutoff, m.status.in_(SETTLED), ~_told_of_waiting_order())
    if after is not None:
        stmt = stmt.where(m.updated_at >= after[0], or_(m.updated_at > after[0], m.id > after[1]))
    rows = uow.session.execute(stmt.order_by(m.updated_at, m.id).limit(batch)).all()
    if not rows:
        return 0, after
    ids = [row.id for row in rows]
    uow.session.execute(delete(notification_events).where(notification_events.c.message_id.in_(ids)))
    uow.session.execute(delete(agent_notices).where(agent_notices.c.message_id.in_(ids)))
    uow.session.execute(delete(notification_messages).where(m.id.in_(ids)))
    return len(ids), (rows[-1].updated_at, rows[-1].id)


def _told_of_waiting_order():
    """The message is an agent's notice of an order still waiting: it keeps that order out of their next digest,
    so it stays until the order has moved on. Left out of the batch itself (by key, through the notices' index),
    so that kept notices at the old end never use up a run."""
    n = agent_notices.c
    return exists().where(n.message_id == notification_messages.c.id, orders.c.id == n.order_id,
                          orders.c.status == OrderStatus.RECEIVED)
