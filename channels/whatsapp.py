"""Twilio WhatsApp: signed messages in (text, media, WhatsApp ids), replies and templates out, status callbacks.

A WhatsApp contact may come without a phone number (Meta's business-scoped user ids, `ExternalUserId`): the
contact is keyed on what Twilio gives and linked to a phone number only when one is known. Free-form messages
may go only within 24 hours of the person's last message; outside it only an approved template may (see `route`).
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from orders_core.phones import mask_phone

from . import twilio
from .contract import Route
from .forms import TEXT_LIMIT, FormReader, possible_base64
from .message import Inbound, Reply, choices
from .senders import SendResult

__all__ = ["NAME", "ROUTES", "CHANNEL", "PREFIX", "WINDOW", "BODY_LIMIT", "MAX_MEDIA", "authentic", "acknowledge", "receive",
           "status", "render", "pieces", "Route", "route", "template_for", "WhatsAppSender", "ConsoleWhatsApp",
           "masked"]

log = logging.getLogger(__name__)
NAME = twilio.NAME  # the provider; the channel is WhatsApp
CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
WINDOW = timedelta(hours=24)  # Meta's customer-service window: free-form only within it
BODY_LIMIT = 1600  # Twilio's Body limit; a longer reply goes as several messages
MAX_MEDIA = twilio.MAX_MEDIA  # WhatsApp carries one file per message; Twilio's form allows up to 10

authentic = twilio.authentic  # the same X-Twilio-Signature over the configured public URL
acknowledge = twilio.acknowledge  # empty TwiML: the reply goes later through the REST API
status = twilio.status  # the same status callback words, `read` included


def receive(form, now: datetime) -> Inbound:
    """An incoming WhatsApp message: the contact is the phone number when one is known, else Twilio's id.

    As courier: a quick-reply button's `ButtonText` is what the person chose (it wins over `Body`); a media
    message may come without `Body`; a `From` without the `whatsapp:` prefix is read as a WhatsApp number.
    """
    read = FormReader(form)
    message_id = read.required("MessageSid", 64)
    address = _address(read.required("From", 120))
    to = read.required("To", 120)
    media = twilio.media_of(read)
    body = read.optional("Body", TEXT_LIMIT) if media else read.required("Body", TEXT_LIMIT, empty=True)
    wa_id, external = read.optional("WaId", 40), read.optional("ExternalUserId", 100)
    profile, button = read.optional("ProfileName", 100), read.optional("ButtonText", 200)
    if address == PREFIX:
        read.problems["From"] = "not a WhatsApp address"
    read.done()
    phone = _phone_of(address[len(PREFIX):]) or _phone_of(wa_id)
    contact = phone or (f"{PREFIX}ext:{external}" if external else address)
    extra = {"to": to, "address": address, "wa_id": wa_id, "external_user_id": external, "profile": profile,
             "media": media}
    text = button.strip() if button and button.strip() else possible_base64(body or "")
    return Inbound(CHANNEL, NAME, contact, text, provider_message_id=message_id, received_at=now,
                   phone=phone, extra=extra)


# A route of Twilio: `/webhooks/twilio/whatsapp` (its status callbacks come to Twilio's `status` route).
ROUTES = {"whatsapp": Route("message", receive)}


def _address(raw: str) -> str:
    """A WhatsApp address; a bare number ("+1413...", as courier's prefixless fixture) gets the prefix."""
    raw = raw.strip()
    return raw if not raw or raw.startswith(PREFIX) else PREFIX + raw


def _phone_of(value: str | None) -> str | None:
    """An E.164 number from a WhatsApp address or WaId ("+2126..." or "2126..."), None when it is not one.

    WhatsApp gives numbers in international form, with or without "+": digits alone are read as such, never as
    a Moroccan national number."""
    bare = (value or "").strip()
    if bare.isdigit():
        bare = "+" + bare
    read = FormReader({"phone": bare})
    phone = read.phone("phone", required=False)
    return None if read.problems else phone or None


def render(reply: Reply) -> str:
    """The WhatsApp text of a reply: its text, then its choices numbered as on USSD (bold numbers), "" for none."""
    lines = [reply.text.strip()] if reply.text and reply.text.strip() else []
    for key, label in choices(reply.options):
        lines.append(f"*{key}* {label}")
    return "\n".join(lines)


def pieces(text: str) -> list[str]:
    """A text as the messages that carry it, each at most BODY_LIMIT long, cut between lines where possible."""
    messages: list[str] = []
    for line in text.split("\n"):
        for piece in (line[i:i + BODY_LIMIT] for i in range(0, len(line), BODY_LIMIT)) if line else ("",):
            if messages and len(messages[-1]) + 1 + len(piece) <= BODY_LIMIT:
                messages[-1] += "\n" + piece
            else:
                messages.append(piece)
    return messages


@dataclass(frozen=True)
class Route:
    """How a message reaches a person: WhatsApp free-form, a WhatsApp template (`content_sid`), or SMS."""

    channel: str  # "whatsapp" or "sms"
    to: str  # a WhatsApp address or an E.164 number
    content_sid: str | None = None


def route(address: str | None, phone: str | None, last_inbound_at: datetime | None, now: datetime,
          template: str | None) -> Route | None:
    """Inside the 24-hour window: free-form; outside: the approved template; without one: SMS to the phone."""
    if address and last_inbound_at is not None and now - last_inbound_at < WINDOW:
        return Route(CHANNEL, address)
    if address and template:
        return Route(CHANNEL, address, template)
    return Route("sms", phone) if phone else None


def template_for(templates, kind: str, language: str, values: dict) -> tuple[str, dict] | None:
    """The approved template of "kind.lang" (SHUBBAK_TWILIO_TEMPLATES) and its numbered variables: a SID alone
    (the values in their order), or {"sid": "HX...", "variables": ["ref", "amount"]} (the values by name)."""
    found = (templates or {}).get(f"{kind}.{language}")
    if not found:
        return None
    sid, names = (found, list(values)) if isinstance(found, str) else (found.get("sid"), found.get("variables", []))
    return (sid, {str(n): str(values.get(name, "")) for n, name in enumerate(names, 1)}) if sid else None


def masked(address: str) -> str:
    """A WhatsApp address for a log line: the number masked, an id cut short."""
    bare = address[len(PREFIX):] if address.startswith(PREFIX) else address
    return mask_phone(bare) if bare.startswith("+") else (bare[:8] + "…" if len(bare) > 8 else bare)


class WhatsAppSender:
    """Messages through Twilio's Messages API from the WhatsApp sender (channels.twilio's client and error mapping)."""

    name = NAME

    def __init__(self, account_sid: str, auth_token: str, from_: str, status_callback: str | None = None,
                 timeout: float = 10):
        self.client = twilio.rest_client(account_sid, auth_token, timeout)
        self.from_ = from_ if from_.startswith(PREFIX) else PREFIX + from_
        self.status_callback = status_callback

    @classmethod
    def from_settings(cls, settings) -> "WhatsAppSender | None":
        if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from):
            return None
        callback = settings.public_base_url.rstrip("/") + "/webhooks/twilio/status"
        return cls(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_whatsapp_from, callback)

    def send(self, to: str, text: str) -> SendResult:
        """A free-form message (only within the 24-hour window), at most BODY_LIMIT long."""
        return self._create(to, body=text)

    def send_template(self, to: str, content_sid: str, variables: dict) -> SendResult:
        """An approved template: its Content SID and variables as JSON (a template text in Body fails, 63016)."""
        return self._create(to, content_sid=content_sid,
                            content_variables=json.dumps({str(k): str(v) for k, v in variables.items()},
                                                         ensure_ascii=False))

    def _create(self, to: str, **content) -> SendResult:
        address = to if to.startswith(PREFIX) else PREFIX + to
        message = twilio.create_message(self.client, self.status_callback, to=address, from_=self.from_, **content)
        log.info("Twilio accepted a WhatsApp message to %s: %s (%s)", masked(address), message.sid, message.status)
        return SendResult(NAME, message.sid, str(message.status or "queued"), 1, message.price)


@dataclass
class ConsoleWhatsApp:
    """The embedded default (no Twilio credentials): records what it would send, templates included, and logs it."""

    name: str = "console-whatsapp"
    sent: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, to: str, text: str) -> SendResult:
        """Record a free-form message."""
        return self._record(to, {"text": text})

    def send_template(self, to: str, content_sid: str, variables: dict) -> SendResult:
        """Record a template and its variables."""
        return self._record(to, {"content_sid": content_sid, "variables": dict(variables)})

    def _record(self, to: str, content: dict) -> SendResult:
        with self._lock:
            message_id = f"console-whatsapp-{len(self.sent) + 1}"
            self.sent.append({"id": message_id, "to": to, **content})
        log.info("console WhatsApp message to %s%s", masked(to), " (template)" if "content_sid" in content else "")
        return SendResult(self.name, message_id, "sent", 1)
