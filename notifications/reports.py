"""Delivery reports: a provider's word on a message it accepted, added to the message's history."""
from __future__ import annotations

from channels.delivery import Outcome

from . import store
from .model import WHATSAPP, Notification, Status
from .optouts import add_opt_out

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
_FINAL = frozenset({Status.DELIVERED, Status.UNDELIVERED, Status.FAILED, Status.SUPPRESSED})


def record_status(uow, notifier, provider: str, provider_message_id: str, status: str,
                  detail: str | None = None, outcome: str | None = None) -> bool:
    """Record a delivery report; False when no message of ours has that provider id.

    A message reported lost is handed on by what its error means (`outcome`, from the provider's table): an
    opt-out (Twilio 21610) is recorded and the message suppressed; throttling (WhatsApp 63018) and unknown codes
    are tried again later on the same provider, a bounded number of times; the rest go to the next provider, if
    one is left (e.g. accepted by a provider that cannot reach the citizen's operator).
    """
    with uow:
        # The WhatsApp sender's reports come under its provider's name (Twilio's status callback).
        ours = [provider, WHATSAPP] if getattr(notifier.whatsapp, "name", None) == provider else [provider]
        message = store.message_by_provider_id(uow, ours, provider_message_id)
        if message is None:
            return False
        _apply(uow, message, (status or "").strip().lower(), detail, outcome, notifier)
        uow.commit()
        return True


def _apply(uow, message: Notification, word: str, detail: str | None, outcome: str | None, notifier) -> None:
    ours, now = REPORTED.get(word), uow.now()
    if ours is None or message.status in _FINAL:
        message.note(f"report:{word}"[:24], now, detail)
    elif ours == Status.UNDELIVERED:
        message.note(f"report:{word}"[:24], now, detail)
        _lost(uow, message, f"reported {word}" + (f": {detail}" if detail else ""), outcome, notifier)
    else:
        message.move(ours, now, detail)


def _lost(uow, message: Notification, reason: str, outcome: str | None, notifier) -> None:
    now, shift = uow.now(), (lambda t: notifier.quiet.release(t, message.urgent))
    if outcome == Outcome.OPTED_OUT:
        holder = message.contact if message.provider == WHATSAPP else message.recipient
        if holder or message.contact:
            add_opt_out(uow, holder or message.contact, "whatsapp" if message.provider == WHATSAPP else "sms",
                        f"{message.provider}:{reason}"[:60])
        message.suppress(f"opted out at the provider ({reason})", now)
    elif outcome == Outcome.NOT_SMS_CAPABLE and message.provider != WHATSAPP:
        message.move(Status.UNDELIVERED, now, f"the number cannot receive SMS ({reason})")
    elif outcome in (Outcome.RETRY, Outcome.UNKNOWN):
        message.retry_later(reason, now, notifier.plan, shift)
    else:
        message.fail_over(reason, now, notifier.plan, shift, lost=Status.UNDELIVERED)
