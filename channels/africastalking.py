"""Africa's Talking: USSD and SMS callbacks in, SMS out (the `africastalking` SDK), delivery reports.

Africa's Talking does not sign its callbacks: each callback URL carries `?key=<secret>` instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import africastalking
import requests

from orders_core.phones import mask_phone
from texts import count

from .africastalking_answers import ACCEPTED_CODES, SEND_CODES, STATUSES, first_recipient, number
from . import ussd
from .callbacks import Callback, key_matches
from .contract import Route
from .delivery import DeliveryStatus, Outcome, classify
from .forms import TEXT_LIMIT, FormReader
from .message import Inbound, SessionState
from .senders import SendError, SendResult

__all__ = [
    "NAME", "ROUTES", "STATUSES", "FAILURES", "SEND_CODES", "ACCEPTED_CODES", "authentic",
    "acknowledge", "secrets", "sender", "dedup_key", "render_ussd", "receive_ussd", "receive_sms", "status",
    "opted_out", "session_ended", "SessionEnded", "AfricasTalkingSender",
]

log = logging.getLogger(__name__)
PREMIUM_BILLER = "payments_sms.africastalking"  # on-demand premium SMS: the billed reply (channels.contract)
NAME = "africastalking"
_WORDS = {word.lower(): word for word in STATUSES}
_O = Outcome
# A delivery report's failureReason (AT's spelling, NotNetworkSubcriber included) -> what to do next.
FAILURES = {
    "InsufficientCredit": _O.PERMANENT,        # the subscriber's airtime (premium): payments stop the sequence
    "InvalidLinkId": _O.PERMANENT,             # a premium reply's linkId expired or wrong
    "UserIsInactive": _O.PERMANENT,            # the line is deactivated by its operator
    "UserInBlackList": _O.OPTED_OUT,           # the subscriber blocked our messages (operator's DND list)
    "UserInBlacklist": _O.OPTED_OUT,
    "UserAccountSuspended": _O.PERMANENT,
    "NotNetworkSubcriber": _O.OTHER_PROVIDER,  # sent to the wrong operator's message centre
    "NotNetworkSubscriber": _O.OTHER_PROVIDER,
    "UserNotSubscribedToProduct": _O.PERMANENT,
    "UserDoesNotExist": _O.PERMANENT,
    "AbsentSubscriber": _O.RETRY,              # handset off or out of coverage
    "DeliveryFailure": _O.RETRY,               # the operator gave no reason
}


def authentic(callback: Callback, settings) -> bool:
    """The URL's `key` is one of the configured keys (any request passes when none is configured)."""
    keys = tuple(settings.at_webhook_keys)
    return not keys or key_matches(callback.query.get("key"), keys)


def acknowledge() -> tuple[str, str]:
    """The body and content type of a 200 that asks nothing more of Africa's Talking."""
    return "", "text/plain"


def receive_ussd(form, now: datetime) -> Inbound:
    """A USSD step: AT's `text` is every input of the session so far, joined by `*` (empty on the first request):
    read into the neutral inputs (an input holding a `*` reads as two, as AT cannot tell them apart)."""
    read = FormReader(form)
    session_id = read.required("sessionId", 100)
    service_code = read.required("serviceCode", 40)
    phone = read.phone("phoneNumber")
    path = read.required("text", TEXT_LIMIT, empty=True)
    network = read.optional("networkCode", 20)
    read.done()
    inputs = tuple(path.split("*")) if path else ()
    return Inbound("ussd", NAME, phone, inputs[-1] if inputs else "", session_id=session_id, received_at=now,
                   phone=phone, state=SessionState.RESUME if path else SessionState.NEW, inputs=inputs,
                   extra={"service_code": service_code, "network_code": network})


def receive_sms(form, now: datetime) -> Inbound:
    """An incoming SMS; `linkId` (premium short codes) is kept in `extra` for a billed reply."""
    read = FormReader(form)
    phone = read.phone("from")
    to = read.required("to", 40)
    text = read.required("text", TEXT_LIMIT, empty=True)
    message_id = read.required("id", 100)
    sent_at = read.moment("date")
    link_id, network = read.optional("linkId", 100), read.optional("networkCode", 20)
    read.done()
    return Inbound("sms", NAME, phone, text, provider_message_id=message_id, received_at=sent_at or now,
                   phone=phone, extra={"to": to, "link_id": link_id, "network_code": network})


def status(form) -> DeliveryStatus:
    """A delivery report of a message sent through Africa's Talking; its word in any case, its failureReason
    classified by FAILURES."""
    read = FormReader(form)
    message_id = read.required("id", 100)
    word = read.required("status", 40).strip()
    reason = read.optional("failureReason", 100)
    read.done()
    word = _WORDS.get(word.lower(), word)
    ours, final = STATUSES.get(word, (None, False))
    reason = reason and reason.strip()
    return DeliveryStatus(NAME, message_id, ours, word, final, reason, classify(FAILURES, NAME, reason))


def opted_out(form) -> str:
    """AT's Bulk SMS Opt Out notification (`senderId`, `phoneNumber`): the number that opted out."""
    read = FormReader(form)
    phone = read.phone("phoneNumber")
    read.optional("senderId", 20)
    read.done()
    return phone


@dataclass(frozen=True)
class SessionEnded:
    """Africa's Talking's notice that a USSD session is over, and how it went."""

    session_id: str
    status: str | None
    error: str | None


def session_ended(form) -> SessionEnded:
    read = FormReader(form)
    session_id = read.required("sessionId", 100)
    outcome, error = read.optional("status", 40), read.optional("errorMessage", 200)
    read.done()
    return SessionEnded(session_id, outcome, error)


class AfricasTalkingSender:
    """Plain SMS through `SMSService.send`; one SDK service object per adapter, made here, not at import."""

    name = NAME

    def __init__(self, username: str, api_key: str, sender_id: str | None = None, timeout=(3.05, 9.05)):
        self.sms = africastalking.SMSService(username, api_key)
        self.sdk_error = africastalking.Service.AfricasTalkingException
        self.sender_id, self.timeout = sender_id or None, timeout

    @classmethod
    def from_settings(cls, settings) -> "AfricasTalkingSender | None":
        if not (settings.at_username and settings.at_api_key):
            return None
        return cls(settings.at_username, settings.at_api_key, settings.at_sender_id)

    def send(self, to: str, text: str) -> SendResult:
        try:
            answer = self.sms.send(text, [to], sender_id=self.sender_id, timeout=self.timeout)
        except ValueError:  # the SDK's own check of the number
            raise SendError(NAME, "InvalidPhoneNumber", outcome=Outcome.PERMANENT) from None
        except requests.RequestException as exc:
            raise SendError(NAME, f"unreachable: {type(exc).__name__}", retryable=True) from None
        except self.sdk_error:
            raise SendError(NAME, "HTTP error", retryable=True) from None
        return self._result(_recipient(answer), to, text)

    def _result(self, recipient: dict, to: str, text: str) -> SendResult:
        code, word = number(recipient.get("statusCode")), str(recipient.get("status") or "unknown")[:40]
        message_id = str(recipient.get("messageId") or "")
        if code not in ACCEPTED_CODES or message_id in ("", "None"):
            raise SendError(NAME, word, outcome=classify(SEND_CODES, NAME, code) or Outcome.UNKNOWN)
        parts = number(recipient.get("messageParts")) or count(text).segments
        log.info("AT accepted an SMS to %s: %s (%s)", mask_phone(to), message_id, code)
        return SendResult(NAME, message_id, "sent", parts, recipient.get("cost"))


def _recipient(answer) -> dict:
    """The one recipient of a send; an answer without one may be AT's own trouble: tried again."""
    recipient, _ = first_recipient(answer)
    if recipient is None:
        raise SendError(NAME, "no recipient in the answer", retryable=True)
    return recipient


def secrets(settings) -> tuple[str, ...]:
    return (*settings.at_webhook_keys, settings.at_api_key)


def sender(settings) -> AfricasTalkingSender | None:
    return AfricasTalkingSender.from_settings(settings)


def dedup_key(inbound: Inbound) -> tuple[str, ...]:
    """A USSD step is known by its session and the whole path resent (AT resends a step it got no answer to);
    an SMS by its id."""
    if inbound.channel == "ussd":
        return ("ussd", NAME, inbound.session_id or "", "*".join(inbound.inputs))
    return (NAME, inbound.channel, inbound.provider_message_id or "")


def render_ussd(reply, size: ussd.ScreenSize = ussd.DEFAULT_SIZE) -> str:
    """The text/plain answer to a USSD step: `CON ` waits for the next input, `END ` closes the session."""
    return ("END " if reply.end_session else "CON ") + ussd.screen(reply, size)


# Path under /webhooks/africastalking/ -> what it carries ("sms/optout": AT's Bulk SMS Opt Out notification).
ROUTES = {
    "ussd": Route("ussd", receive_ussd),
    "ussd/events": Route("ussd_end", session_ended),
    "sms": Route("message", receive_sms),
    "sms/delivery": Route("delivery", status),
    "sms/optout": Route("optout", opted_out),
}
