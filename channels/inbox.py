"""The inbox: provider callbacks (incoming SMS and WhatsApp messages, delivery reports) stored before they are
acknowledged, processed by a job that marks them done, handed again by `sweep` when no job finished them.

The database is the truth: a replay of a stored callback changes nothing, even after Redis forgot it, and a
callback whose job was lost (Redis restarted empty) is found again. An incoming SMS keeps its number and text once,
in sms_messages (the conversation's record, written in the same transaction); a WhatsApp message's number and text
wait in `payload` until it is done, and the payload is emptied then.

Functions take an open-able unit of work (`with uow:` ... `uow.commit()`); they use its SQLAlchemy session only.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, null, or_, select, update
from sqlalchemy.exc import IntegrityError

from orders_core.columns import duplicate_key

from .delivery import DeliveryStatus
from .message import Inbound
from .orm import inbox as t
from .orm import sms_messages
from .records import add_inbound

__all__ = ["record_message", "record_report", "not_queued", "claim_message", "claim_report", "release", "mark_done",
           "sweep", "purge", "Stuck", "values_of", "inbound_of", "REPORT", "LEASE", "MAX_ATTEMPTS", "KEEP"]

log = logging.getLogger(__name__)
REPORT = "report"  # the kind of a delivery report; a message's kind is its channel ("sms", "whatsapp")
LEASE = timedelta(seconds=200)  # longer than RQ's default job timeout (180 s): a lapsed lease is a dead job
MAX_ATTEMPTS = 8  # hand-overs to a queue before a callback is left for an operator (logged), as the outbox's
KEEP = timedelta(days=7)  # done rows stay this long, so that a late replay is still known (Redis keeps 48 h)
_SKIPPED = frozenset({"channel", "provider", "provider_message_id"})  # in columns of their own


def values_of(inbound: Inbound) -> dict:
    """An incoming message as plain JSON values (for a job's arguments or a payload)."""
    values = asdict(inbound)
    values["received_at"] = inbound.received_at.isoformat() if inbound.received_at else None
    return values


def inbound_of(values: dict) -> Inbound:
    moment = values.get("received_at")
    return Inbound(**{**values, "received_at": datetime.fromisoformat(moment) if moment else None})


def record_message(uow, inbound: Inbound) -> int | None:
    """Store an incoming message before it is acknowledged: its inbox id, or None when stored already (a replay).
    An SMS joins its conversation's record in the same transaction."""
    if not inbound.provider_message_id:
        raise ValueError(f"a {inbound.channel} message without the provider's id cannot be stored once")
    with uow:
        sms_id = None
        if inbound.channel == "sms":
            sms_id = add_inbound(uow, inbound.contact, inbound.text, inbound.provider, inbound.provider_message_id)
        return _insert(uow, inbound.provider, inbound.channel, inbound.provider_message_id, "",
                       _payload(inbound, in_sms=sms_id is not None), sms_id)


def record_report(uow, report: DeliveryStatus) -> int | None:
    """Store a delivery report before it is acknowledged: its inbox id, or None when stored already (a replay)."""
    with uow:
        payload = {"status": report.status, "final": report.final, "detail": report.detail,
                   "outcome": report.outcome}
        return _insert(uow, report.provider, REPORT, report.provider_message_id, report.provider_status, payload)


def _payload(inbound: Inbound, in_sms: bool) -> dict:
    kept = set(_SKIPPED)
    if in_sms:  # number and text are in sms_messages; an SMS's phone is its contact
        kept |= {"contact", "text"} | ({"phone"} if inbound.phone == inbound.contact else set())
    return {k: v for k, v in values_of(inbound).items() if k not in kept}


def _insert(uow, provider: str, kind: str, message_id: str, status: str, payload: dict,
            sms_id: int | None = None) -> int | None:
    # Handed to the queue right after the commit, by the caller: `not_queued` undoes this when that fails.
    now = uow.now()
    row = dict(provider=provider, kind=kind, provider_message_id=message_id, provider_status=status, sms_id=sms_id,
               payload=payload, received_at=now, enqueued_at=now, attempts=1)
    try:
        new_id = uow.session.execute(insert(t).values(**row)).inserted_primary_key[0]
        uow.session.commit()
    except IntegrityError as exc:
        uow.session.rollback()  # the SMS record added with it goes too
        if not duplicate_key(exc):
            raise
        return None
    return new_id


def not_queued(uow, inbox_id: int) -> None:
    """The queue did not take the row's job (Redis down): the next sweep hands it over."""
    with uow:
        uow.session.execute(update(t).where(t.c.id == inbox_id, t.c.done_at.is_(None))
                            .values(enqueued_at=None, attempts=t.c.attempts - 1))
        uow.commit()


def claim_message(uow, inbox_id: int) -> Inbound | None:
    """Take a stored message for processing (a lease of LEASE): None when done, or taken by another job."""
    with uow:
        row = _claim(uow, inbox_id)
        if row is None:
            return None
        values = {**row.payload, "channel": row.kind, "provider": row.provider,
                  "provider_message_id": row.provider_message_id}
        if row.sms_id is not None:
            sms = uow.session.execute(select(sms_messages.c.contact, sms_messages.c.text)
                                      .where(sms_messages.c.id == row.sms_id)).first()
            values = {"phone": sms.contact, **values, "contact": sms.contact, "text": sms.text}
        uow.commit()
    return inbound_of(values)


def claim_report(uow, inbox_id: int) -> DeliveryStatus | None:
    """Take a stored delivery report for processing (a lease): None when done, or taken by another job."""
    with uow:
        row = _claim(uow, inbox_id)
        uow.commit()
    if row is None:
        return None
    return DeliveryStatus(row.provider, row.provider_message_id, row.payload["status"], row.provider_status,
                          row.payload["final"], row.payload["detail"], row.payload.get("outcome"))


def _claim(uow, inbox_id: int):
    now = uow.now()
    taken = uow.session.execute(update(t).where(t.c.id == inbox_id, t.c.done_at.is_(None),
                                                or_(t.c.lease_until.is_(None), t.c.lease_until <= now))
                                .values(lease_until=now + LEASE)).rowcount
    return uow.session.execute(select(t).where(t.c.id == inbox_id)).first() if taken else None


def release(uow, inbox_id: int) -> None:
    """Give a claimed row back undone (its contact was busy): the next job may take it at once."""
    with uow:
        uow.session.execute(update(t).where(t.c.id == inbox_id).values(lease_until=None))
        uow.commit()


def mark_done(uow, inbox_id: int) -> bool:
    """Done for good, the payload emptied; False when it was done already."""
    with uow:
        changed = uow.session.execute(update(t).where(t.c.id == inbox_id, t.c.done_at.is_(None))
                                      .values(done_at=uow.now(), lease_until=None, payload=null())).rowcount
        uow.commit()
    return bool(changed)


@dataclass(frozen=True)
class Stuck:
    """A row handed to a queue again by the sweep."""

    id: int
    kind: str


def sweep(uow, stale: timedelta, batch: int = 200) -> list[Stuck]:
    """Hand over again the rows no job finished: never queued (Redis was down), or queued longer than `stale` ago
    and not being processed (the job lost with Redis, its worker dead); oldest first."""
    with uow:
        now = uow.now()
        rows = uow.session.execute(
            select(t.c.id, t.c.kind, t.c.attempts, t.c.provider).where(
                t.c.done_at.is_(None), t.c.attempts < MAX_ATTEMPTS,
                or_(t.c.enqueued_at.is_(None), t.c.enqueued_at <= now - stale),
                or_(t.c.lease_until.is_(None), t.c.lease_until <= now))
            .order_by(t.c.id).limit(batch).with_for_update(skip_locked=True)).all()
        if rows:
            uow.session.execute(update(t).where(t.c.id.in_([r.id for r in rows]))
                                .values(enqueued_at=now, attempts=t.c.attempts + 1))
        uow.commit()
    for row in rows:
        if row.attempts + 1 == MAX_ATTEMPTS:
            log.error("inbox row %d (%s %s) handed over %d times: last try before it is left for an operator",
                      row.id, row.provider, row.kind, MAX_ATTEMPTS)
    return [Stuck(row.id, row.kind) for row in rows]


def purge(uow, batch: int = 2000) -> int:
    """Delete rows done more than KEEP ago (at most `batch`); how many."""
    with uow:
        old = select(t.c.id).where(t.c.done_at < uow.now() - KEEP).order_by(t.c.id).limit(batch)
        deleted = uow.session.execute(delete(t).where(t.c.id.in_(old))).rowcount
        uow.commit()
    return deleted
