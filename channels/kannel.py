"""Kannel (bearerbox + smsbox), the open-source gateway between operators' SMPP and HTTP: any aggregator or
operator it can bind to becomes an SMS provider of ours.

- SMS in: an `sms-service` whose `get-url` is `/webhooks/kannel/sms?key=<key>&from=%p&to=%P&text=%a&coding=%c&charset=%C&id=%I&at=%t`
  (with `max-messages = 0`: the answer goes later, through sendsms, not in the HTTP reply);
- SMS out: smsbox's `sendsms` with a `sendsms-user`, asking for delivery reports (`dlr-mask`, `dlr-url`);
- delivery reports: the `dlr-url` we give, `/webhooks/kannel/delivery?key=<key>&id=<ours>&type=%d&answer=%A`.
`tests/kannel/kannel.conf` is a whole configuration, used by the end-to-end test.

Its settings are the `kannel_*` fields of Settings (SHUBBAK_KANNEL_SENDSMS_URL, _USERNAME, _PASSWORD, _FROM,
_WEBHOOK_KEYS, _SMSC, _DLR_MASK). Without keys every Kannel callback is refused, and without them all no Kannel
sender is made.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime

import requests

from orders_core.phones import mask_phone
from texts import GSM7, count

from .callbacks import Callback, key_matches
from .contract import Route
from .delivery import DeliveryStatus, Outcome, classify
from .forms import TEXT_LIMIT, FormReader
from .message import Inbound
from .senders import SendError, SendResult

__all__ = ["NAME", "ROUTES", "STATUSES", "ERRORS", "authentic", "acknowledge",
           "secrets", "sender", "receive_sms", "status", "KannelSender"]

log = logging.getLogger(__name__)
NAME = "kannel"
_O = Outcome
# A delivery report's type (`%d`: one bit of dlr-mask) -> (ours, final).
STATUSES = {
    "1": ("delivered", True),     # delivered to the phone
    "2": ("undelivered", True),   # not delivered to the phone
    "4": ("queued", False),       # queued on the SMSC
    "8": ("sent", False),         # accepted by the SMSC
    "16": ("failed", True),       # refused by the SMSC
}
# What a failed report's type, or a refused sendsms's HTTP status, means for the next try.
ERRORS = {
    "2": _O.RETRY,             # the phone is off or out of coverage
    "16": _O.OTHER_PROVIDER,   # the SMSC (the operator's side) refused it: another route may take it
    "400": _O.PERMANENT,       # sendsms refused the message: a number denied by Kannel's lists, a missing field
    "403": _O.OTHER_PROVIDER,  # our sendsms-user's credentials or allowed addresses
    "404": _O.OTHER_PROVIDER,  # no sendsms at that URL
    "500": _O.RETRY, "502": _O.RETRY, "503": _O.RETRY, "504": _O.RETRY,  # smsbox or bearerbox in trouble
}
_ACCEPTED = {"0": "sent", "3": "queued"}  # sendsms's answer: "0: Accepted for delivery", "3: Queued for later ..."


def authentic(callback: Callback, settings) -> bool:
    """The URL's `key` is one of Kannel's keys; with none configured, no Kannel callback is taken."""
    keys = tuple(settings.kannel_webhook_keys)
    return bool(keys) and key_matches(callback.query.get("key"), keys)


def acknowledge() -> tuple[str, str]:
    """An empty 200: smsbox sends nothing back to the phone (max-messages = 0), the reply goes through sendsms."""
    return "", "text/plain"


def secrets(settings) -> tuple[str, ...]:
    return (settings.kannel_password, *settings.kannel_webhook_keys)


def sender(settings) -> "KannelSender | None":
    if not (settings.kannel_sendsms_url and settings.kannel_username and settings.kannel_password
            and settings.kannel_from and settings.kannel_webhook_keys):
        return None
    return KannelSender(settings, settings.public_base_url.rstrip("/") + "/webhooks/kannel/delivery")


def receive_sms(fields, now: datetime) -> Inbound:
    """An SMS through the sms-service's get-url: `from`, `to`, `text`, Kannel's message id `id` (`%I`), `at`,
    and the text's `coding` (`%c`: 2 is UCS-2, as Arabic comes) and `charset` (`%C`). The fields come undecoded
    (Route.raw_query): the text's bytes are decoded here, by its coding."""
    read = FormReader(fields)
    phone = read.phone("from")
    to = read.required("to", 40)
    raw = fields.get("text")  # its NUL bytes are UCS-2's: the text is read whole, decoded, then checked
    if raw is None:
        read.problems["text"] = "missing"
    text = _decoded(raw or "", read.optional("coding", 2), read.optional("charset", 40))
    if len(text) > TEXT_LIMIT:
        read.problems["text"] = f"longer than {TEXT_LIMIT} characters"
    message_id = read.required("id", 100)
    sent_at = read.moment("at")
    smsc = read.optional("smsc", 40)
    read.done()
    return Inbound("sms", NAME, phone, text, provider_message_id=message_id, received_at=sent_at or now,
                   phone=phone, extra={"to": to, "smsc": smsc})


def _decoded(raw: str, coding: str | None, charset: str | None) -> str:
    """The text of an SMS from its bytes (one Latin-1 character each): UTF-16 for UCS-2, else its charset (UTF-8
    when none is said); bytes that do not decode are replaced, never refused (a provider would only retry)."""
    data = raw.encode("latin-1")
    encoding = "utf-16-be" if (coding or "").strip() == "2" else (charset or "utf-8").strip()
    try:
        return data.decode(encoding, errors="replace").replace("\x00", "")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")


def status(fields) -> DeliveryStatus:
    """A delivery report through our dlr-url: our message id, its type (`%d`), the SMSC's answer (`%A`)."""
    read = FormReader(fields)
    message_id = read.required("id", 100)
    kind = read.required("type", 4).strip()
    answer = read.optional("answer", 200)
    read.done()
    ours, final = STATUSES.get(kind, (None, False))
    failed = final and ours != "delivered"
    return DeliveryStatus(NAME, message_id, ours, kind, final, answer and answer.strip(),
                          classify(ERRORS, NAME, kind) if failed else None)


class KannelSender:
    """SMS through smsbox's sendsms; our own message id goes in the dlr-url, as sendsms answers none."""

    name = NAME

    def __init__(self, settings, dlr_url: str, timeout=(3.05, 9.05)):
        self.own, self.dlr_url, self.timeout = settings, dlr_url, timeout

    def send(self, to: str, text: str) -> SendResult:
        message_id = uuid.uuid4().hex
        units = count(text)
        own = self.own
        params = {"username": own.kannel_username, "password": own.kannel_password, "from": own.kannel_from, "to": to,
                  "text": text, "charset": "UTF-8", "coding": "0" if units.encoding == GSM7 else "2",
                  "dlr-mask": str(own.kannel_dlr_mask),
                  "dlr-url": f"{self.dlr_url}?key={own.kannel_webhook_keys[0]}&id={message_id}&type=%d&answer=%A"}
        if own.kannel_smsc:
            params["smsc"] = own.kannel_smsc
        try:
            answer = requests.get(own.kannel_sendsms_url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SendError(NAME, f"unreachable: {type(exc).__name__}", retryable=True) from None
        said = answer.text.strip()
        word = _ACCEPTED.get(said.split(":", 1)[0])
        if answer.status_code not in (200, 202) or word is None:
            outcome = classify(ERRORS, NAME, answer.status_code) or Outcome.UNKNOWN
            raise SendError(NAME, f"HTTP {answer.status_code}: {said[:60]}", outcome=outcome)
        log.info("Kannel accepted an SMS to %s: %s (%s)", mask_phone(to), message_id, word)
        return SendResult(NAME, message_id, word, units.segments)


ROUTES = {
    "sms": Route("message", receive_sms, ("GET",), raw_query=True),
    "delivery": Route("delivery", status, ("GET",)),
}
