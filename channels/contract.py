"""The channel contract: what one provider module under channels/ declares. channels.registry reads it; the web
layer has one generic view per (provider, route) driven by it; nothing else knows a provider.

A provider module declares:
- `NAME`: its name in the webhook path (`/webhooks/<NAME>/<route>`) and in SHUBBAK_SMS_PROVIDERS;
- `ROUTES`: `{route: Route(kind, read, methods)}`, each callback it sends us (see KINDS for what `read` returns);
- `authentic(callback, settings) -> bool`: how a callback proves it is the provider's (a key, a signature);
- `acknowledge() -> (body, content_type)`: a 200 that asks nothing more of the provider;
- `secrets(settings) -> tuple[str, ...]`: its secret values, which the log redaction never writes;
- optionally `sender(settings) -> Sender | None` (None while its settings are unset), `dedup_key(inbound)` (the
  default: provider, channel and the provider's message id), and `render_ussd(reply, size) -> str` for a USSD
  gateway (Africa's Talking's `CON`/`END`);
- optionally `PREMIUM_BILLER = "<package>.<module>"`: the module that bills premium SMS through this provider
  (payments_sms.<name>, which channels may not import: it is named, not imported). That module has
  `biller(settings) -> PremiumSender | None` (None while its settings are unset); the composition root builds the
  first configured one and its reports come back through the provider's `delivery` route.
Its status words and error codes are one literal table in the module, read by its `status` reader and its sender
(channels.delivery.classify). Its own settings are fields of the service's Settings (one prefix, read once by the
factory), passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .message import Inbound

__all__ = ["Route", "KINDS", "dedup_key"]

# What a route carries -> what its reader returns (called with the callback's fields, and the time for messages).
KINDS = {
    "ussd": "read(fields, now) -> Inbound of one USSD step; answered at once with render_ussd",
    "ussd_end": "read(fields) -> an object with session_id, status, error: the USSD session is over",
    "message": "read(fields, now) -> Inbound (SMS, WhatsApp): stored in the inbox, answered later",
    "delivery": "read(fields) -> DeliveryStatus, or None for a callback without a status",
    "optout": "read(fields) -> the E.164 number that opted out of our SMS",
}


@dataclass(frozen=True)
class Route:
    """One callback of a provider: what it carries, the function that reads its fields, the HTTP methods it uses
    (Kannel's get-url and dlr-url are GETs with the fields in the query). With `raw_query` the reader gets the
    query's values undecoded, each byte one character (Latin-1), to decode them itself: Kannel passes a UCS-2
    SMS's bytes as they came, with their coding in another field."""

    kind: str
    read: Callable
    methods: tuple[str, ...] = ("POST",)
    raw_query: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown route kind {self.kind!r}")


def dedup_key(module, inbound: Inbound) -> tuple[str, ...]:
    """The key a replay of this message is recognised by: the provider's own when it declares one."""
    own = getattr(module, "dedup_key", None)
    if own is not None:
        return own(inbound)
    return (module.NAME, inbound.channel, inbound.provider_message_id or "")
