"""The payments' persistence: every query the services (redemption, lock-out, cards, billing, premium) run, named.

The services import no SQLAlchemy: they call these functions inside an open unit of work (reconciliation's
report reads through payments_sms.queries). The redemption's statements are built once and run as plain
statements on the hot path (bench.cards); those of a card and order held together are in redemption_store.
"""
from __future__ import annotations

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from .model import Card, Charge, ChargeStatus, PaymentStatus, PinFailure, PremiumPayment
from .orm import card_batches, card_redemptions, cards, pin_failures

__all__ = [
    "card_by_pin", "card_spent", "record_redemption", "recent_failures", "add_failure", "failures_since",
    "cards_for_update", "count_status_changes", "charge_by_provider_id", "link_used", "charges_in",
    "queued_charges_before", "queued_charge_of", "payments_in", "quotes_before", "unreported_charges_before",
]

# The card a PIN designates, locked for this transaction; what it has paid so far; the record of one redemption.
_CARD = select(cards.c.id, cards.c.serial, cards.c.value, cards.c.status, cards.c.expires_at).where(
    cards.c.pin_hash == bindparam("pin_hash")).with_for_update()
_SPENT = select(func.coalesce(func.sum(card_redemptions.c.amount), 0)).where(
    card_redemptions.c.card_id == bindparam("card_id"))
_RECORD = insert(card_redemptions).returning(card_redemptions.c.id)


def _recent_failures(scopes: int):
    """The failures of one or two (scope, key) pairs since a moment: built once per shape, not per attempt."""
    f = pin_failures.c
    mine = [and_(f.scope == bindparam(f"scope{i}"), f.key == bindparam(f"key{i}")) for i in range(scopes)]
    return select(f.scope, f.at).where(or_(*mine), f.at > bindparam("since"))


_RECENT = {1: _recent_failures(1), 2: _recent_failures(2)}


# -- cards and their redemptions ---------------------------------------------------------------------------------
def card_by_pin(uow, hashed: str):
    """The card of a PIN's hash (id, serial, value, status, expires_at), its row locked; None when none."""
    return uow.session.execute(_CARD, {"pin_hash": hashed}).first()


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


def count_status_changes(uow, moves: dict[tuple[int, str, str], int]) -> None:
    """Keep each batch's cards per status: `moves` is {(batch_id, from status, to status): how many cards}.
    Added in the database (`x = x + n`): two changes of one batch at once, on cards each holds locked, both count."""
    c = card_batches.c
    for (batch_id, before, after), n in moves.items():
        uow.session.execute(update(card_batches).where(c.id == batch_id).values(
            {f"{before}_cards": c[f"{before}_cards"] - n, f"{after}_cards": c[f"{after}_cards"] + n}))


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
