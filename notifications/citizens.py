"""What citizens are told about their orders, payments, complaints and support conversations."""
from __future__ import annotations

from orders_core.lifecycle import Status
from orders_core.model import Complaint, Escalation, EscalationMessage, Order, OutboxMessage
from orders_core.references import format_reference

from . import store
from .model import Audience, Planned
from .policy import URGENT_KINDS, mad

__all__ = ["order_placed", "payment_received", "order_status_changed", "complaint_filed_citizen",
           "complaint_status_changed", "escalation_reply", "citizen_message", "premium_notice"]


def phone_of(phone: str | None, contact: str | None) -> str | None:
    """The E.164 number to text: the recorded phone, else the contact when it is a phone number."""
    if phone:
        return phone
    return contact if contact and contact.startswith("+") else None


def citizen_message(event: OutboxMessage, kind: str, language: str, values: dict, *, phone: str | None,
                    contact: str | None, order_id: int | None = None, channel: str | None = None,
                    opted_out_of: frozenset | None = None) -> Planned:
    """One message to the citizen an outbox event concerns; its key makes it once per event and kind."""
    return Planned(
        key=f"outbox:{event.id}:{kind}:citizen", audience=Audience.CITIZEN, kind=kind, template=f"notify.{kind}",
        language=language, values=values, contact=contact, phone=phone, urgent=kind in URGENT_KINDS,
        order_id=order_id, channel=channel, opted_out_of=opted_out_of,
    )


def _to_requester(event: OutboxMessage, order: Order, kind: str, **values) -> list[Planned]:
    values = {"ref": format_reference(order.reference), **values}
    return [citizen_message(event, kind, order.language, values, phone=phone_of(order.requester_phone,
                            order.requester_contact), contact=order.requester_contact, order_id=order.id,
                            opted_out_of=getattr(order, "opted_out_of", None))]


def order_placed(uow, event: OutboxMessage, notifier) -> list[Planned]:
    """The reference, the amount due and how to pay; nothing when credit already paid it all."""
    order = store.order_due(uow, event)
    if order is None or order.unpaid <= 0:
        return []
    return _to_requester(event, order, "order_placed", amount=mad(order.unpaid, order.language),
                         short_code=notifier.short_code)


def payment_received(uow, event: OutboxMessage, notifier) -> list[Planned]:
    """Paid in full (now with the office), paid in part (what is left), or paid twice (kept as credit)."""
    payload = event.payload
    order = uow.get(Order, payload["order_id"])
    if order is None:
        return []
    if payload["applied"] == 0:
        return _to_requester(event, order, "payment_credited", amount=mad(payload["amount"], order.language))
    if payload["due"] > 0:
        return _to_requester(event, order, "payment_partial", amount=mad(payload["due"], order.language))
    return _to_requester(event, order, "payment_complete", office=order.office.label(order.language))


def _received(uow, event, order: Order) -> list[Planned]:
    # On payment the order reaches the office in the same moment: the payment message already says so.
    if event.payload.get("from_status") != Status.REASSIGNED:
        return []
    return _to_requester(event, order, "order_received", office=order.office.label(order.language))


def _rejected(uow, event, order: Order) -> list[Planned]:
    credit = mad(max(0, uow.credit_balance(order.account)), order.language)
    return _to_requester(event, order, f"rejected_{order.rejection_reason or 'incomplete_data'}", amount=credit)


def _dispatched(uow, event, order: Order) -> list[Planned]:
    return _to_requester(event, order, "order_dispatched", barcode=order.barcode or "")


def _delivered(uow, event, order: Order) -> list[Planned]:
    return _to_requester(event, order, "order_delivered")


# The stages a citizen hears about; the others show in tracking only.
STAGE_MESSAGES = {
    Status.RECEIVED: _received,
    Status.REJECTED: _rejected,
    Status.DISPATCHED: _dispatched,
    Status.DELIVERED: _delivered,
}


def order_status_changed(uow, event: OutboxMessage, notifier) -> list[Planned]:
    handler = STAGE_MESSAGES.get(event.payload.get("to_status"))
    order = uow.get(Order, event.payload["order_id"]) if handler else None
    return handler(uow, event, order) if order is not None else []


def complaint_filed_citizen(uow, event: OutboxMessage, notifier) -> list[Planned]:
    complaint = uow.get(Complaint, event.payload["complaint_id"])
    if complaint is None:
        return []
    return [citizen_message(event, "complaint_filed", complaint.language,
                            {"ref": format_reference(complaint.reference)},
                            phone=phone_of(complaint.phone, complaint.contact), contact=complaint.contact,
                            order_id=complaint.order_id)]


_COMPLAINT_ENDINGS = {"resolved": "complaint_resolved", "dismissed": "complaint_dismissed"}


def complaint_status_changed(uow, event: OutboxMessage, notifier) -> list[Planned]:
    kind = _COMPLAINT_ENDINGS.get(event.payload.get("to_status"))
    complaint = uow.get(Complaint, event.payload["complaint_id"]) if kind else None
    if complaint is None:
        return []
    return [citizen_message(event, kind, complaint.language, {"ref": format_reference(complaint.reference)},
                            phone=phone_of(complaint.phone, complaint.contact), contact=complaint.contact,
                            order_id=complaint.order_id)]


def escalation_reply(uow, event: OutboxMessage, notifier) -> list[Planned]:
    """A support agent's answer, sent as written on the channel the citizen asked on (SMS for USSD and SMS)."""
    escalation = uow.get(Escalation, event.payload["escalation_id"])
    message = uow.get(EscalationMessage, event.payload["message_id"])
    if escalation is None or message is None:
        return []
    return [citizen_message(event, "support_reply", escalation.language, {"text": message.text},
                            phone=phone_of(escalation.phone, escalation.contact), contact=escalation.contact,
                            order_id=escalation.order_id, channel=_ANSWERED_BY.get(escalation.channel))]


# Where support's answer goes, by the channel the citizen asked on (WhatsApp: as any notification, by its window).
_ANSWERED_BY = {"sms": "sms", "ussd": "sms"}


def premium_notice(uow, event: OutboxMessage, notifier) -> list[Planned]:
    """A premium-SMS payment stopped (what is paid, what is left, other ways) or waits for the next YES.

    The payments package chose the text (one of its catalog keys) and its values; it answers what the citizen
    just did, so it is urgent.
    """
    p = event.payload
    return [Planned(key=f"outbox:{event.id}:premium:citizen", audience=Audience.CITIZEN, kind="premium_notice",
                    template=p["template"], language=p["language"], values=p["values"], contact=p["contact"],
                    phone=phone_of(None, p["contact"]), urgent=True, order_id=p["order_id"])]
