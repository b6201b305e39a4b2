"""Twilio SMS: signed callbacks in, SMS out through the REST API, status callbacks."""
from __future__ import annotations

import logging
from datetime import datetime

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from orders_core.phones import mask_phone
from texts import count

from .callbacks import Callback
from .delivery import DeliveryStatus
from .forms import TEXT_LIMIT, FormReader
from .message import Inbound
from .senders import SendError, SendResult

__all__ = ["NAME", "ROUTES", "STATUSES", "SIGNATURE_HEADER", "EMPTY_TWIML", "authentic", "acknowledge",
           "receive_sms", "status", "TwilioSender"]

log = logging.getLogger(__name__)
NAME = "twilio"
ROUTES = {"sms": "sms", "status": "delivery"}
SIGNATURE_HEADER = "X-Twilio-Signature"
# An empty TwiML answer: nothing to say now (an empty 200 body would be Twilio's error 11200).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
# MessageStatus -> (ours, final).
STATUSES = {
    "accepted": ("queued", False), "scheduled": ("queued", False), "queued": ("queued", False),
    "sending": ("sent", False), "sent": ("sent", False), "delivered": ("delivered", True), "read": ("read", True),
    "undelivered": ("undelivered", True), "failed": ("failed", True), "canceled": ("failed", True),
}
# Twilio's HTTP answers worth another try later: throttling and its own errors.
_RETRYABLE_HTTP = frozenset({429, 500, 502, 503, 504})


def authentic(callback: Callback, settings) -> bool:
    """The signature matches the configured public URL and the form (any request passes without a token)."""
    if not settings.twilio_auth_token:
        return True
    signature = callback.headers.get(SIGNATURE_HEADER) or ""
    return bool(signature) and RequestValidator(settings.twilio_auth_token).validate(callback.url, callback.form,
                                                                                     signature)


def acknowledge() -> tuple[str, str]:
    return EMPTY_TWIML, "text/xml"


def receive_sms(form, now: datetime) -> Inbound:
    """An incoming SMS; unknown parameters (Twilio adds some without notice) are ignored."""
    read = FormReader(form)
    message_id = read.required("MessageSid", 64)
    phone = read.phone("From")
    to = read.required("To", 40)
    text = read.required("Body", TEXT_LIMIT, empty=True)
    read.done()
    return Inbound("sms", NAME, phone, text, provider_message_id=message_id, received_at=now, phone=phone,
                   extra={"to": to})


def status(form) -> DeliveryStatus:
    """A status callback of a message sent through Twilio."""
    read = FormReader(form)
    message_id = read.required("MessageSid", 64)
    word = read.required("MessageStatus", 40).strip().lower()
    error = read.optional("ErrorCode", 20)
    read.done()
    ours, final = STATUSES.get(word, (None, False))
    return DeliveryStatus(NAME, message_id, ours, word, final, error)


class TwilioSender:
    """SMS through `Client(...).messages.create`; the client is made once per adapter, not at import."""

    name = NAME

    def __init__(self, account_sid: str, auth_token: str, from_: str, status_callback: str | None = None,
                 timeout: float = 10):
        self.client = rest_client(account_sid, auth_token, timeout)
        self.from_, self.status_callback = from_, status_callback

    @classmethod
    def from_settings(cls, settings) -> "TwilioSender | None":
        if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_sms_from):
            return None
        callback = settings.public_base_url.rstrip("/") + "/webhooks/twilio/status"
        return cls(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_sms_from, callback)

    def send(self, to: str, text: str) -> SendResult:
        message = create_message(self.client, self.status_callback, to=to, from_=self.from_, body=text)
        segments = _number(message.num_segments) or count(text).segments
        log.info("Twilio accepted an SMS to %s: %s (%s)", mask_phone(to), message.sid, message.status)
        return SendResult(NAME, message.sid, str(message.status or "queued"), segments, message.price)


def rest_client(account_sid: str, auth_token: str, timeout: float) -> Client:
    """Twilio's REST client, with a logger of our own: the client logs each request (numbers included) at INFO,
    which ours keeps at WARNING."""
    quiet = logging.getLogger(__name__ + ".http")
    quiet.setLevel(logging.WARNING)
    return Client(account_sid, auth_token, http_client=TwilioHttpClient(logger=quiet, timeout=timeout))


def create_message(client: Client, status_callback: str | None, **fields):
    """`client.messages.create`, its failures as SendError: throttling, Twilio's 5xx and the network are worth
    another try; other refusals are not."""
    options = {"status_callback": status_callback} if status_callback else {}
    try:
        return client.messages.create(**fields, **options)
    except TwilioRestException as exc:
        raise SendError(NAME, f"HTTP {exc.status} code {exc.code}", exc.status in _RETRYABLE_HTTP) from None
    except requests.RequestException as exc:
        raise SendError(NAME, f"unreachable: {type(exc).__name__}", retryable=True) from None
    except TwilioException as exc:
        raise SendError(NAME, type(exc).__name__, retryable=True) from None


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
