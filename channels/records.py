"""The record of SMS conversations: what came in, what went out (and through whom), what providers reported.

Functions take an open-able unit of work (`with uow:` ... `uow.commit()`); they use its SQLAlchemy session only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from texts import count

from .delivery import DeliveryStatus
from .orm import simulator_messages
from .orm import sms_messages as t
from .senders import SendResult

__all__ = ["record_inbound", "add_inbound", "record_reply", "claim_for_sending", "stale_replies", "mark_sent",
           "mark_failed", "apply_delivery", "recipient_of", "conversation", "recent", "OutgoingSms",
           "record_handset_message", "handset_messages"]

# A status the provider reported last never goes back to an earlier stage (reports can arrive out of order).
_RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4,
         "failed": 3, "undelivered": 3, "rejected": 3, "expired": 3}


def _values(uow, direction: str, contact: str, text: str, status: str, **more) -> dict:
    text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    counted = count(text)
    now = uow.now()
    return dict(direction=direction, contact=contact, text=text, segments=counted.segments,
                encoding=counted.encoding, status=status, created_at=now, updated_at=now, **more)


def record_inbound(uow, contact: str, text: str, provider: str, provider_message_id: str | None) -> int:
    with uow:
        new_id = add_inbound(uow, contact, text, provider, provider_message_id)
        uow.commit()
        return new_id


def add_inbound(uow, contact: str, text: str, provider: str, provider_message_id: str | None) -> int:
    """Add an incoming SMS to the open unit of work (the caller commits); its id."""
    row = _values(uow, "in", contact, text, "received", provider=provider, provider_message_id=provider_message_id)
    return uow.session.execute(insert(t).values(**row)).inserted_primary_key[0]


def record_reply(uow, to: str, text: str, reply_to: str, provider: str | None = None) -> int | None:
    """Store an answer to send (through `provider` first, when it can); None when already answered (a job run
    twice)."""
    with uow:
        try:
            row = _values(uow, "out", to, text, "queued", reply_to=reply_to[:140], provider=provider)
            new_id = uow.session.execute(insert(t).values(**row)).inserted_primary_key[0]
            uow.session.commit()
        except IntegrityError:
            uow.session.rollback()
            return None
        return new_id


@dataclass(frozen=True)
class OutgoingSms:
    """A message claimed for sending."""

    id: int
    to: str
    text: str
    provider: str | None  # the provider to try first


def claim_for_sending(uow, sms_id: int) -> OutgoingSms | None:
    """Move a queued message to `sending`; None when it is not queued (sent already, or taken by another job)."""
    with uow:
        changed = uow.session.execute(update(t).where(t.c.id == sms_id, t.c.status == "queued")
                                      .values(status="sending", updated_at=uow.now())).rowcount
        row = uow.session.execute(select(t.c.id, t.c.contact, t.c.text, t.c.provider).where(t.c.id == sms_id)).first()
        uow.commit()
    return OutgoingSms(*row) if changed and row else None


def stale_replies(uow, before: datetime, batch: int = 200) -> list[int]:
    """Replies still queued since `before` (their send job lost with Redis): their ids, stamped as handed over
    now, so that the next sweep waits for them again."""
    with uow:
        ids = list(uow.session.execute(select(t.c.id).where(
            t.c.direction == "out", t.c.status == "queued", t.c.updated_at <= before)
            .order_by(t.c.id).limit(batch).with_for_update(skip_locked=True)).scalars())
        if ids:
            uow.session.execute(update(t).where(t.c.id.in_(ids)).values(updated_at=uow.now()))
        uow.commit()
        return ids


def mark_sent(uow, sms_id: int, result: SendResult) -> None:
    _set(uow, sms_id, status="sent", provider=result.provider, provider_message_id=result.provider_message_id,
         segments=result.segments)


def mark_failed(uow, sms_id: int, reason: str, final: bool) -> None:
    """A send failed: back to `queued` for a later try, or `failed` for good."""
    _set(uow, sms_id, status="failed" if final else "queued", detail=reason[:120])


def _set(uow, sms_id: int, **values) -> None:
    with uow:
        uow.session.execute(update(t).where(t.c.id == sms_id).values(updated_at=uow.now(), **values))
        uow.commit()


def apply_delivery(uow, report: DeliveryStatus) -> bool:
    """Apply a delivery report to the message it names; False when no SMS of ours has that id."""
    with uow:
        row = uow.session.execute(select(t.c.id, t.c.status).where(
            t.c.provider == report.provider, t.c.provider_message_id == report.provider_message_id)).first()
        if row is None:
            return False
        values = {"updated_at": uow.now(), "detail": (report.detail or _unknown(report))}
        if report.status and _RANK.get(report.status, 0) >= _RANK.get(row.status, 0):
            values["status"] = report.status
        uow.session.execute(update(t).where(t.c.id == row.id).values(**values))
        uow.commit()
        return True


def recipient_of(uow, provider: str, provider_message_id: str) -> str | None:
    """The number an SMS of ours with this provider id went to, or None."""
    with uow:
        return uow.session.execute(select(t.c.contact).where(
            t.c.provider == provider, t.c.provider_message_id == provider_message_id, t.c.direction == "out")).scalar()


def _unknown(report: DeliveryStatus) -> str | None:
    return None if report.status else f"reported {report.provider_status}"[:120]


def conversation(uow, contact: str, limit: int = 50) -> list[dict]:
    """The latest messages to and from one number, oldest first."""
    stmt = select(t).where(t.c.contact == contact).order_by(t.c.id.desc()).limit(limit)
    return list(reversed(_rows(uow, stmt)))


def recent(uow, limit: int = 50, direction: str = "out") -> list[dict]:
    """The latest messages in one direction, newest first."""
    return _rows(uow, select(t).where(t.c.direction == direction).order_by(t.c.id.desc()).limit(limit))


def _rows(uow, stmt) -> list[dict]:
    with uow:
        return [dict(row) for row in uow.session.execute(stmt).mappings()]


# The simulated phones' messages (channels.handset): written and read outside any unit of work, on the engine.

def record_handset_message(engine, row: dict) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(simulator_messages).values(**row)).inserted_primary_key[0]


def handset_messages(engine, contact: str, after: int = 0, limit: int = 300) -> list[dict]:
    """One phone's messages after id `after`, oldest first (the newest `limit` of them)."""
    h = simulator_messages.c
    stmt = select(simulator_messages).where(h.contact == contact, h.id > after).order_by(h.id.desc()).limit(limit)
    with engine.connect() as conn:
        return list(reversed([dict(row) for row in conn.execute(stmt).mappings()]))
