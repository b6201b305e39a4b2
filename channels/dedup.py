"""Once only: a provider message seen in the last 48 hours is not processed again, and gets the same answer."""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from .message import Reply

__all__ = ["Once", "Claim", "HOLD"]

log = logging.getLogger(__name__)

HOLD = timedelta(hours=48)  # providers retry for minutes (AT ~10 min, Twilio once); 48 h covers any replay
_PENDING = b"\x00pending"


class Once:
    """Remembers provider message ids in Redis with the answer given, so a duplicate changes nothing."""

    def __init__(self, redis, hold: timedelta = HOLD, wait: float = 2.0, prefix: str = "shubbak:once:"):
        self.redis, self.hold, self.wait, self.prefix = redis, hold, wait, prefix
        self.hold_seconds = int(hold.total_seconds())

    def claim(self, *key: str) -> tuple[bool, str]:
        """(True, "") for the first sight of `key`; (False, the first answer) for a duplicate.

        A duplicate arriving while the first is still being answered waits a little for that answer."""
        name = self._name(key)
        if self.redis.set(name, _PENDING, nx=True, ex=self.hold):
            return True, ""
        return False, self.first_answer(name)

    def first_answer(self, name: str) -> str:
        """The answer kept under `name`, waiting up to `wait` seconds for one still being given ("" if none)."""
        deadline = time.monotonic() + self.wait
        answer = self.redis.get(name)
        while answer == _PENDING and time.monotonic() < deadline:
            time.sleep(0.05)
            answer = self.redis.get(name)
        return "" if answer in (None, _PENDING) else answer.decode()

    def remember(self, answer: str, *key: str) -> None:
        self.redis.set(self._name(key), answer.encode(), ex=self.hold)

    def forget(self, *key: str) -> None:
        """Let the next copy through (the first one failed before anything was done)."""
        self.redis.delete(self._name(key))

    def _name(self, key: tuple[str, ...]) -> str:
        # Hashed: a USSD path can be long, and message ids are not ours to trust as key material.
        return self.prefix + hashlib.sha256("\x1f".join(key).encode()).hexdigest()


@dataclass
class Claim:
    """A provider request claimed in another's Redis round trips (the dialog's: with the conversation's lock, and
    its answer with the session's write: dialog.ports.Claim), so that deduplicating a USSD step costs no round
    trip of its own.

    `render` turns the dialog's reply into the body the provider gets, which a retry of the request gets again;
    `sorry`, the body given instead when that fails."""

    once: Once
    key: tuple[str, ...]
    render: Callable[[Reply], str]
    answer: str | None = None
    # What travels with the claim: the sender's flood count (web.limits.FloodCount), queued after the claim and
    # judged by `refusal`; None when nothing is counted here.
    flood: Any = None
    sorry: Callable[[], str] | None = None

    @property
    def name(self) -> str:
        return self.once._name(self.key)

    def claim_in(self, pipe) -> None:
        """Queue the claim (its reply is truthy for the first sight of the request), then the flood count."""
        # A plain SET command: redis-py's `set()` binds its signature at every call (dialog.sessions: _SET_DIRECTLY).
        pipe.execute_command("SET", self.name, _PENDING, "NX", "EX", self.once.hold_seconds)
        if self.flood is not None:
            self.flood.count_in(pipe)

    def refusal(self, replies: list) -> str | None:
        """The answer refusing the request (a flood from its sender), given the replies to what `claim_in` queued
        after the claim; None: not refused."""
        return self.flood.refusal(replies) if self.flood is not None else None

    def settle_in(self, pipe, failed: bool) -> None:
        """Queue what ends the claim: the answer kept for a retry, or the claim let go when no answer was given
        (the provider's retry must then go through)."""
        name, value, seconds = self.settlement(failed)
        if value is None:
            pipe.delete(name)
        else:
            pipe.execute_command("SET", name, value, "EX", seconds)

    def settlement(self, failed: bool) -> tuple[str, bytes | None, int]:
        """What `settle_in` writes, as (Redis key, value, seconds to live), the value None to delete the key."""
        if failed or self.answer is None:
            return self.name, None, 0
        return self.name, self.answer.encode(), self.once.hold_seconds

    def answered(self, reply: Reply) -> Reply:
        """Note the body the reply is given as. The step's work is committed by now: a reply that cannot be rendered
        is answered with `sorry` (kept for a retry, with the session), never left to fail the step."""
        try:
            self.answer = self.render(reply)
        except Exception as exc:
            if self.sorry is None:
                raise
            log.error("a USSD answer could not be rendered (%s): the step is answered with an apology",
                      type(exc).__name__)
            self.answer = self.sorry()
        return reply

    def let_go(self) -> None:
        self.once.redis.delete(self.name)

    def first_answer(self) -> str:
        """What a retry gets: the first copy's answer, waited for a little while it is still being given."""
        return self.once.first_answer(self.name)
