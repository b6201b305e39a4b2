"""Delivery reports: a provider's word on a message it accepted, added to the message's history."""
from __future__ import annotations

from sqlalchemy import select

from .model import WHATSAPP, Notification, Status

__all__ = ["record_status", "REPORTED"]

# The neutral report words the channels pass on -> our status; words absent here only join the history.
REPORTED = {
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "failed": Status.UNDELIVERED,
    "undelivered": Status.UNDELIVERED,
    "rejected": Status.UNDELIVERED,
    "expired": Status.UNDELIVERED,
}
_FINAL = frozenset({Status.DELIVERED, Status.UNDELIVERED, Status.FAILED})


def record_status(uow, notifier, provider: str, provider_message_id: str, status: str,
                  detail: str | None = None) -> bool:
    """Record a delivery report; False when no message of ours has that provider id.

    A message reported lost is handed to the next provider, if one is left (e.g. accepted by a provider that
    cannot reach the citizen's operator).
    """
    with uow:
        # The WhatsApp sender's reports come under its provider's name (Twilio's status callback).
        ours = [provider, WHATSAPP] if getattr(notifier.whatsapp, "name", None) == provider else [provider]
        message = uow.one(select(Notification).where(Notification.provider.in_(ours),
                                                     Notification.provider_message_id == provider_message_id)
                          .with_for_update())
        if message is None:
            return False
        _apply(message, (status or "").strip().lower(), detail, uow.now(), notifier)
        uow.commit()
        return True


def _apply(message: Notification, word: str, detail: str | None, now, notifier) -> None:
    ours = REPORTED.get(word)
    if ours is None or message.status in _FINAL:
        message.note(f"report:{word}"[:24], now, detail)
    elif ours == Status.UNDELIVERED:
        message.note(f"report:{word}"[:24], now, detail)
        message.fail_over(f"reported {word}" + (f": {detail}" if detail else ""), now, notifier.plan,
                          lambda t: notifier.quiet.release(t, message.urgent), lost=Status.UNDELIVERED)
    else:
        message.move(ours, now, detail)
