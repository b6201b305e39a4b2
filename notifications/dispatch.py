"""From outbox rows to stored messages: claim rows, run the topic's handler, store each message once, sweep."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from texts import count

from . import citizens, staff, store
from .model import WHATSAPP, Audience, Notification, Planned, Status
from .policy import choose_channel, reach_of, template_of

__all__ = ["HANDLERS", "claim_outbox", "handle_outbox", "plan_outbox", "store_planned", "sweep", "Swept",
           "MAX_OUTBOX_ATTEMPTS"]

log = logging.getLogger(__name__)
MAX_OUTBOX_ATTEMPTS = 8  # a row failing this often is left for an operator (logged), not retried forever


def _both(*handlers):
    def run(uow, event, notifier):
        return [planned for handler in handlers for planned in handler(uow, event, notifier)]
    return run


# Outbox topic -> the function planning its messages. Topics absent here need no message.
HANDLERS = {
    "order.placed": citizens.order_placed,
    "payment.received": citizens.payment_received,
    "order.status_changed": citizens.order_status_changed,
    "complaint.filed": _both(citizens.complaint_filed_citizen, staff.complaint_filed_inspectors),
    "complaint.status_changed": citizens.complaint_status_changed,
    "escalation.reply": citizens.escalation_reply,
    "payment.premium_stopped": citizens.premium_notice,
    "payment.premium_next": citizens.premium_notice,
}


def claim_outbox(uow, batch: int = 200) -> list[int]:
    """Mark new outbox rows as enqueued and return their ids; concurrent dispatchers skip each other's rows."""
    with uow:
        ids = store.claim_new_outbox(uow, batch)
        uow.commit()
        return ids


def handle_outbox(uow, notifier, outbox_id: int) -> list[int]:
    """Plan and store the messages of one outbox row, once; return the ids of those to send now."""
    return [m.id for m in plan_outbox(uow, notifier, outbox_id) if m.enqueued_at is not None]


def plan_outbox(uow, notifier, outbox_id: int, claim=None) -> list[Notification]:
    """Plan and store the messages of one outbox row, once (none when it was handled already).

    `claim(uow, notifier, message, now, opted_out_of)`, when given, may take a message due now for its first send before it is stored,
    so that storing and claiming are one INSERT and one commit (notifications.sending.deliver_outbox)."""
    with uow:
        row = store.take_outbox_row(uow, outbox_id)
        if row is None:
            return []
        handler = HANDLERS.get(row.topic)
        plans = handler(uow, row, notifier) if handler else []
        # Committed with the last message stored (one round trip on PostgreSQL), not waiting for the disk: lost in
        # a crash, the row is handled again (messages are stored once per key); what that can cost is argued in
        # notifications/sending.py, "Durability".
        stored = [store_planned(uow, notifier, planned, outbox_id, claim, commit=n == len(plans) - 1)
                  for n, planned in enumerate(plans)]
        if not plans:
            uow.commit(durable=False)
        return [m for m in stored if m is not None]


def store_planned(uow, notifier, planned: Planned, outbox_id: int | None = None, claim=None,
                  commit: bool = False) -> Notification | None:
    """Render and store a planned message unless its key is stored already; mark it enqueued when due now.
    `commit`: then commit the unit of work, not waiting for the disk (as the message's INSERT when it can)."""
    now = uow.now()
    message = _render(uow, notifier, planned, now, outbox_id)
    if claim is not None and message.enqueued_at is not None:
        claim(uow, notifier, message, now, planned.opted_out_of)
    message.id = store.insert_message(uow, message, commit=commit and not planned.notices)
    if message.id is not None:
        store.add_notices(uow, planned.user_id, planned.notices, message.id, message.created_at)
    if commit and planned.notices:
        uow.commit(durable=False)
    return message if message.id is not None else None


def _render(uow, notifier, planned: Planned, now, outbox_id: int | None) -> Notification:
    """The stored message: its text, and the channel it would take when due (checked again at each send)."""
    language = notifier.catalogs.language(planned.language)
    text = notifier.catalogs.text(language, planned.template, **planned.values)
    due = notifier.quiet.release(now, planned.urgent)
    by_whatsapp = planned.audience == Audience.CITIZEN and planned.channel != "sms"
    reach = reach_of(uow, notifier, planned.contact or planned.phone) if by_whatsapp else None
    channel = choose_channel(planned.phone, planned.contact, planned.kind, whatsapp=reach and reach.address,
                             last_inbound_at=reach and reach.last_inbound_at, now=due,
                             template=template_of(notifier, planned.kind, language, planned.values))
    message = Notification(
        key=planned.key, audience=planned.audience, kind=planned.kind, template=planned.template,
        language=language, channel=channel, contact=planned.contact, recipient=planned.phone, text=text,
        variables={name: str(value) for name, value in planned.values.items()},
        segments=count(text).segments, urgent=planned.urgent,
        status=Status.PENDING if channel else Status.UNREACHABLE, provider=WHATSAPP if channel == WHATSAPP else None,
        provider_message_id=None, attempts=0, provider_attempts=0, next_attempt_at=due, lease_until=None,
        enqueued_at=now if channel and due <= now else None, last_error=None, outbox_id=outbox_id,
        order_id=planned.order_id, user_id=planned.user_id, created_at=now, updated_at=now, sent_at=None, events=[],
    )
    if channel and due > now:
        message.note("held", now, f"quiet hours until {due.isoformat()}")
    else:
        message.note(message.status, now)
    return message


@dataclass(frozen=True)
class Swept:
    """What a sweep handed back to the queues."""

    outbox_ids: list
    message_ids: list


def sweep(uow, notifier, batch: int = 500) -> Swept:
    """Re-enqueue outbox rows stuck without an outcome, and messages due (retries, mornings, dead workers)."""
    with uow:
        now = uow.now()
        rows = _stuck_outbox(uow, now, now - notifier.stuck, batch)
        messages = _due_messages(uow, now, now - notifier.stuck, batch)
        uow.commit()
        return Swept([r.id for r in rows], [m.id for m in messages])


def _stuck_outbox(uow, now, stale, batch: int) -> list:
    rows = store.stuck_outbox(uow, stale, MAX_OUTBOX_ATTEMPTS, batch)
    for row in rows:
        row.enqueued_at, row.attempts = now, row.attempts + 1
        if row.attempts == MAX_OUTBOX_ATTEMPTS:
            log.error("outbox row %d (%s) tried %d times: last try before it is left for an operator",
                      row.id, row.topic, row.attempts)
    return rows


def _due_messages(uow, now, stale, batch: int) -> list[Notification]:
    """Pending and due, or sending under a lapsed lease; not already handed to a queue lately."""
    messages = store.due_messages(uow, now, stale, batch)
    for message in messages:
        message.enqueued_at = now
    return messages
