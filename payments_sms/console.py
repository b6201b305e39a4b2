"""The embedded default's premium sender when no biller is configured (and the simulator is off): bills nothing."""
from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Mapping

from orders_core.phones import mask_phone

from .africastalking import REPORT_STATUSES

__all__ = ["ConsolePremiumSender"]

log = logging.getLogger(__name__)


@dataclass
class ConsolePremiumSender:
    """The embedded default: bills nothing, records what it would send; reports use Africa's Talking's words (its one
    table, channels.africastalking_answers, as payments_sms.africastalking reads it)."""

    name: str = "console"
    bills_incoming: bool = False
    statuses: Mapping[str, str] = field(default_factory=lambda: dict(REPORT_STATUSES))
    billed: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bill(self, to: str, text: str, short_code: str, keyword: str, link_id: str | None) -> str:
        with self._lock:
            message_id = f"console-premium-{uuid.uuid4().hex[:16]}"  # unique across restarts, like a provider's
            self.billed.append({"id": message_id, "to": to, "text": text, "short_code": short_code,
                                "keyword": keyword, "link_id": link_id})
        log.info("console premium SMS to %s on %s (not billed)", mask_phone(to), short_code)
        return message_id
