"""Premium-SMS payments: quote (double opt-in), confirm, then one billed message at a time until covered."""
from __future__ import annotations

from dataclasses import dataclass

from orders_core.lifecycle import Status
from orders_core.model import Order
from orders_core.phones import normalise_phone
from orders_core.references import format_reference
from orders_core.services import order_for_reference

from . import store
from .errors import NoPendingPayment, NothingDue, PaymentInProgress
from .model import (
    CHARGE_HOLD, Charge, ChargeStatus, PaymentStatus, PremiumPayment, PremiumQuote, messages_needed,
)
from .money import mad
from .shortcodes import ShortCode

__all__ = [
    "STOP_TEXTS", "TOPICS", "publish_notice", "start_premium_payment", "decline_premium_payment", "confirm_premium_payment", "StopNotice", "stop_notice", "new_charge",
    "open_payment_of", "expire_premium",
]


# Failure reasons with a text of their own (the citizen can act on them); others get the general one.
STOP_TEXTS = {"InsufficientCredit": "payments.premium.stopped_credit"}
# Outbox topic of each text told to a citizen outside a conversation (the notifications package sends them).
TOPICS = {"payments.premium.stopped": "payment.premium_stopped",
          "payments.premium.stopped_credit": "payment.premium_stopped",
          "payments.premium.next_yes": "payment.premium_next"}


@dataclass(frozen=True)
class StopNotice:
    """What to tell a citizen whose premium payment stopped: what is paid, what is left, why."""

    contact: str
    language: str
    reference: str
    paid: int
    due: int
    reason: str


def start_premium_payment(uow, reference: str, contact: str, link_id: str | None, short_code: ShortCode,
                          keyword: str | None = None, language: str = "fr") -> PremiumQuote:
    """Quote a premium payment of an order: the amount due and how many billed messages; nothing is billed."""
    contact = normalise_phone(contact, field="contact")
    with uow:
        order = order_for_reference(uow, reference)
        _refuse_if_nothing_due(order)
        if _open_payments(uow, order_id=order.id, status=PaymentStatus.BILLING):
            raise PaymentInProgress(order.reference)
        for stale in _open_payments(uow, contact=contact, status=PaymentStatus.QUOTED):
            stale.close(PaymentStatus.SUPERSEDED, uow.now())
        payment = PremiumPayment(
            order_id=order.id, reference=order.reference, contact=contact, language=language,
            short_code=short_code.code, keyword=short_code.keyword_for(keyword), link_id=link_id,
            price=short_code.price, messages=messages_needed(order.amount_due, short_code.price),
            status=PaymentStatus.QUOTED.value, created_at=uow.now())
        uow.add(payment)
        uow.flush()
        uow.commit()
        return PremiumQuote(payment.id, order.reference, order.amount_due, payment.price, payment.messages,
                            payment.short_code)


def confirm_premium_payment(uow, contact: str, link_id: str | None = None) -> int:
    """The citizen said YES: queue the next billed message of their open payment and return its charge id."""
    contact = normalise_phone(contact, field="contact")
    with uow:
        payment = _payment_waiting_for_yes(uow, contact)
        order = uow.get(Order, payment.order_id, lock=True)
        if not _owes(order):
            payment.close(PaymentStatus.COVERED, uow.now())
            uow.commit()
            raise NothingDue(order.reference, order.status)
        payment.link_id = link_id or payment.link_id
        charge = _queued_charge(uow, payment) or _first_charge(uow, payment)
        charge.link_id = payment.link_id  # the freshest linkId: AT refuses stale ones (InvalidLinkId)
        uow.flush()
        uow.commit()
        return charge.id


def decline_premium_payment(uow, contact: str) -> bool:
    """The citizen said NO: close their quote (nothing was billed); False when no quote was waiting."""
    with uow:
        quoted = _open_payments(uow, contact=normalise_phone(contact, field="contact"), status=PaymentStatus.QUOTED,
                                lock=True)
        for payment in quoted:
            payment.close(PaymentStatus.DECLINED, uow.now())
        uow.commit()
        return bool(quoted)


def _payment_waiting_for_yes(uow, contact: str) -> PremiumPayment:
    payments = _open_payments(uow, contact=contact, lock=True)
    if not payments:
        raise NoPendingPayment(contact[-4:])
    payment = payments[0]
    if payment.created_at + CHARGE_HOLD <= uow.now():
        payment.close(PaymentStatus.EXPIRED, uow.now(), "NoConfirmation")
        uow.commit()
        raise NoPendingPayment(contact[-4:])
    if payment.status == PaymentStatus.BILLING and _queued_charge(uow, payment) is None:
        raise PaymentInProgress(payment.reference)
    others = _open_payments(uow, order_id=payment.order_id, status=PaymentStatus.BILLING)
    if any(other.id != payment.id for other in others):  # a relative's sequence already bills this order
        raise PaymentInProgress(payment.reference)
    return payment


def _first_charge(uow, payment: PremiumPayment) -> Charge:
    payment.status, payment.confirmed_at = PaymentStatus.BILLING.value, uow.now()
    return new_charge(uow, payment, step=1)


def new_charge(uow, payment: PremiumPayment, step: int) -> Charge:
    """Queue billed message number `step` of a payment (handed to the provider by bill_charge)."""
    charge = Charge(payment_id=payment.id, order_id=payment.order_id, provider="", short_code=payment.short_code,
                    link_id=payment.link_id, provider_message_id=None, step=step, amount=payment.price,
                    status=ChargeStatus.QUEUED.value, failure_reason=None, created_at=uow.now())
    uow.add(charge)
    return charge


def _queued_charge(uow, payment: PremiumPayment) -> Charge | None:
    return store.queued_charge_of(uow, payment.id)


def _open_payments(uow, contact: str | None = None, order_id: int | None = None, status=None,
                   lock: bool = False) -> list[PremiumPayment]:
    statuses = [status] if status else [PaymentStatus.QUOTED, PaymentStatus.BILLING]
    return store.payments_in(uow, statuses, contact, order_id, lock)


def open_payment_of(uow, contact: str) -> PremiumPayment | None:
    """The contact's latest quoted or billing payment, if any (for a dialog that lost its state)."""
    with uow:
        found = _open_payments(uow, contact=normalise_phone(contact, field="contact"))
        return found[0] if found else None


def _owes(order: Order) -> bool:
    return order.status == Status.AWAITING_PAYMENT and order.amount_due > 0


def _refuse_if_nothing_due(order: Order) -> None:
    if not _owes(order):
        raise NothingDue(order.reference, order.status)


def stop_notice(order: Order, payment: PremiumPayment, reason: str) -> StopNotice:
    return StopNotice(payment.contact, payment.language, order.reference, order.paid_amount, order.amount_due, reason)


def publish_notice(uow, payment: PremiumPayment, template: str, paid: int, due: int) -> None:
    """Record, in this transaction, a message for the citizen: the notifications package sends it."""
    lang = payment.language
    uow.publish(TOPICS[template], order_id=payment.order_id, payment_id=payment.id, contact=payment.contact,
                language=lang, template=template, values={
                    "ref": format_reference(payment.reference), "paid": mad(paid, lang), "due": mad(due, lang),
                    "price": mad(payment.price, lang)})


def expire_premium(uow) -> list[StopNotice]:
    """Expire charges with no final report after 72 h (their payments stop) and quotes never confirmed."""
    with uow:
        limit = uow.now() - CHARGE_HOLD
        notices = [notice for charge in _unreported_before(uow, limit) if (notice := _expire(uow, charge))]
        for payment in store.quotes_before(uow, limit):
            payment.close(PaymentStatus.EXPIRED, uow.now(), "NoConfirmation")
        uow.commit()
    return notices


def _unreported_before(uow, limit) -> list[Charge]:
    return store.unreported_charges_before(uow, limit)


def _expire(uow, charge: Charge) -> StopNotice | None:
    """Expire one charge; stop its payment and tell the citizen when the payment was still open."""
    charge.finish(ChargeStatus.EXPIRED, uow.now(), "NoFinalReport")
    payment = uow.get(PremiumPayment, charge.payment_id, lock=True)
    if not payment.is_open:
        return None
    payment.close(PaymentStatus.EXPIRED, uow.now(), "NoFinalReport")
    notice = stop_notice(uow.get(Order, payment.order_id), payment, "NoFinalReport")
    publish_notice(uow, payment, "payments.premium.stopped", notice.paid, notice.due)
    return notice
