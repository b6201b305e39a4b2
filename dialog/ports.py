"""What the dialog needs from outside, given to it by the entrypoints: services, texts, and how replies are shown."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Protocol

from channels.message import Inbound, Reply

__all__ = ["Ports", "Surface", "Intent", "Understand", "Router", "Claim"]


@dataclass(frozen=True)
class Ports:
    """The order core and texts, as the flows use them."""

    uow: Callable[[], Any]  # a fresh unit of work for each call
    prices: Any  # orders_core.pricing.PriceList
    catalogs: Any  # texts.Catalogs
    clock: Callable[[], datetime]
    short_code: str = "1919"
    payments: Any = None  # dialog.flows.pay.PaymentPorts: the card secret, lock-out rules, short codes, billing


@dataclass(frozen=True)
class Surface:
    """How a channel shows replies, as far as the dialog must know; the entrypoints build one per channel."""

    name: str  # keys the sessions: "ussd", "sms", "whatsapp"
    # Splits a reply into screens that fit, given the label of "more"; None: the reply goes as one message.
    pager: Callable[[Reply, str], list[Reply]] | None = None
    must_answer: bool = False  # every input gets a screen, even when the bot keeps quiet (USSD)
    free_text: bool = True  # keywords and NLU apply; False on USSD: menus only, nothing slow
    per_session: bool = False  # sessions keyed on the provider's session id (USSD) rather than the contact
    session_seconds: int = 1800
    latin_until_chosen: bool = False  # Arabic script only once the citizen chose Arabic (USSD screens)
    answers_by_sms: bool = False  # what support writes later reaches the citizen by SMS, not in this chat (USSD, SMS)
    billed_replies: bool = False  # a message may be answered with a billed reply, sent to a premium short code (SMS)

    def session_key(self, inbound: Inbound) -> str:
        return f"{self.name}:{inbound.session_id if self.per_session else inbound.contact}"


@dataclass(frozen=True)
class Intent:
    """What free text means, as an NLU model understood it: an intent name, its entities, how sure it is."""

    name: str
    confidence: float = 1.0
    entities: dict | None = None


class Understand(Protocol):
    def __call__(self, text: str) -> Intent | None:
        """The intent of a free text, or None when unsure or unavailable (must return within a second)."""


# A pre-router sees each message first; a Reply means "handled" (the dialog does nothing more), None passes it on.
Router = Callable[[Inbound], "Reply | None"]


class Claim(Protocol):
    """A provider's request claimed in the dialog's own Redis round trips (channels.dedup.Claim for a webhook):
    queued with the conversation's lock, settled with the session's write."""

    answer: str | None  # what the provider was answered, once `answered`

    def claim_in(self, pipe) -> None:
        """Queue the claim on `pipe` (first; its reply is truthy for the first sight of the request), and whatever
        travels with it (a flood count)."""

    def refusal(self, replies: list) -> str | None:
        """The answer refusing the request, given the replies to what was queued after the claim (None: go on)."""

    def settle_in(self, pipe, failed: bool) -> None:
        """Queue the answer kept for a retry, or the claim let go when the answer failed."""

    def settlement(self, failed: bool) -> tuple[str, bytes | None, int]:
        """What `settle_in` queues, as (Redis key, value, seconds to live), the value None to delete the key: for
        a write made by a script with the session's."""

    def let_go(self) -> None:
        """Let the claim go now (nothing was done: the provider's retry must go through)."""

    def answered(self, reply: Reply) -> Reply:
        """Note the answer this reply is given as; return the reply. It must not raise: the step's work is committed
        by now and its session must be kept with the answer (a reply that cannot be rendered gets an apology)."""

    def first_answer(self) -> str:
        """For a retry: the first copy's answer ("" when none was given in time)."""
