"""Once only: a provider message seen in the last 48 hours is not processed again, and gets the same answer."""
from __future__ import annotations

import hashlib
import time
from datetime import timedelta

__all__ = ["Once", "HOLD"]

HOLD = timedelta(hours=48)  # providers retry for minutes (AT ~10 min, Twilio once); 48 h covers any replay
_PENDING = b"\x00pending"


class Once:
    """Remembers provider message ids in Redis with the answer given, so a duplicate changes nothing."""

    def __init__(self, redis, hold: timedelta = HOLD, wait: float = 2.0, prefix: str = "shubbak:once:"):
        self.redis, self.hold, self.wait, self.prefix = redis, hold, wait, prefix

    def claim(self, *key: str) -> tuple[bool, str]:
        """(True, "") for the first sight of `key`; (False, the first answer) for a duplicate.

        A duplicate arriving while the first is still being answered waits a little for that answer."""
        name = self._name(key)
        if self.redis.set(name, _PENDING, nx=True, ex=self.hold):
            return True, ""
        deadline = time.monotonic() + self.wait
        answer = self.redis.get(name)
        while answer == _PENDING and time.monotonic() < deadline:
            time.sleep(0.05)
            answer = self.redis.get(name)
        return False, "" if answer in (None, _PENDING) else answer.decode()

    def remember(self, answer: str, *key: str) -> None:
        self.redis.set(self._name(key), answer.encode(), ex=self.hold)

    def forget(self, *key: str) -> None:
        """Let the next copy through (the first one failed before anything was done)."""
        self.redis.delete(self._name(key))

    def _name(self, key: tuple[str, ...]) -> str:
        # Hashed: a USSD path can be long, and message ids are not ours to trust as key material.
        return self.prefix + hashlib.sha256("\x1f".join(key).encode()).hexdigest()
