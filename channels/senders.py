"""Sending: one small interface for every provider, errors classified once (retryable or not)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol

from orders_core.phones import mask_phone
from texts import count

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
    """A send that failed; `retryable` says whether trying again later may work (timeouts, 5xx, throttling)."""

    def __init__(self, provider: str, reason: str, retryable: bool):
        self.provider, self.reason, self.retryable = provider, reason, retryable
        super().__init__(f"{provider}: {reason} ({'retryable' if retryable else 'permanent'})")


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
