"""Wrong card PINs: a lock-out ladder per contact (and per card), and an alarm on a spike across all numbers.

Counters live in the database (one row per failure, keyed by a keyed hash, never a phone number), so every
process sees the same count. The ladder counts the failures of the 24 h up to the latest one: from the 5th, each
failure locks for 15 min; from the 10th, for 1 h; from the 20th, for 24 h, counted from the latest failure.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from .errors import PinLocked
from .model import PinFailure

__all__ = ["LockoutPolicy", "locked_until", "refuse_if_locked", "record_failure", "CONTACT", "SERIAL"]

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

    def lock_for(self, failures: int) -> timedelta | None:
        """How long the latest failure locks, given how many failures the window holds."""
        return next((span for threshold, span in self.ladder if failures >= threshold), None)


def locked_until(uow, policy: LockoutPolicy, scope: str, key: str) -> datetime | None:
    """When the lock on this key ends, or None when it is not locked now."""
    mine = (PinFailure.scope == scope, PinFailure.key == key)
    latest = uow.scalar(select(func.max(PinFailure.at)).where(*mine))
    if latest is None:
        return None
    # Counted over the day before the latest failure, so that a lock lasts its whole span once set.
    failures = uow.scalar(select(func.count()).select_from(PinFailure).where(
        *mine, PinFailure.at > latest - policy.window))
    span = policy.lock_for(failures)
    until = latest + span if span else None
    return until if until and until > uow.now() else None


def refuse_if_locked(uow, policy: LockoutPolicy, scope: str, key: str) -> None:
    until = locked_until(uow, policy, scope, key)
    if until is not None:
        raise PinLocked(until)


def record_failure(uow, policy: LockoutPolicy, scope: str, key: str) -> datetime | None:
    """Count one wrong attempt; return when the key is now locked until (None if not locked)."""
    uow.add(PinFailure(scope=scope, key=key, at=uow.now()))
    uow.flush()
    _sound_alarm_on_spike(uow, policy)
    return locked_until(uow, policy, scope, key)


def _sound_alarm_on_spike(uow, policy: LockoutPolicy) -> None:
    since = uow.now() - policy.alarm_window
    total = uow.scalar(select(func.count()).select_from(PinFailure).where(PinFailure.at > since))
    # Once at the threshold and again at each multiple: loud enough to see, not one line per guess.
    if total >= policy.alarm_failures and total % policy.alarm_failures == 0:
        log.critical("ALARM card PIN guessing: %d wrong PINs across all numbers in the last %d minutes",
                     total, policy.alarm_window.total_seconds() // 60)

