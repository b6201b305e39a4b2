"""Wrong card PINs: a lock-out ladder per contact (and per card), and an alarm on a spike across all numbers.

Counters live in the database (one row per failure, keyed by a keyed hash, never a phone number), so every
process sees the same count. The ladder counts the failures of the 24 h up to the latest one: from the 5th, each
failure locks for 15 min; from the 10th, for 1 h; from the 20th, for 24 h, counted from the latest failure.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import store
from .errors import PinLocked

__all__ = ["LockoutPolicy", "locks", "locks_among", "relevant_since", "locked_until", "refuse_if_locked", "record_failure", "CONTACT", "SERIAL"]

log = logging.getLogger(__name__)
CONTACT, SERIAL = "contact", "serial"


@dataclass(frozen=True)
class LockoutPolicy:
    ladder: tuple = ((20, timedelta(hours=24)), (10, timedelta(hours=1)), (5, timedelta(minutes=15)))
    window: timedelta = timedelta(hours=24)
    alarm_failures: int = 100
    alarm_window: timedelta = timedelta(minutes=10)

    @classmethod
    def from_settings(cls, settings) -> "LockoutPolicy":
        return cls(alarm_failures=settings.card_alarm_failures,
                   alarm_window=timedelta(minutes=settings.card_alarm_minutes))

    @property
    def longest(self) -> timedelta:
        return max(span for _, span in self.ladder)

    def lock_for(self, failures: int) -> timedelta | None:
        """How long the latest failure locks, given how many failures the window holds."""
        return next((span for threshold, span in self.ladder if failures >= threshold), None)

    def lock_ends(self, failures: list[datetime], now: datetime) -> datetime | None:
        """When a key that failed at these times is locked until, or None when it is not locked at `now`."""
        latest = max(failures)
        # Counted over the day before the latest failure, so that a lock lasts its whole span once set.
        span = self.lock_for(sum(1 for at in failures if at > latest - self.window))
        return latest + span if span and latest + span > now else None


def locks(uow, policy: LockoutPolicy, keys: dict[str, str]) -> dict[str, datetime]:
    """The scopes of `keys` ({scope: key}, one or two) locked now, with when each lock ends: one query."""
    now = uow.now()
    return locks_among(policy, store.recent_failures(uow, keys, relevant_since(policy, now)), now)


def relevant_since(policy: LockoutPolicy, now: datetime) -> datetime:
    """The earliest failure that can matter now."""
    # A lock ends at most `longest` after its latest failure and counts the `window` before that one: older
    # failures cannot matter now.
    return now - policy.window - policy.longest


def locks_among(policy: LockoutPolicy, failures, now: datetime) -> dict[str, datetime]:
    """The scopes locked now, with when each lock ends, given (scope, at) of their failures since
    `relevant_since`."""
    times: dict[str, list[datetime]] = {}
    for scope, at in failures:
        times.setdefault(scope, []).append(at)
    ends = {scope: policy.lock_ends(found, now) for scope, found in times.items()}
    return {scope: until for scope, until in ends.items() if until is not None}


def locked_until(uow, policy: LockoutPolicy, scope: str, key: str) -> datetime | None:
    """When the lock on this key ends, or None when it is not locked now."""
    return locks(uow, policy, {scope: key}).get(scope)


def refuse_if_locked(uow, policy: LockoutPolicy, scope: str, key: str) -> None:
    until = locked_until(uow, policy, scope, key)
    if until is not None:
        raise PinLocked(until)


def record_failure(uow, policy: LockoutPolicy, scope: str, key: str) -> datetime | None:
    """Count one wrong attempt; return when the key is now locked until (None if not locked)."""
    store.add_failure(uow, scope, key)
    _sound_alarm_on_spike(uow, policy)
    return locked_until(uow, policy, scope, key)


def _sound_alarm_on_spike(uow, policy: LockoutPolicy) -> None:
    since = uow.now() - policy.alarm_window
    total = store.failures_since(uow, since)
    # Once at the threshold and again at each multiple: loud enough to see, not one line per guess.
    if total >= policy.alarm_failures and total % policy.alarm_failures == 0:
        log.critical("ALARM card PIN guessing: %d wrong PINs across all numbers in the last %d minutes",
                     total, policy.alarm_window.total_seconds() // 60)
