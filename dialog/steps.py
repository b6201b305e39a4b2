"""The pieces flows are made of: a turn (one message being answered), steps, outcomes, flows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from channels.message import Inbound, Reply, choices
from orders_core.references import to_ascii_digits

from .ports import Ports, Surface
from .sessions import Session

__all__ = [
    "Turn", "Replaying", "Go", "Enter", "Again", "Retry", "Done", "Outcome", "Step", "Flow", "Keyword", "choice",
    "numbered",
]


class Replaying(Exception):
    """A rebuild of a lost USSD session reached a step that would change something: it must not run twice."""


@dataclass
class Turn:
    """One message being answered: the ports, the message, the conversation, the channel's surface."""

    ports: Ports
    inbound: Inbound
    session: Session
    surface: Surface
    replaying: bool = False
    paged: bool = False  # the reply is a screen kept from an earlier reply (`98`), already cut to size
    shown: dict | None = None  # the step's data as it was when its question was shown (what "0" returns to)
    handed_over: bool = False  # this message opened an escalation: the contact's other conversations must know

    @property
    def lang(self) -> str:
        return self.session.lang or "fr"

    @property
    def data(self) -> dict:
        return self.session.data

    @property
    def contacts(self) -> list[str]:
        """The keys this person's orders may be filed under: the channel's contact and the phone number."""
        return [c for c in dict.fromkeys((self.inbound.contact, self.inbound.phone)) if c]

    def say(self, key: str, **values) -> str:
        return self.ports.catalogs.text(self.lang, key, **values)

    def act(self) -> None:
        """Call before changing anything outside the session: a rebuild must not do it again."""
        if self.replaying:
            raise Replaying()


@dataclass(frozen=True)
class Go:
    """Move to a step (of this flow, or of `flow`) and show its prompt, after an optional note."""

    step: str
    flow: str | None = None
    note: str | None = None
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Enter:
    """Start a flow at one of its entries, with what followed the keyword (`SUIVI 2611482735`)."""

    flow: str
    entry: str = "start"
    argument: str = ""


@dataclass(frozen=True)
class Again:
    """Show the current step's prompt again (its data changed: the next page of a list, a new search)."""


@dataclass(frozen=True)
class Retry:
    """The answer is not usable: say why, then ask again."""

    key: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    """The last word of this conversation."""

    text: str


Outcome = Go | Enter | Again | Retry | Done


@dataclass(frozen=True)
class Step:
    """A question (`prompt`) and what to do with its answer (`answer`)."""

    prompt: Callable[[Turn], Reply]
    answer: Callable[[Turn, str], Outcome]
    free_text: bool = False  # the citizen's own words (names, address): keywords never hijack them


@dataclass(frozen=True)
class Keyword:
    """Words that start a flow from an SMS, in one language (the language of the answer at first contact)."""

    flow: str
    lang: str
    words: tuple[str, ...]
    entry: str = "start"


@dataclass(frozen=True)
class Flow:
    """A conversation: its steps by name, its entries (`start` at least), and the keywords that open it."""

    name: str
    steps: Mapping[str, Step]
    entries: Mapping[str, Callable[[Turn, str], Outcome]]
    keywords: tuple[Keyword, ...] = ()


def choice(text: str, count: int) -> int | None:
    """The number 1..count the citizen typed (Eastern Arabic digits too), or None."""
    typed = to_ascii_digits((text or "").strip()[:6])
    if not (typed.isascii() and typed.isdigit()):  # "²" is a digit to Python, not a choice
        return None
    return int(typed) if 1 <= int(typed) <= count else None


def numbered(labels) -> tuple[tuple[str, str], ...]:
    """Choices numbered from 1 (channels.message.choices numbers them)."""
    return tuple(choices(list(labels)))
