"""Paying an order with a prepaid card: atomic, never more than the card holds or the order owes.

Wrong PINs are counted per contact (a keyed hash of the phone number or chat id). A PIN that matches no card
designates no card, so it cannot count against a serial; what counts per serial is a right PIN of a card that
cannot pay (printed but not yet activated, blocked, expired): someone holding a stolen or withdrawn card.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from orders_core.errors import ShubbakError
from orders_core.lifecycle import Status
from orders_core.redaction import SEALED, sealed_hash
from orders_core.references import parse_reference
from orders_core.services import apply_payment, order_for_reference

from .errors import CardEmpty, CardNotUsable, NothingDue, PinCheckNumber, PinLocked, WrongPin
from .lockout import (
    CONTACT, SERIAL, LockoutPolicy, locks, locks_among, record_failure, refuse_if_locked, relevant_since,
)
from . import redemption_store, store
from .model import unusable_because
from .pins import contact_key, parse_pin, pin_hash

__all__ = ["CardPayment", "redeem_card", "card_balance", "MEANS"]

log = logging.getLogger(__name__)
MEANS = "card"


@dataclass(frozen=True)
class CardPayment:
    """What a redemption did: paid on the order, left on the card, still due on the order."""

    reference: str
    serial: str
    amount: int
    card_balance: int
    due: int
    paid_now: bool


def card_balance(uow, card) -> int:
    """The card's value less everything redeemed from it (read after locking the card row)."""
    return card.value - store.card_spent(uow, card.id)


def redeem_card(uow, reference: str, pin: str, contact: str, *, pin_secret: str,
                policy: LockoutPolicy = LockoutPolicy(), channel: str = "sms") -> CardPayment:
    """Pay what an order owes from a card, up to the card's balance, in one transaction."""
    who = contact_key(pin_secret, contact)
    with uow:
        reference, hashed = _parsed(uow, policy, who, reference, pin, pin_secret)
        held = redemption_store.held_for_redemption(uow, hashed, reference, (CONTACT, who), SERIAL,
                                                    relevant_since(policy, uow.now()))
        if held is None:  # no such card or no such order: the step-by-step path refuses, in its order
            payment = _redeem_step_by_step(uow, policy, who, reference, hashed, channel)
            uow.commit()
            return payment
        return _redeem_held(uow, policy, who, held, channel)  # written and committed together


def _redeem_held(uow, policy: LockoutPolicy, who: str, held: redemption_store.Held, channel: str) -> CardPayment:
    """The card and the order locked and read together; the same refusals, in the same order, as step by step;
    committed with its writes."""
    card, order = held.card, held.order
    locked = locks_among(policy, held.failures, uow.now())
    _refuse_if_locked(locked, CONTACT)
    _refuse_if_locked(locked, SERIAL)
    _check_usable(uow, policy, card)
    balance = card.value - held.spent
    amount = _payable(order, balance)
    # The service every payment goes through decides what is written; it is written with the commit, in one
    # statement on PostgreSQL (one per table on SQLite).
    pending = redemption_store.pending_writes(uow, order)
    outcome = apply_payment(pending, order, amount, MEANS, str(held.redemption_id), new_source=True)
    redemption_store.record_redemption_and_payment(uow, held.redemption_id, card.id, order.id, amount, who,
                                                   channel, pending)
    return _paid(card, order, amount, balance, outcome)


def _redeem_step_by_step(uow, policy: LockoutPolicy, who: str, reference: str, hashed: str,
                         channel: str) -> CardPayment:
    """The card, the lock-outs and the order one at a time: says which of the card or the order is missing."""
    card = store.card_by_pin(uow, hashed)
    # The contact's lock and the card's in one query, read once the card row is ours; a locked contact
    # learns nothing from the lookup, since nothing is said or counted before the locks are checked.
    locked = locks(uow, policy, {CONTACT: who} | ({SERIAL: card.serial} if card is not None else {}))
    _refuse_if_locked(locked, CONTACT)
    if card is None:
        _count_and_refuse(uow, policy, CONTACT, who)
    _refuse_if_locked(locked, SERIAL)
    _check_usable(uow, policy, card)
    return _pay(uow, card, reference, who, channel)


def _parsed(uow, policy: LockoutPolicy, who: str, reference: str, pin: str, secret: str) -> tuple[str, str]:
    """The reference and the PIN's keyed hash; typos in either are refused and never counted (locked is said
    first). The PIN may come sealed (orders_core.redaction: hashed at the webhook, the digits never kept)."""
    try:
        return parse_reference(reference), _pin_hash_of(pin, secret)
    except ShubbakError:
        refuse_if_locked(uow, policy, CONTACT, who)
        raise


def _pin_hash_of(pin: str, secret: str) -> str:
    if str(pin).startswith(SEALED):
        hashed = sealed_hash(pin)
        if hashed is None:
            raise PinCheckNumber()
        return hashed
    return pin_hash(secret, parse_pin(pin))


def _refuse_if_locked(locked: dict, scope: str) -> None:
    if scope in locked:
        raise PinLocked(locked[scope])


def _count_and_refuse(uow, policy: LockoutPolicy, scope: str, key: str, error: Exception | None = None):
    until = record_failure(uow, policy, scope, key)
    uow.commit()  # the failure must count even though the redemption does not happen
    raise error or WrongPin(until)


def _check_usable(uow, policy: LockoutPolicy, card) -> None:
    reason = unusable_because(card.status, card.expires_at, uow.now())
    if reason:
        log.warning("card %s is %s and was tried", card.serial, reason)
        _count_and_refuse(uow, policy, SERIAL, card.serial, CardNotUsable(reason))


def _pay(uow, card, reference: str, who: str, channel: str) -> CardPayment:
    order = order_for_reference(uow, reference, lock=True, payments=True)
    _check_due(order)  # before the card's balance is read
    balance = card_balance(uow, card)
    amount = _payable(order, balance)
    redemption_id = store.record_redemption(uow, card.id, order.id, amount, who, channel)
    outcome = apply_payment(uow, order, amount, MEANS, str(redemption_id), new_source=True)
    return _paid(card, order, amount, balance, outcome)


def _check_due(order) -> None:
    if order.status != Status.AWAITING_PAYMENT or order.amount_due == 0:
        raise NothingDue(order.reference, order.status)


def _payable(order, balance: int) -> int:
    """What the card pays on the order: all it holds, at most what the order owes; refused when either is nil."""
    _check_due(order)
    if balance <= 0:
        raise CardEmpty()
    return min(balance, order.amount_due)


def _paid(card, order, amount: int, balance: int, outcome) -> CardPayment:
    log.info("card %s paid %d centimes on order %s (%d left on the card)", card.serial, amount, order.reference,
             balance - amount)
    return CardPayment(order.reference, card.serial, amount, balance - amount, outcome.due, outcome.paid_now)
