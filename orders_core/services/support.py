"""Escalations: a conversation the bot hands over to a person in support."""
from __future__ import annotations

from .. import queries
from ..errors import InvalidInput, NotFound
from ..model import Escalation, EscalationMessage
from ..validation import clean_text

__all__ = ["open_escalation", "add_escalation_message", "close_escalation", "REASONS"]

REASONS = ("asked_for_human", "not_understood", "complaint", "payment_problem")


def open_escalation(uow, contact: str, *, channel: str, language: str, reason: str, phone: str | None = None,
                    text: str | None = None, order_id: int | None = None) -> Escalation:
    """Open (or reuse the open) escalation of a contact, adding the citizen's last words to its transcript."""
    if reason not in REASONS:
        raise InvalidInput({"reason": f"one of {', '.join(REASONS)}"})
    with uow:
        escalation = queries.open_escalation_for(uow, contact)
        if escalation is None:
            escalation = Escalation(contact=contact, phone=phone, channel=channel, language=language, status="open",
                                    reason=reason, order_id=order_id, created_at=uow.now(), closed_at=None)
            escalation.messages = []
            uow.add(escalation)
            uow.flush()
            uow.publish("escalation.opened", escalation_id=escalation.id, channel=channel)
        if clean_text(text, 2000):
            escalation.messages.append(_message("in", contact, text, uow.now()))
        uow.commit()
        return escalation


def _message(direction: str, author: str, text: str, at) -> EscalationMessage:
    return EscalationMessage(direction=direction, author=author, text=clean_text(text, 2000)[:2000], at=at)


def add_escalation_message(uow, escalation_id: int, direction: str, author: str, text: str) -> EscalationMessage:
    """Add a line to the transcript; a support reply ("out") is published so it reaches the citizen's channel."""
    if not clean_text(text, 2000):
        raise InvalidInput({"text": "write a message"})
    with uow:
        escalation = uow.get(Escalation, escalation_id)
        if escalation is None or escalation.status != "open":
            raise NotFound(f"no open conversation {escalation_id!r}")
        message = _message(direction, author, text, uow.now())
        escalation.messages.append(message)
        uow.flush()
        if direction == "out":
            uow.publish("escalation.reply", escalation_id=escalation.id, message_id=message.id)
        uow.commit()
        return message


def close_escalation(uow, escalation_id: int, author: str) -> None:
    """Close a conversation: the bot answers the citizen again."""
    with uow:
        escalation = uow.get(Escalation, escalation_id)
        if escalation is None or escalation.status != "open":
            raise NotFound(f"no open conversation {escalation_id!r}")
        escalation.status, escalation.closed_at = "closed", uow.now()
        uow.publish("escalation.closed", escalation_id=escalation.id, author=author)
        uow.commit()
