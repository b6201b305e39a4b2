"""Login lock-out per client address and account, counted in Redis so that every web process sees the same failures.

A pair (address, account) is locked after repeated failures; the account as a whole is only counted, so that the
web view can slow its logins down (web.limits) when many addresses fail on it: a stranger cannot lock anyone out.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Callable

__all__ = ["LoginGuard"]

_PREFIX = "staff:login:"


class LoginGuard:
    """After `failures` failed logins within `minutes` from one address, that address is refused the account for
    `minutes`; `address` is the client's (one guard per request)."""

    def __init__(self, redis, clock: Callable[[], datetime], failures: int = 5, minutes: int = 15,
                 address: str = ""):
        self.redis, self.clock, self.address = redis, clock, address
        self.failures, self.seconds = failures, minutes * 60

    def locked_until(self, username: str) -> datetime | None:
        """When the lock on this account ends, or None when it may log in; an ended lock is forgotten."""
        key = self._key(username)
        until = self.redis.hget(key, "until")
        if until is None:
            return None
        if float(until) > self._now():
            return datetime.fromtimestamp(float(until), timezone.utc)
        self.redis.delete(key)  # the lock has run its time: the account starts afresh
        return None

    def failed(self, username: str) -> datetime | None:
        """Count one failed login; return when the lock ends if this failure locked the account."""
        key, now = self._key(username), self._now()
        self._count_on_account(username, now)
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
        """A good password clears this address's failures on the account (not those of other addresses)."""
        self.redis.delete(self._key(username))

    def account_failures(self, username: str) -> int:
        """Failed logins on the account within the window, from every address."""
        floor = self._now() - self.seconds
        return int(self.redis.zcount(_account_key(username), floor, "+inf"))

    def _count_on_account(self, username: str, now: float) -> None:
        key = _account_key(username)
        pipe = self.redis.pipeline(transaction=True)
        pipe.zadd(key, {f"{now}:{self.address}": now})
        pipe.zremrangebyscore(key, "-inf", now - self.seconds)
        pipe.expire(key, 2 * self.seconds + 60)
        pipe.execute()

    def _key(self, username: str) -> str:
        # The address is hashed: Redis keys are stored data, and a client address is personal data too.
        return _key(username) + ":" + hashlib.sha256(self.address.encode()).hexdigest()[:16]

    def _now(self) -> float:
        return self.clock().timestamp()


def _key(username: str) -> str:
    # Unknown usernames are counted too, so that the answer never tells whether an account exists.
    return _PREFIX + (username or "").strip().lower()[:64]


def _account_key(username: str) -> str:
    return _PREFIX + "account:" + (username or "").strip().lower()[:64]
