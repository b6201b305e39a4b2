"""The channel-neutral message: every provider's request becomes an Inbound, every answer is a Reply."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Inbound", "Reply", "Outbound", "SessionState", "choices"]


class SessionState:
    """Where a conversation stands, as vumi put it: a new session, a resumed one, or one being closed."""

    NEW = "new"
    RESUME = "resume"
    CLOSE = "close"


@dataclass(frozen=True)
class Inbound:
    """One message from a citizen or agent, whatever the channel and provider."""

    channel: str            # "ussd", "sms", "whatsapp"
    provider: str           # "africastalking", "twilio", "simulator", ...
    contact: str            # E.164 phone number, or the channel's own id (e.g. "whatsapp:ext:...")
    text: str
    provider_message_id: str | None = None
    session_id: str | None = None
    received_at: datetime | None = None
    phone: str | None = None           # the E.164 phone number when known (WhatsApp may not give one)
    state: str = SessionState.RESUME  # USSD: NEW on a session's first request (the dialog shows its first screen)
    inputs: tuple = ()  # USSD: every input of the session so far, this one last, as the gateway gives them
    extra: dict = field(default_factory=dict)  # provider specifics the flows may use (linkId, media, profile)


@dataclass(frozen=True)
class Reply:
    """What the service answers; the channel renders it (CON/END, TwiML, SMS segments)."""

    text: str
    end_session: bool = False
    options: tuple = ()  # numbered choices, rendered as a menu on USSD and as a numbered list elsewhere


@dataclass(frozen=True)
class Outbound:
    """A message the service sends on its own initiative (a reply sent later, a notification)."""

    to: str
    text: str
    channel: str = "sms"
    idempotency_key: str | None = None
    extra: dict = field(default_factory=dict)


def choices(options) -> list[tuple[str, str]]:
    """A reply's options as (key, label): a label alone is numbered from 1 by its place, a pair keeps its key."""
    return [option if isinstance(option, tuple) else (str(number), option)
            for number, option in enumerate(options, 1)]
