"""Handing charges to the premium provider and applying its delivery reports (a charge counts on final success)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from orders_core.lifecycle import Status
from orders_core.model import Order
from orders_core.phones import mask_phone
from orders_core.references import format_reference
from orders_core.services import apply_payment

from . import store
from .errors import BillingError, UnknownCharge
from .model import Charge, ChargeStatus, PaymentStatus, PremiumPayment
from .money import mad
from .premium import STOP_TEXTS, StopNotice, new_charge, publish_notice, stop_notice
from .senders import report_status

__all__ = ["BillOutcome", "ReportOutcome", "bill_charge", "apply_delivery_report", "apply_provider_report",
           "charges_being_sent",
           "stale_queued_charges", "MEANS"]

log = logging.getLogger(__name__)
MEANS = "premium_sms"


@dataclass(frozen=True)
class BillOutcome:
    charge_id: int
    status: str                       # sent, failed, skipped, needs_incoming
    provider_message_id: str | None = None
    notice: StopNotice | None = None  # set when a refusal stopped the payment
    contact: str | None = None        # set with needs_incoming: who must send another YES
    language: str | None = None


@dataclass(frozen=True)
class ReportOutcome:
    charge_id: int | None  # None: the report was no charge's
    status: str
    changed: bool
    next_charge_id: int | None = None
    notice: StopNotice | None = None


@dataclass(frozen=True)
class _Ticket:
    """What a claimed charge needs outside the transaction, while the provider is called."""

    charge_id: int
    to: str
    short_code: str
    keyword: str
    link_id: str | None
    step: int
    messages: int
    amount: int
    reference: str
    language: str


def bill_charge(uow, sender, catalogs, charge_id: int) -> BillOutcome:
    """Hand one queued charge to the provider, once: claimed in one transaction, recorded in another."""
    claimed = _claim(uow, sender, charge_id)
    if isinstance(claimed, BillOutcome):
        return claimed
    text = catalogs.text(claimed.language, "payments.premium.billed", ref=format_reference(claimed.reference),
                         amount=mad(claimed.amount, claimed.language), step=claimed.step, count=claimed.messages)
    try:
        message_id = sender.bill(claimed.to, text, claimed.short_code, claimed.keyword, claimed.link_id)
    except BillingError as exc:
        return _refused(uow, claimed, exc)
    with uow:
        charge = uow.get(Charge, charge_id, lock=True)
        charge.provider_message_id, charge.sent_at = message_id, uow.now()
        if not charge.is_final:
            charge.status = ChargeStatus.SENT.value
        uow.commit()
    return BillOutcome(charge_id, ChargeStatus.SENT.value, message_id)


def _claim(uow, sender, charge_id: int):
    with uow:
        charge = uow.get(Charge, charge_id, lock=True)
        if charge is None or charge.status != ChargeStatus.QUEUED:
            return BillOutcome(charge_id, "skipped")
        payment = uow.get(PremiumPayment, charge.payment_id)
        if sender.bills_incoming and store.link_used(uow, charge):
            order = uow.get(Order, payment.order_id)
            publish_notice(uow, payment, "payments.premium.next_yes", order.paid_amount, order.amount_due)
            uow.commit()
            return BillOutcome(charge_id, "needs_incoming", contact=payment.contact, language=payment.language)
        charge.status, charge.provider = ChargeStatus.SENDING.value, sender.name
        uow.commit()
        return _Ticket(charge.id, payment.contact, charge.short_code, payment.keyword, charge.link_id, charge.step,
                       max(payment.messages, charge.step), charge.amount, payment.reference, payment.language)


def _refused(uow, ticket: _Ticket, exc: BillingError) -> BillOutcome:
    with uow:
        charge = uow.get(Charge, ticket.charge_id, lock=True)
        if exc.retryable:
            charge.status = ChargeStatus.QUEUED.value  # not billed: the job may try again
            uow.commit()
            raise exc
        log.warning("premium charge %s refused for %s: %s", charge.id, mask_phone(ticket.to), exc.reason)
        charge.finish(ChargeStatus.FAILED, uow.now(), exc.reason[:40])
        notice = _stop(uow, charge, exc.reason[:40])
        uow.commit()
        return BillOutcome(charge.id, ChargeStatus.FAILED.value, notice=notice)


def apply_delivery_report(uow, provider_message_id: str, status: str, failure_reason: str | None = None
                          ) -> ReportOutcome:
    """Apply a provider's report on a charge (status: sent, succeeded or failed); a final status never changes."""
    with uow:
        charge = store.charge_by_provider_id(uow, provider_message_id)
        if charge is None:
            raise UnknownCharge(provider_message_id)
        outcome = _apply(uow, charge, status, (failure_reason or "")[:40] or None)
        uow.commit()
        return outcome


def apply_provider_report(uow, biller, provider: str, provider_message_id: str, word: str,
                          detail: str | None = None) -> ReportOutcome:
    """A provider's report, in its own words, on what may be a charge of `biller`: applied to the charge; status
    `not_premium` (not the biller's report, or a word it does not know) or `not_a_charge` (no charge of that id and
    none being sent). UnknownCharge while a charge is being sent: its id may not be recorded yet, try again."""
    ours = report_status(biller, word) if provider == biller.name else None
    if ours is None:
        return ReportOutcome(None, "not_premium", changed=False)
    try:
        return apply_delivery_report(uow, provider_message_id, ours, detail)
    except UnknownCharge:
        if charges_being_sent(uow):
            raise
        return ReportOutcome(None, "not_a_charge", changed=False)


def _apply(uow, charge: Charge, status: str, reason: str | None) -> ReportOutcome:
    if charge.status == ChargeStatus.EXPIRED and status == "succeeded":
        # Our 72 h expiry was a guess and the provider says the citizen paid: the money must not vanish.
        log.warning("premium charge %s succeeded after it expired: applied (as credit if nothing is due)", charge.id)
        return _succeeded(uow, charge)
    if charge.is_final or status not in ("succeeded", "failed"):
        return ReportOutcome(charge.id, charge.status, changed=False)
    if status == "succeeded":
        return _succeeded(uow, charge)
    charge.finish(ChargeStatus.FAILED, uow.now(), reason or "Failed")
    return ReportOutcome(charge.id, charge.status, True, notice=_stop(uow, charge, charge.failure_reason))


def _succeeded(uow, charge: Charge) -> ReportOutcome:
    charge.finish(ChargeStatus.SUCCEEDED, uow.now())
    payment = uow.get(PremiumPayment, charge.payment_id, lock=True)
    order = uow.get(Order, charge.order_id, lock=True)
    apply_payment(uow, order, charge.amount, MEANS, charge.provider_message_id)
    if not payment.is_open:
        return ReportOutcome(charge.id, charge.status, True)
    if order.status != Status.AWAITING_PAYMENT or order.amount_due == 0:
        # Paid in full, or no longer payable (cancelled, expired): this charge became credit, nothing more is billed.
        if order.paid_at is not None:
            payment.close(PaymentStatus.COVERED, uow.now())
        else:
            payment.close(PaymentStatus.STOPPED, uow.now(), f"order {order.status}"[:40])
        return ReportOutcome(charge.id, charge.status, True)
    following = new_charge(uow, payment, charge.step + 1)
    uow.flush()
    return ReportOutcome(charge.id, charge.status, True, next_charge_id=following.id)


def _stop(uow, charge: Charge, reason: str) -> StopNotice | None:
    """Stop the charge's payment, if still open, and tell the citizen (through the outbox) what is left."""
    payment = uow.get(PremiumPayment, charge.payment_id, lock=True)
    if not payment.is_open:
        return None
    payment.close(PaymentStatus.STOPPED, uow.now(), reason)
    notice = stop_notice(uow.get(Order, charge.order_id), payment, reason)
    publish_notice(uow, payment, STOP_TEXTS.get(reason, "payments.premium.stopped"), notice.paid, notice.due)
    return notice


def charges_being_sent(uow) -> int:
    """How many charges are claimed but not yet recorded (a report may arrive before their id is known)."""
    with uow:
        return store.charges_in(uow, ChargeStatus.SENDING)


def stale_queued_charges(uow, older_than) -> list[int]:
    """Charges queued before `older_than` and never handed over (a lost job): to hand over again."""
    with uow:
        return store.queued_charges_before(uow, older_than)
