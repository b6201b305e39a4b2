"""The payments' persistence: every query the services (redemption, lock-out, cards, billing, premium) run, named.

The services import no SQLAlchemy: they call these functions inside an open unit of work (reconciliation's
report reads through payments_sms.queries). The redemption's statements are built once and run as plain
statements on the hot path (bench.cards).
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, insert, or_, select, true

from orders_core.orm import orders, payments
from orders_core.pending import PendingWrites, held_columns, held_order, write_at_once

from .model import Card, Charge, ChargeStatus, PaymentStatus, PinFailure, PremiumPayment
from .orm import card_redemptions, cards, pin_failures

__all__ = [
    "HeldCard", "card_and_order_held", "RedemptionContext", "redemption_context", "pending_writes", "record_redemption_and_payment",
    "card_by_pin", "card_spent", "record_redemption", "recent_failures", "add_failure", "failures_since",
    "cards_for_update", "charge_by_provider_id", "link_used", "charges_in", "queued_charges_before",
    "queued_charge_of", "payments_in", "quotes_before", "unreported_charges_before",
]

# The card a PIN designates, locked for this transaction; what it has paid so far; the record of one redemption.
_CARD = select(cards.c.id, cards.c.serial, cards.c.value, cards.c.status, cards.c.expires_at).where(
    cards.c.pin_hash == bindparam("pin_hash")).with_for_update()
_SPENT = select(func.coalesce(func.sum(card_redemptions.c.amount), 0)).where(
    card_redemptions.c.card_id == bindparam("card_id"))
_RECORD = insert(card_redemptions).returning(card_redemptions.c.id)
# The same record with its id drawn beforehand (redemption_context), written with the payment's rows.
_REDEMPTION = insert(card_redemptions).values(
    {column.key: bindparam(f"r_{column.key}", type_=column.type) for column in card_redemptions.c})


def _recent_failures(scopes: int):
    """The failures of one or two (scope, key) pairs since a moment: built once per shape, not per attempt."""
    f = pin_failures.c
    mine = [and_(f.scope == bindparam(f"scope{i}"), f.key == bindparam(f"key{i}")) for i in range(scopes)]
    return select(f.scope, f.at).where(or_(*mine), f.at > bindparam("since"))


_RECENT = {1: _recent_failures(1), 2: _recent_failures(2)}


class HeldCard(NamedTuple):
    id: int
    serial: str
    value: int
    status: str
    expires_at: object


# The card a PIN designates and the order a reference names, both locked by one query: the card first (the
# order of FOR UPDATE OF), as the step-by-step path and every other redemption lock them, so none deadlock.
_HELD = select(cards.c.id.label("card_id"), cards.c.serial, cards.c.value, cards.c.status.label("card_status"),
               cards.c.expires_at, *held_columns()).select_from(cards.join(orders, true())).where(
    cards.c.pin_hash == bindparam("pin_hash"), orders.c.reference == bindparam("reference")
).with_for_update(of=[cards, orders])


def _redemption_context(next_id):
    """What the card has paid, what the order has been paid, an id for the redemption, and (one row each) the
    recent failures of the contact and of the card, read once both rows are locked."""
    r, p, f = card_redemptions.c, payments.c, pin_failures.c
    head = select(
        select(func.coalesce(func.sum(r.amount), 0)).where(r.card_id == bindparam("card_id"))
        .scalar_subquery().label("spent"),
        select(func.coalesce(func.sum(p.applied), 0)).where(p.order_id == bindparam("order_id"))
        .scalar_subquery().label("paid"),
        next_id.label("redemption_id"),
    ).subquery()
    mine = or_(and_(f.scope == bindparam("scope0"), f.key == bindparam("key0")),
               and_(f.scope == bindparam("scope1"), f.key == bindparam("key1")))
    return select(head, f.scope, f.at).select_from(head.outerjoin(pin_failures, and_(mine, f.at > bindparam("since"))))


# PostgreSQL draws the id from the table's own sequence; SQLite, one writer at a time, takes the next free one.
_CONTEXT = {
    "postgresql": _redemption_context(
        select(func.nextval(func.pg_get_serial_sequence("card_redemptions", "id"))).scalar_subquery()),
    "sqlite": _redemption_context(select(func.coalesce(func.max(card_redemptions.c.id), 0) + 1).scalar_subquery()),
}


class RedemptionContext(NamedTuple):
    spent: int
    redemption_id: int
    failures: list  # (scope, at)


# -- cards and their redemptions ---------------------------------------------------------------------------------
def card_by_pin(uow, hashed: str):
    """The card of a PIN's hash (id, serial, value, status, expires_at), its row locked; None when none."""
    return uow.session.execute(_CARD, {"pin_hash": hashed}).first()


def card_and_order_held(uow, hashed: str, reference: str) -> tuple[HeldCard, object] | None:
    """The card of a PIN's hash and the order of a reference, both rows locked; None when either is missing."""
    # Core statements on the hot path run on the session's connection, past the ORM's execution layer.
    row = uow.session.connection().execute(_HELD, {"pin_hash": hashed, "reference": reference}).first()
    if row is None:
        return None
    return HeldCard(row.card_id, row.serial, row.value, row.card_status, row.expires_at), row


def redemption_context(uow, card: HeldCard, held, keys: dict[str, str], since):
    """After `card_and_order_held`: the order (paid so far) and the RedemptionContext, in one query."""
    params = {"card_id": card.id, "order_id": held.id, "since": since}
    for i, (scope, key) in enumerate(keys.items()):
        params[f"scope{i}"], params[f"key{i}"] = scope, key
    connection = uow.session.connection()
    rows = connection.execute(_CONTEXT[connection.dialect.name], params).all()
    failures = [(row.scope, row.at) for row in rows if row.scope is not None]
    first = rows[0]
    return held_order(held, int(first.paid)), RedemptionContext(int(first.spent), first.redemption_id, failures)


def pending_writes(uow, order) -> PendingWrites:
    """A stand-in unit of work for `apply_payment` on a held order: what it decides is written at once by
    `record_redemption_and_payment`."""
    return PendingWrites(uow, order)


def record_redemption_and_payment(uow, redemption_id: int, card_id: int, order_id: int, amount: int,
                                  contact_key: str, channel: str, pending) -> None:
    """Write the redemption and the payment's rows (`pending`, orders_core.pending) together."""
    redemption = {"r_id": redemption_id, "r_card_id": card_id, "r_order_id": order_id, "r_amount": amount,
                  "r_contact_key": contact_key, "r_channel": channel, "r_at": uow.now()}
    write_at_once(uow, [(_REDEMPTION, redemption)] + pending.statements())


def card_spent(uow, card_id: int) -> int:
    """Everything redeemed from a card so far."""
    return int(uow.session.scalar(_SPENT, {"card_id": card_id}))


def record_redemption(uow, card_id: int, order_id: int, amount: int, contact_key: str, channel: str) -> int:
    """Record one redemption; its id."""
    return uow.session.scalar(_RECORD, {"card_id": card_id, "order_id": order_id, "amount": amount,
                                        "contact_key": contact_key, "channel": channel, "at": uow.now()})


def cards_for_update(uow, batch_id: int | None, first: str | None, last: str | None) -> list[Card]:
    """The cards of a batch and/or a serial range, in serial order, locked."""
    stmt = select(Card)
    if batch_id is not None:
        stmt = stmt.where(Card.batch_id == batch_id)
    if first is not None:
        stmt = stmt.where(Card.serial >= first, Card.serial <= (last or first))
    return uow.all(stmt.order_by(Card.serial).with_for_update())


# -- wrong PINs --------------------------------------------------------------------------------------------------
def recent_failures(uow, keys: dict[str, str], since) -> list[tuple]:
    """(scope, at) of the failures of these keys ({scope: key}, one or two) after `since`: one query."""
    params = {"since": since}
    for i, (scope, key) in enumerate(keys.items()):
        params[f"scope{i}"], params[f"key{i}"] = scope, key
    return list(uow.session.execute(_RECENT[len(keys)], params))


def add_failure(uow, scope: str, key: str) -> None:
    uow.add(PinFailure(scope=scope, key=key, at=uow.now()))
    uow.flush()


def failures_since(uow, since) -> int:
    """Wrong PINs across all numbers since a moment."""
    return uow.scalar(select(func.count()).select_from(PinFailure).where(PinFailure.at > since))


# -- premium charges and payments --------------------------------------------------------------------------------
def charge_by_provider_id(uow, provider_message_id: str) -> Charge | None:
    return uow.one(select(Charge).where(Charge.provider_message_id == provider_message_id).with_for_update())


def link_used(uow, charge: Charge) -> bool:
    """Whether an earlier charge of the payment already spent this incoming message."""
    return uow.scalar(select(func.count()).select_from(Charge).where(
        Charge.payment_id == charge.payment_id, Charge.id != charge.id, Charge.link_id == charge.link_id)) > 0


def charges_in(uow, status: str) -> int:
    return uow.scalar(select(func.count()).select_from(Charge).where(Charge.status == status))


def queued_charges_before(uow, older_than) -> list[int]:
    return uow.all(select(Charge.id).where(Charge.status == ChargeStatus.QUEUED, Charge.created_at <= older_than)
                   .order_by(Charge.id))


def queued_charge_of(uow, payment_id: int) -> Charge | None:
    return uow.one(select(Charge).where(Charge.payment_id == payment_id, Charge.status == ChargeStatus.QUEUED)
                   .with_for_update())


def payments_in(uow, statuses, contact: str | None = None, order_id: int | None = None,
                lock: bool = False) -> list[PremiumPayment]:
    """Premium payments in these statuses (of a contact, of an order), newest first."""
    stmt = select(PremiumPayment).where(PremiumPayment.status.in_([str(s) for s in statuses]))
    if contact is not None:
        stmt = stmt.where(PremiumPayment.contact == contact)
    if order_id is not None:
        stmt = stmt.where(PremiumPayment.order_id == order_id)
    stmt = stmt.order_by(PremiumPayment.id.desc())
    return uow.all(stmt.with_for_update() if lock else stmt)


def quotes_before(uow, limit) -> list[PremiumPayment]:
    """Quotes never confirmed, made before `limit`, locked."""
    return uow.all(select(PremiumPayment).where(PremiumPayment.status == PaymentStatus.QUOTED,
                                                PremiumPayment.created_at <= limit).with_for_update())


def unreported_charges_before(uow, limit) -> list[Charge]:
    """Charges made before `limit` with no final report, locked."""
    return uow.all(select(Charge).where(
        Charge.status.in_([ChargeStatus.QUEUED, ChargeStatus.SENDING, ChargeStatus.SENT]),
        Charge.created_at <= limit).order_by(Charge.id).with_for_update())
