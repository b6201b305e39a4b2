"""Placing, paying, cancelling and expiring orders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from .. import queries
from ..errors import InvalidInput, NotEntitled, OrderNotFound
from ..lifecycle import Role, Status
from ..model import Actor, CreditEntry, Order, OrderDraft, OrderLine, Payment
from ..pricing import PriceList, Quote
from ..references import parse_reference
from .drafts import validate_draft

__all__ = [
    "SYSTEM", "HOLD", "place_order", "apply_payment", "record_payment", "PaymentOutcome", "cancel_order",
    "expire_unpaid", "move", "refund_as_credit", "order_for_reference", "quote_draft",
]

SYSTEM = Actor("system", Role.SYSTEM, "system")
HOLD = timedelta(hours=72)  # DOMAIN.md: unpaid orders expire after 72 h


def move(uow, order: Order, target: Status, actor: Actor, note: str | None = None) -> None:
    """Apply a transition and publish it to the outbox in the same transaction."""
    before = order.status
    uow.add(order.move(target, actor, uow.now(), note))
    uow.publish("order.status_changed", order_id=order.id, reference=order.reference, from_status=before,
                to_status=str(target), actor_role=actor.role, note=note)


def quote_draft(uow, prices: PriceList, draft: OrderDraft, office_open: Callable[[str], bool] | None = None) -> Quote:
    """Validate a draft and price it, without writing anything (`office_open`: as validate_draft)."""
    clean = validate_draft(uow, draft, office_open)
    return prices.quote(clean["lines"], clean["delivery_zone"])


def place_order(uow, prices: PriceList, draft: OrderDraft) -> Order:
    """Validate, price and store a new order; the requester's credit pays first."""
    with uow:
        clean = validate_draft(uow, draft)
        quote = prices.quote(clean.pop("lines"), clean["delivery_zone"])
        order = _new_order(uow, clean, quote)
        # The reference's check and the requester's credit balance in one read (each statement is CPU per order),
        # before the order joins the session (a read would flush it).
        order.reference, balance = uow.fresh_reference_and_balance(Order, "12345678", order.account)
        _store(uow, order, balance)
        uow.commit()
        return order


def _store(uow, order: Order, balance: int) -> None:
    """Write the new order and announce it; the requester's credit, if any, pays first."""
    if balance > 0:  # only the credit path waits for the account's other orders; most orders have no credit
        balance = uow.lock_credit(order.account, balance)
    if balance <= 0:
        # Nothing changes it later: written with its announcement without the ORM's flush (CPU per order).
        uow.insert_and_announce_order(order)
        return
    uow.add(order)
    uow.flush()
    uow.publish("order.placed", order_id=order.id, reference=order.reference, total=order.total)
    _spend_credit(uow, order, balance)


def _new_order(uow, clean: dict, quote: Quote) -> Order:
    """The order, without its reference yet."""
    now = uow.now()
    order = Order(
        status=Status.AWAITING_PAYMENT.value,
        office_code=clean["record_office_code"], created_at=now, expires_at=now + HOLD,
        price_base=quote.base, price_copies=quote.copies, price_postage=quote.postage, price_top_up=quote.top_up,
        total=quote.total, **clean,
    )
    order.lines = [OrderLine(document=doc, copies=n) for doc, n in quote.lines.items()]
    order.events = []
    order.payments = []
    return order


def _spend_credit(uow, order: Order, balance: int) -> None:
    amount = min(balance, order.total)
    uow.add(CreditEntry(account=order.account, amount=-amount, reason="applied_to_order", order_id=order.id,
                        at=uow.now()))
    apply_payment(uow, order, amount, "credit", f"order:{order.reference}")


@dataclass(frozen=True)
class PaymentOutcome:
    """What a payment did: how much went to the order, how much became credit, what is still due."""

    reference: str
    applied: int
    credited: int
    due: int
    paid_now: bool
    duplicate: bool = False


def apply_payment(uow, order: Order, amount: int, means: str, source_ref: str,
                  new_source: bool = False) -> PaymentOutcome:
    """Inside an open unit of work: record money received for an order; any excess becomes credit.

    `new_source`: the caller made `source_ref` in this same transaction (a card redemption's own id), so it
    cannot have been recorded before and is not looked up."""
    if not isinstance(amount, int) or amount <= 0:
        raise InvalidInput({"amount": f"a positive whole number of centimes, got {amount!r}"})
    if not new_source and queries.payment_by_source(uow, means, source_ref):
        return PaymentOutcome(order.reference, 0, 0, order.amount_due, False, duplicate=True)
    payable = order.status == Status.AWAITING_PAYMENT
    applied = min(amount, order.amount_due) if payable else 0
    order.payments.append(Payment(means=means, source_ref=source_ref, amount=amount, applied=applied, at=uow.now()))
    credited = amount - applied
    if credited:
        uow.add(CreditEntry(account=order.account, amount=credited, reason="overpayment", order_id=order.id,
                            at=uow.now()))
        uow.publish("credit.issued", order_id=order.id, account=order.account, amount=credited)
    paid_now = payable and order.amount_due == 0
    if paid_now:
        _mark_paid(uow, order)
    uow.publish("payment.received", order_id=order.id, reference=order.reference, means=means, amount=amount,
                applied=applied, due=order.amount_due)
    return PaymentOutcome(order.reference, applied, credited, order.amount_due, paid_now)


def _mark_paid(uow, order: Order) -> None:
    order.paid_at = uow.now()
    move(uow, order, Status.PAID, SYSTEM)
    # On payment the order lands in the queue of the office holding the birth record.
    move(uow, order, Status.RECEIVED, SYSTEM)


def record_payment(uow, reference: str, amount: int, means: str, source_ref: str) -> PaymentOutcome:
    """Record one payment for the order with this reference, once per (means, source_ref)."""
    with uow:
        order = order_for_reference(uow, reference, lock=True)
        outcome = apply_payment(uow, order, amount, means, source_ref)
        uow.commit()
        return outcome


def order_for_reference(uow, text: str, lock: bool = False, payments: bool = False) -> Order:
    """Parse a typed reference and load its order (with its payments, when asked), or raise a named error."""
    order = uow.order_by_reference(parse_reference(text), lock=lock, payments=payments)
    if order is None:
        raise OrderNotFound(text)
    return order


def refund_as_credit(uow, order: Order, reason: str) -> int:
    """Turn what was applied to an order into credit on the requester's account; return the amount."""
    amount = order.paid_amount
    if amount > 0:
        uow.add(CreditEntry(account=order.account, amount=amount, reason=reason, order_id=order.id, at=uow.now()))
        uow.publish("credit.issued", order_id=order.id, account=order.account, amount=amount)
    return amount


def cancel_order(uow, reference: str, actor: Actor, contacts: list[str] | None = None) -> int:
    """Cancel an order (citizen: only their own, before an agent takes it); return the credit it leaves."""
    with uow:
        order = order_for_reference(uow, reference, lock=True)
        if actor.role == Role.CITIZEN and order.requester_contact not in (contacts or []) \
                and order.requester_phone not in (contacts or []):
            raise OrderNotFound(reference)
        move(uow, order, Status.CANCELLED, actor)
        credit = refund_as_credit(uow, order, "refund_cancelled")
        uow.commit()
        return credit


def expire_unpaid(uow) -> int:
    """Expire orders still unpaid when their hold ends; return how many."""
    with uow:
        expired = queries.unpaid_before(uow, uow.now())
        for order in expired:
            move(uow, order, Status.EXPIRED, SYSTEM, "unpaid after 72 h")
            refund_as_credit(uow, order, "refund_expired")  # partial premium-SMS payments are not lost
        uow.commit()
        return len(expired)
