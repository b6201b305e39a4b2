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
from .contract import Route
from .delivery import DeliveryStatus, Outcome, classify
from .forms import TEXT_LIMIT, FormReader, possible_base64
from .message import Inbound
from .senders import SendError, SendResult

__all__ = ["NAME", "ROUTES", "STATUSES", "ERRORS", "SIGNATURE_HEADER", "EMPTY_TWIML", "authentic", "acknowledge",
           "secrets", "sender", "receive_sms", "status", "media_of", "outcome_of", "TwilioSender"]

log = logging.getLogger(__name__)
NAME = "twilio"
SIGNATURE_HEADER = "X-Twilio-Signature"
# An empty TwiML answer: nothing to say now (an empty 200 body would be Twilio's error 11200).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
# MessageStatus -> (ours, final).
STATUSES = {
    "accepted": ("queued", False), "scheduled": ("queued", False), "queued": ("queued", False),
    "sending": ("sent", False), "sent": ("sent", False), "delivered": ("delivered", True), "read": ("read", True),
    "undelivered": ("undelivered", True), "failed": ("failed", True), "canceled": ("failed", True),
}
MAX_MEDIA = 10  # Twilio's form carries up to 10 files
# Twilio's error codes (www.twilio.com/docs/api/errors), from a refused send or a status callback's ErrorCode.
_O = Outcome
ERRORS = {
    "20003": _O.OTHER_PROVIDER,   # authentication failed: our credentials
    "20429": _O.RETRY,            # too many requests
    "20500": _O.RETRY, "20503": _O.RETRY,  # Twilio's own trouble
    "21211": _O.PERMANENT,        # invalid 'To' number
    "21408": _O.OTHER_PROVIDER,   # sending to this region is not enabled on our account
    "21606": _O.OTHER_PROVIDER,   # our 'From' number cannot send here
    "21608": _O.OTHER_PROVIDER,   # trial account, number not verified
    "21610": _O.OPTED_OUT,        # the recipient replied STOP: Twilio blocks every send until START
    "21612": _O.OTHER_PROVIDER,   # not reachable from our 'From' number
    "21614": _O.NOT_SMS_CAPABLE,  # 'To' is not a mobile number
    "21617": _O.PERMANENT,        # body longer than 1600 characters
    "30001": _O.RETRY,            # queue overflow
    "30002": _O.OTHER_PROVIDER,   # account suspended
    "30003": _O.RETRY,            # handset unreachable (switched off, out of coverage)
    "30004": _O.PERMANENT,        # blocked (by the recipient or their carrier)
    "30005": _O.PERMANENT,        # unknown destination handset: the number does not exist
    "30006": _O.NOT_SMS_CAPABLE,  # landline or unreachable carrier
    "30007": _O.OTHER_PROVIDER,   # carrier filtering: another route may pass
    "30008": _O.RETRY,            # unknown error
    "30009": _O.RETRY,            # missing segment
    "30010": _O.OTHER_PROVIDER,   # price above our maximum
    "63003": _O.PERMANENT,        # WhatsApp: no such recipient
    "63016": _O.OUTSIDE_WINDOW,   # WhatsApp: free-form outside the 24-hour window
    "63018": _O.RETRY,            # WhatsApp: rate limit (courier retries it too)
    "63024": _O.PERMANENT,        # WhatsApp: invalid recipient (not a WhatsApp user): SMS instead
    "63038": _O.RETRY,            # WhatsApp: daily messaging limit of the account
}
# Twilio's HTTP answers worth another try later when they carry no code of the table: throttling, its own errors.
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


def secrets(settings) -> tuple[str, ...]:
    return (settings.twilio_auth_token,)


def sender(settings) -> "TwilioSender | None":
    return TwilioSender.from_settings(settings)


def receive_sms(form, now: datetime) -> Inbound:
    """An incoming SMS; unknown parameters (Twilio adds some without notice) are ignored.

    As courier: a media message may come with no `Body` at all (its files in `extra["media"]`); a `Body` that is
    base64 of the text (Twilio sends some long SMS so) is decoded; `ButtonText` is WhatsApp's, ignored on SMS.
    """
    read = FormReader(form)
    message_id = read.required("MessageSid", 64)
    phone = read.phone("From")
    to = read.required("To", 40)
    media = media_of(read)
    text = possible_base64(read.optional("Body", TEXT_LIMIT) or "") if media else _body(read)
    opt_out = read.optional("OptOutType", 20)
    read.done()
    return Inbound("sms", NAME, phone, text, provider_message_id=message_id, received_at=now, phone=phone,
                   extra={"to": to, "media": media, "opt_out_type": opt_out and opt_out.upper()})


def _body(read: FormReader) -> str:
    """`Body`, required (empty allowed) when no file came with the message; base64 decoded when it is that."""
    return possible_base64(read.required("Body", TEXT_LIMIT, empty=True))


def media_of(read: FormReader) -> list[dict]:
    """The files sent with a message, as [{"url", "type"}] (the URL is Twilio's, fetched with credentials)."""
    raw = (read.optional("NumMedia", 4) or "0").strip()
    if not raw.isdigit():
        read.problems["NumMedia"] = "not a number"
        return []
    files = []
    for n in range(min(int(raw), MAX_MEDIA)):
        url = read.required(f"MediaUrl{n}", 1000)
        kind = read.optional(f"MediaContentType{n}", 100) or "application/octet-stream"
        if url:
            files.append({"url": url, "type": kind})
    return files


def status(form) -> DeliveryStatus | None:
    """A status callback of a message sent through Twilio; None when it carries no status at all (courier ignores
    those too). `ErrorCode` is classified by ERRORS."""
    read = FormReader(form)
    if not (form.get("MessageStatus") or "").strip() and not (form.get("MessageSid") or "").strip():
        return None
    message_id = read.required("MessageSid", 64)
    word = read.required("MessageStatus", 40).strip().lower()
    error = read.optional("ErrorCode", 20)
    read.done()
    ours, final = STATUSES.get(word, (None, False))
    return DeliveryStatus(NAME, message_id, ours, word, final, error, outcome_of(error))


def outcome_of(code) -> str | None:
    """What a Twilio error code means for the next try (None for no code)."""
    return classify(ERRORS, NAME, code)


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
        raise SendError(NAME, f"HTTP {exc.status} code {exc.code}", outcome=_refusal(exc)) from None
    except requests.RequestException as exc:
        raise SendError(NAME, f"unreachable: {type(exc).__name__}", retryable=True) from None
    except TwilioException as exc:
        raise SendError(NAME, type(exc).__name__, retryable=True) from None


def _refusal(exc: TwilioRestException) -> str:
    """The outcome of a refused send: its code's, else its HTTP status's."""
    if exc.code is not None:
        return outcome_of(exc.code)
    return Outcome.RETRY if exc.status in _RETRYABLE_HTTP else Outcome.PERMANENT


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Path under /webhooks/twilio/ -> what it carries; WhatsApp is a route of Twilio too (channels.whatsapp adds it).
ROUTES = {"sms": Route("message", receive_sms), "status": Route("delivery", status)}
