"""Read-only queries of payments, named, off the services' hot path (payments_sms.store holds those): the day's
money for the reconciliation report (each takes an open unit of work and the day as [start, end), and returns
plain rows, amounts in centimes), and the demo's cards (web.demo builds no SQL)."""
from __future__ import annotations

from sqlalchemy import String, and_, cast, func, select

from orders_core.orm import credit_entries, orders, payments

from .billing import MEANS as PREMIUM
from .model import Card, CardBatch
from .orm import card_redemptions, cards, premium_charges
from .redemption import MEANS as CARD

__all__ = [
    "charges_by_code", "payments_by_means", "cards_redeemed", "orders_paid", "credits_issued", "credits_used",
    "charges_without_payment", "premium_payments_without_charge", "redemptions_without_payment",
    "card_payments_without_redemption", "paid_orders_not_adding_up", "cards_overspent", "batches_made_by",
    "card_of_hash",
]


def _rows(uow, stmt) -> list[tuple]:
    return [tuple(r) for r in uow.session.execute(stmt)]


def _within(stmt, column, start, end):
    return stmt.where(column >= start, column < end)


def charges_by_code(uow, start, end) -> list[tuple]:
    """(short code, status, count, amount) of the premium charges created in the day."""
    c = premium_charges.c
    stmt = _within(select(c.short_code, c.status, func.count(), func.coalesce(func.sum(c.amount), 0)), c.created_at,
                   start, end)
    return _rows(uow, stmt.group_by(c.short_code, c.status).order_by(c.short_code, c.status))


def payments_by_means(uow, start, end) -> list[tuple]:
    """(means, count, amount) of the day's payments."""
    p = payments.c
    stmt = _within(select(p.means, func.count(), func.sum(p.amount)), p.at, start, end)
    return _rows(uow, stmt.group_by(p.means).order_by(p.means))


def cards_redeemed(uow, start, end) -> tuple[int, int]:
    """(count, amount) of the day's card redemptions."""
    r = card_redemptions.c
    return _rows(uow, _within(select(func.count(), func.coalesce(func.sum(r.amount), 0)), r.at, start, end))[0]


def orders_paid(uow, start, end) -> tuple[int, int]:
    """(count, total) of the orders paid in the day."""
    o = orders.c
    return _rows(uow, _within(select(func.count(), func.coalesce(func.sum(o.total), 0)), o.paid_at, start, end))[0]


def _credits(uow, start, end, condition) -> int:
    stmt = _within(select(func.coalesce(func.sum(credit_entries.c.amount), 0)), credit_entries.c.at, start, end)
    return int(uow.scalar(stmt.where(condition)))


def credits_issued(uow, start, end) -> int:
    return _credits(uow, start, end, credit_entries.c.amount > 0)


def credits_used(uow, start, end) -> int:
    """How much credit was spent in the day (a positive amount)."""
    return -_credits(uow, start, end, credit_entries.c.amount < 0)


def charges_without_payment(uow, start, end) -> list[tuple]:
    """(id, provider message id, amount) of the charges that succeeded in the day without a payment of their
    amount."""
    c, p = premium_charges.c, payments.c
    stmt = _within(select(c.id, c.provider_message_id, c.amount).outerjoin(payments, and_(
        p.means == PREMIUM, p.source_ref == c.provider_message_id)), c.final_at, start, end)
    return _rows(uow, stmt.where(c.status == "succeeded").where((p.id.is_(None)) | (p.amount != c.amount)))


def premium_payments_without_charge(uow, start, end) -> list[tuple]:
    """(id, source) of the day's premium payments with no succeeded charge."""
    c, p = premium_charges.c, payments.c
    stmt = _within(select(p.id, p.source_ref).outerjoin(premium_charges, and_(
        c.provider_message_id == p.source_ref, c.status == "succeeded")), p.at, start, end)
    return _rows(uow, stmt.where(p.means == PREMIUM, c.id.is_(None)))


def redemptions_without_payment(uow, start, end) -> list[tuple]:
    """(id, amount) of the day's card redemptions without a payment of their amount."""
    r, p = card_redemptions.c, payments.c
    stmt = _within(select(r.id, r.amount).outerjoin(payments, and_(
        p.means == CARD, p.source_ref == cast(r.id, String))), r.at, start, end)
    return _rows(uow, stmt.where((p.id.is_(None)) | (p.amount != r.amount)))


def card_payments_without_redemption(uow, start, end) -> list[tuple]:
    """(id, source) of the day's card payments naming a redemption that does not exist."""
    r, p = card_redemptions.c, payments.c
    named = _rows(uow, _within(select(p.id, p.source_ref), p.at, start, end).where(p.means == CARD))
    # The redemptions are looked up by their key; casting every id to text would read them all.
    ids = {int(ref) for _, ref in named if ref.isdigit()}
    found = {str(i) for (i,) in _rows(uow, select(r.id).where(r.id.in_(ids)))} if ids else set()
    return [(i, ref) for i, ref in named if ref not in found]


def paid_orders_not_adding_up(uow, start, end) -> list[tuple]:
    """(reference, total, applied) of the orders paid in the day whose payments do not apply their total."""
    o, p = orders.c, payments.c
    applied = select(func.coalesce(func.sum(p.applied), 0)).where(p.order_id == o.id).scalar_subquery()
    return _rows(uow, _within(select(o.reference, o.total, applied), o.paid_at, start, end).where(applied != o.total))


def cards_overspent(uow, start, end) -> list[tuple]:
    """(serial, value, spent) of the cards redeemed in the day whose redemptions, over all time, add up to more than
    their value."""
    r, k = card_redemptions.c, cards.c
    redeemed = _within(select(r.card_id), r.at, start, end)
    spent = func.sum(r.amount)
    stmt = (select(k.serial, k.value, spent).join(card_redemptions, r.card_id == k.id).where(k.id.in_(redeemed))
            .group_by(k.serial, k.value).having(spent > k.value))
    return _rows(uow, stmt)


# The demo's cards (web.demo)

def batches_made_by(uow, created_by: str) -> int:
    """How many card batches `created_by` made."""
    return uow.scalar(select(func.count()).select_from(CardBatch).where(CardBatch.created_by == created_by))


def card_of_hash(uow, hashed: str) -> Card | None:
    """The card of a PIN's hash, unlocked (to show it, not to redeem it: payments_sms.store.card_by_pin locks)."""
    return uow.one(select(Card).where(Card.pin_hash == hashed))
