"""Opt-outs: who asked for no more messages on a channel (SMS or WhatsApp), when and how, and who came back.

While a contact is opted out on a channel, notifications on it are recorded as `suppressed`; direct answers to
what the citizen writes still go out (they asked). One row per contact and channel keeps the last change.

Functions take an open-able unit of work (`with uow:` ... `uow.commit()`); they use its SQLAlchemy session only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, Column, String, Table, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError

from orders_core.columns import UTC, Id, metadata

from .model import Notification, Status

__all__ = ["opt_outs", "OptOut", "opt_out", "add_opt_out", "opt_in", "opted_out", "opt_outs_of", "suppressed_of",
           "CHANNELS"]

CHANNELS = ("sms", "whatsapp")

opt_outs = Table(
    "opt_outs", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("contact", String(80), nullable=False),  # E.164 number, or a WhatsApp contact key
    Column("channel", String(16), nullable=False),
    Column("opted_out", Boolean, nullable=False),
    Column("how", String(60), nullable=False),  # "keyword:STOP", "twilio:21610", "africastalking:optout", ...
    Column("opted_out_at", UTC, nullable=False),
    Column("opted_in_at", UTC),
    Column("updated_at", UTC, nullable=False),
    UniqueConstraint("contact", "channel", name="uq_opt_outs_contact_channel"),
)


@dataclass(frozen=True)
class OptOut:
    """One contact's standing on one channel, for support's view."""

    contact: str
    channel: str
    opted_out: bool
    how: str
    opted_out_at: datetime
    opted_in_at: datetime | None


def opt_out(uow, contact: str, channel: str, how: str) -> bool:
    """Mark the contact opted out on the channel, in a transaction of its own; True when that is news."""
    with uow:
        news = add_opt_out(uow, contact, channel, how)
        uow.commit()
        return news


def add_opt_out(uow, contact: str, channel: str, how: str) -> bool:
    """Mark the contact opted out in the open unit of work (the caller commits); True when it was not already.
    A first opt-out keeps its time and way: a second STOP changes nothing."""
    now = uow.now()
    changed = uow.session.execute(update(opt_outs).where(
        opt_outs.c.contact == contact, opt_outs.c.channel == channel, opt_outs.c.opted_out.is_(False))
        .values(opted_out=True, how=how[:60], opted_out_at=now, opted_in_at=None, updated_at=now)).rowcount
    if changed:
        return True
    if _standing(uow, contact, channel) is not None:
        return False
    try:
        with uow.session.begin_nested():  # the same STOP twice at once: the other one recorded it
            uow.session.execute(opt_outs.insert().values(contact=contact, channel=channel, opted_out=True,
                                                         how=how[:60], opted_out_at=now, updated_at=now))
    except IntegrityError:
        return False
    return True


def opt_in(uow, contact: str, channel: str) -> bool:
    """Mark the contact back in on the channel; True when it was opted out."""
    with uow:
        now = uow.now()
        changed = uow.session.execute(update(opt_outs).where(
            opt_outs.c.contact == contact, opt_outs.c.channel == channel, opt_outs.c.opted_out.is_(True))
            .values(opted_out=False, opted_in_at=now, updated_at=now)).rowcount
        uow.commit()
        return bool(changed)


def opted_out(uow, contacts, channel: str) -> bool:
    """Whether any of these keys of one person (contact, phone) is opted out on the channel; in the open unit of
    work."""
    keys = [c for c in contacts if c]
    if not keys:
        return False
    return uow.session.execute(select(opt_outs.c.id).where(
        opt_outs.c.contact.in_(keys), opt_outs.c.channel == channel, opt_outs.c.opted_out.is_(True))
        .limit(1)).first() is not None


def opt_outs_of(uow, contacts) -> list[OptOut]:
    """Every opt-out and opt-in recorded for these keys of one person, in the open unit of work."""
    keys = [c for c in contacts if c]
    if not keys:
        return []
    rows = uow.session.execute(select(opt_outs).where(opt_outs.c.contact.in_(keys))
                               .order_by(opt_outs.c.channel)).mappings()
    return [OptOut(r["contact"], r["channel"], r["opted_out"], r["how"], r["opted_out_at"], r["opted_in_at"])
            for r in rows]


def suppressed_of(uow, contacts, limit: int = 20) -> list:
    """The latest notifications not sent to these keys of one person because they opted out, newest first."""
    keys = [c for c in contacts if c]
    if not keys:
        return []
    return uow.all(select(Notification).where(
        Notification.status == Status.SUPPRESSED,
        Notification.contact.in_(keys) | Notification.recipient.in_(keys))
        .order_by(Notification.id.desc()).limit(limit))


def _standing(uow, contact: str, channel: str):
    return uow.session.execute(select(opt_outs.c.opted_out).where(
        opt_outs.c.contact == contact, opt_outs.c.channel == channel)).first()
