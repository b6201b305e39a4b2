"""Injectable time: services ask a clock, tests move it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

__all__ = ["utcnow", "FrozenClock"]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class FrozenClock:
    """A clock that stands still until moved; for tests and drills."""

    def __init__(self, at: datetime | None = None):
        self.at = at or datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> datetime:
        self.at += timedelta(**delta)
        return self.at
