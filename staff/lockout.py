"""Login lock-out per account, counted in Redis so that every web process sees the same failures."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

__all__ = ["LoginGuard"]

_PREFIX = "staff:login:"


class LoginGuard:
    """After `failures` failed logins within `minutes`, the account is refused for `minutes`."""

    def __init__(self, redis, clock: Callable[[], datetime], failures: int = 5, minutes: int = 15):
        self.redis, self.clock = redis, clock
        self.failures, self.seconds = failures, minutes * 60

    def locked_until(self, username: str) -> datetime | None:
        """When the lock on this account ends, or None when it may log in; an ended lock is forgotten."""
        key = _key(username)
        until = self.redis.hget(key, "until")
        if until is None:
            return None
        if float(until) > self._now():
            return datetime.fromtimestamp(float(until), timezone.utc)
        self.redis.delete(key)  # the lock has run its time: the account starts afresh
        return None

    def failed(self, username: str) -> datetime | None:
        """Count one failed login; return when the lock ends if this failure locked the account."""
        key, now = _key(username), self._now()
        first = self.redis.hget(key, "first")
        if first is not None and now - float(first) > self.seconds:
            self.redis.delete(key)  # the earlier failures are too old to count with this one
        pipe = self.redis.pipeline(transaction=True)
        pipe.hincrby(key, "count", 1)
        pipe.hsetnx(key, "first", now)
        # Real-time expiry only tidies up; the decision always compares against the injected clock.
        pipe.expire(key, 2 * self.seconds + 60)
        count = pipe.execute()[0]
        if count < self.failures:
            return None
        self.redis.hset(key, "until", now + self.seconds)
        return datetime.fromtimestamp(now + self.seconds, timezone.utc)

    def succeeded(self, username: str) -> None:
        """A good password clears the account's failures."""
        self.redis.delete(_key(username))

    def _now(self) -> float:
        return self.clock().timestamp()


def _key(username: str) -> str:
    # Unknown usernames are counted too, so that the answer never tells whether an account exists.
    return _PREFIX + (username or "").strip().lower()[:64]
