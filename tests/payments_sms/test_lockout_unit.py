"""The lock-out ladder as a unit: the service run against an in-memory fake of payments_sms.store, no database."""
import logging
from datetime import datetime, timedelta, timezone

import pytest

from payments_sms import lockout
from payments_sms.lockout import CONTACT, SERIAL, LockoutPolicy, locks, record_failure

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


class FakeUow:
    """What the lock-out functions use of a unit of work: the time (movable)."""

    def __init__(self):
        self.at = START

    def now(self) -> datetime:
        return self.at


class FakeStore:
    """payments_sms.store's wrong-PIN functions over a list: (scope, key, at) per failure."""

    def __init__(self, uow: FakeUow):
        self.uow, self.failures = uow, []

    def add_failure(self, uow, scope, key):
        self.failures.append((scope, key, uow.now()))

    def failures_since(self, uow, since):
        return sum(1 for *_, at in self.failures if at > since)

    def recent_failures(self, uow, keys, since):
        return [(scope, at) for scope, key, at in self.failures if keys.get(scope) == key and at > since]


@pytest.fixture
def uow():
    return FakeUow()


@pytest.fixture
def store(uow, monkeypatch):
    fake = FakeStore(uow)
    monkeypatch.setattr(lockout, "store", fake)
    return fake


def test_the_fifth_failure_locks_for_15_minutes_and_the_lock_ends_on_time(uow, store):
    policy = LockoutPolicy()
    assert [record_failure(uow, policy, CONTACT, "k") for _ in range(4)] == [None] * 4
    assert record_failure(uow, policy, CONTACT, "k") == START + timedelta(minutes=15)
    uow.at = START + timedelta(minutes=15)
    assert locks(uow, policy, {CONTACT: "k"}) == {}


def test_a_card_locked_is_told_apart_from_a_contact_that_is_not(uow, store):
    policy = LockoutPolicy()
    for _ in range(10):
        record_failure(uow, policy, SERIAL, "000010000001")
    assert locks(uow, policy, {CONTACT: "k", SERIAL: "000010000001"}) == {SERIAL: START + timedelta(hours=1)}


def test_a_spike_across_all_numbers_sounds_the_alarm_once_at_the_threshold(uow, store, caplog):
    policy = LockoutPolicy(alarm_failures=3)
    with caplog.at_level(logging.CRITICAL, logger="payments_sms.lockout"):
        for n in range(4):
            record_failure(uow, policy, CONTACT, f"number-{n}")
    assert [r.getMessage() for r in caplog.records].count(
        "ALARM card PIN guessing: 3 wrong PINs across all numbers in the last 10 minutes") == 1
