"""Sending: one small interface for every provider, errors classified once (retryable or not)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol

from orders_core.phones import mask_phone
from texts import count

from .delivery import Outcome

__all__ = ["SendResult", "SendError", "Sender", "ConsoleSender"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    """What a provider said on accepting a message."""

    provider: str
    provider_message_id: str
    status: str = "sent"
    segments: int = 1
    cost: str | None = None


class SendError(Exception):
    """A send that failed. `outcome` (channels.delivery.Outcome) says what to do next, from the provider's error
    table; `retryable` whether trying again later may work (timeouts, 5xx, throttling, another provider)."""

    def __init__(self, provider: str, reason: str, retryable: bool | None = None, outcome: str | None = None):
        if outcome is None:
            outcome = Outcome.RETRY if retryable else Outcome.PERMANENT
        self.provider, self.reason, self.outcome = provider, reason, outcome
        self.retryable = outcome in Outcome.RETRYABLE if retryable is None else retryable
        super().__init__(f"{provider}: {reason} ({outcome})")


class Sender(Protocol):
    name: str

    def send(self, to: str, text: str) -> SendResult:
        """Send one text to an E.164 number; raise SendError on failure."""


@dataclass
class ConsoleSender:
    """The embedded default: records what it would send and logs it (masked)."""

    name: str = "console"
    sent: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, to: str, text: str) -> SendResult:
        with self._lock:
            message_id = f"console-{len(self.sent) + 1}"
            self.sent.append({"id": message_id, "to": to, "text": text})
        log.info("console SMS to %s (%d segments)", mask_phone(to), count(text).segments)
        return SendResult(self.name, message_id, "sent", count(text).segments)
