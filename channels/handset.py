"""The simulated phones' memory: every message a simulated number sent or received, on the channel it went by.

In the embedded default nothing leaves the machine: the console SMS and WhatsApp senders and the sandbox premium
biller deliver here instead, and the simulator records what its phones typed. The simulator reads this table to
show one phone per number (USSD transcript, SMS thread, WhatsApp chat), whatever sent the message: a reply, a
notification, a billed premium message, a WhatsApp template, a support answer, an agent's digest.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from . import records
from .orm import simulator_messages
from .senders import SendResult
from .whatsapp import PREFIX
from orders_core.phones import mask_phone
from orders_core.redaction import redact_pins_in, redact_text
from texts import count

__all__ = ["simulator_messages", "Handset", "HandsetSms", "HandsetWhatsApp", "CHANNELS", "bare", "hide_pins"]

log = logging.getLogger(__name__)
CHANNELS = ("ussd", "sms", "whatsapp")


def hide_pins(text: str, direction: str) -> str:
    """The text with its card PINs marked, never stored in clear, even here, by the webhooks' one rule: what a phone
    typed as a message is read (a card command), what it received only for long runs of digits (a reply such as
    "Card accepted: ..." is no command)."""
    return redact_text(text).text if direction == "in" else redact_pins_in(text)


def bare(address: str) -> str:
    """The phone number of an address (`whatsapp:+2126…` -> `+2126…`)."""
    return address[len(PREFIX):] if address.startswith(PREFIX) else address


@dataclass
class Handset:
    """Writes what a simulated phone sent or received; reads one phone's messages after a given id."""

    engine: object
    clock: object

    def record(self, contact: str, channel: str, direction: str, kind: str, text: str,
               provider_message_id: str | None = None, session: str | None = None) -> int:
        row = dict(contact=bare(contact)[:80], channel=channel, direction=direction, kind=kind,
                   text=hide_pins(text.replace("\x00", ""), direction), provider_message_id=provider_message_id,
                   session=session and session[:100], created_at=self.clock())
        return records.record_handset_message(self.engine, row)

    def messages(self, contact: str, after: int = 0, limit: int = 300) -> list[dict]:
        """One phone's messages after id `after`, oldest first (the newest `limit` of them)."""
        return records.handset_messages(self.engine, contact, after, limit)


@dataclass
class HandsetSms:
    """The console SMS sender, delivering to the simulated phone (same name: `console`)."""

    handset: Handset
    name: str = "console"

    def send(self, to: str, text: str) -> SendResult:
        message_id = _unique("console")  # unique across processes and restarts: notifications are found by it
        _deliver(self.handset, to, "sms", "reply", text, message_id)
        log.info("console SMS to %s (%d segments)", mask_phone(to), count(text).segments)
        return SendResult(self.name, message_id, "sent", count(text).segments)


@dataclass
class HandsetWhatsApp:
    """The console WhatsApp sender, delivering free-form messages and templates to the simulated phone."""

    handset: Handset
    name: str = "console-whatsapp"

    def send(self, to: str, text: str) -> SendResult:
        return self._sent(to, "reply", text)

    def send_template(self, to: str, content_sid: str, variables: dict) -> SendResult:
        # The approved text lives at Twilio: the phone shows the template and its values (the simulator's page
        # puts the notification's own text beside it).
        shown = content_sid + " " + " | ".join(f"{k}={v}" for k, v in sorted(variables.items()))
        return self._sent(to, "template", shown)

    def _sent(self, to: str, kind: str, text: str) -> SendResult:
        message_id = _unique("console-whatsapp")
        _deliver(self.handset, to, "whatsapp", kind, text, message_id)
        log.info("console WhatsApp message to %s%s", mask_phone(bare(to)), " (template)" if kind == "template" else "")
        return SendResult(self.name, message_id, "sent", 1)


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _deliver(handset: Handset, to: str, channel: str, kind: str, text: str, message_id: str) -> None:
    """Best effort: the message is sent whatever happens to its simulated copy."""
    try:
        handset.record(to, channel, "out", kind, text, message_id)
    except Exception as exc:  # the simulator's copy must never fail a send
        log.warning("simulated phone %s missed a %s message: %s", mask_phone(bare(to)), channel, type(exc).__name__)
