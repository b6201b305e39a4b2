"""The embedded default's premium biller: bills nobody, and answers like Africa's Talking's on-demand premium SMS.

Each billed message gets an id, and a little later that id's delivery report comes back through the real
webhook (`/webhooks/africastalking/sms/delivery`), as the provider would send it: `Success`, or `Failed` with the
reason chosen for the number (no credit, blacklisted, ...). So a payment by premium SMS can be finished, or made
to fail, in the simulator, through the same code that applies real reports.
"""
from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Callable, Mapping

from orders_core.phones import mask_phone

from .africastalking import REPORT_STATUSES

__all__ = ["SandboxPremiumBiller", "OUTCOMES", "SUCCESS", "outcome_key", "report_form"]

log = logging.getLogger(__name__)
SUCCESS = "Success"
# What the sandbox can answer: Success, or the failure reasons Africa's Talking reports with `Failed`.
OUTCOMES = (SUCCESS, "InsufficientCredit", "UserInBlackList", "UserIsInactive")
_KEY = "shubbak:sandbox:premium:"


def outcome_key(phone: str) -> str:
    """The Redis key holding the outcome chosen for a number's next billed messages."""
    return _KEY + phone


def report_form(message_id: str, phone: str, outcome: str) -> dict:
    """The delivery report Africa's Talking posts for a premium message."""
    failed = outcome != SUCCESS
    form = {"id": message_id, "status": "Failed" if failed else SUCCESS, "phoneNumber": phone,
            "networkCode": "60400", "retryCount": "0"}
    if failed:
        form["failureReason"] = outcome
    return form


@dataclass
class SandboxPremiumBiller:
    """Africa's Talking's premium protocol without Africa's Talking: reports arrive by the real webhook.

    `post_report(form)` posts a delivery report to the webhook; `redis` holds the outcome chosen per number;
    `on_billed(to, text, message_id)` shows the billed message on the simulated phone."""

    post_report: Callable[[dict], object]
    redis: object
    on_billed: Callable[[str, str, str], None] = lambda to, text, message_id: None
    delay: float = 2.0  # seconds before the report: the time a provider takes, and our commit of the id
    name: str = "africastalking"  # its reports come by Africa's Talking's webhook, in its words
    bills_incoming: bool = False
    statuses: Mapping[str, str] = field(default_factory=lambda: dict(REPORT_STATUSES))

    def bill(self, to: str, text: str, short_code: str, keyword: str, link_id: str | None) -> str:
        message_id = f"sandbox-premium-{uuid.uuid4().hex[:16]}"
        outcome = self.outcome_for(to)
        self.on_billed(to, text, message_id)
        log.info("sandbox premium SMS to %s on %s: %s in %.1f s", mask_phone(to), short_code, outcome, self.delay)
        timer = threading.Timer(self.delay, self._report, (report_form(message_id, to, outcome),))
        timer.daemon = True
        timer.start()
        return message_id

    def outcome_for(self, phone: str) -> str:
        chosen = self.redis.get(outcome_key(phone))
        chosen = chosen.decode() if isinstance(chosen, bytes) else chosen
        return chosen if chosen in OUTCOMES else SUCCESS

    def _report(self, form: dict) -> None:
        try:
            self.post_report(form)
        except Exception as exc:  # a lost report leaves the charge to expire, as a provider's would
            log.warning("sandbox premium report %s not delivered: %s", form["id"], type(exc).__name__)
