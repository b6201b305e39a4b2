"""Wrong card PINs: 5 lock for 15 minutes, 10 for an hour, 20 for a day; a spike across all numbers is an alarm."""
import logging

import pytest

from payments_sms import PinCheckNumber, PinLocked, WrongPin, block_cards, redeem_card
from payments_sms.lockout import LockoutPolicy

from .conftest import OTHER_PHONE, PHONE, place, unknown_pin


def guess(services, reference, contact=PHONE, pin=None):
    """One redemption attempt with a well-formed PIN of no card; returns the error it raised."""
    with pytest.raises((WrongPin, PinLocked)) as refused:
        redeem_card(services.uow(), reference, pin or unknown_pin(), contact,
                    pin_secret=services.settings.card_pin_secret,
                    policy=LockoutPolicy.from_settings(services.settings))
    return refused.value


def guesses(services, reference, times, contact=PHONE):
    return [guess(services, reference, contact) for _ in range(times)]


def test_the_fifth_wrong_pin_locks_the_number_for_15_minutes(services, clock):
    order = place(services)
    assert all(e.locked_until is None for e in guesses(services, order.reference, 4))
    fifth = guess(services, order.reference)
    assert fifth.locked_until == clock.at.replace(minute=15)
    locked = guess(services, order.reference)
    assert isinstance(locked, PinLocked) and locked.until == fifth.locked_until
    clock.advance(minutes=14, seconds=59)
    assert isinstance(guess(services, order.reference), PinLocked)
    clock.advance(seconds=1)
    assert isinstance(guess(services, order.reference), WrongPin)  # the sixth: counted, locks again


def test_the_ladder_climbs_to_an_hour_at_10_and_a_day_at_20(services, clock):
    order = place(services)
    spans = []
    for attempt in range(1, 21):
        error = guess(services, order.reference)
        assert isinstance(error, WrongPin), attempt
        if error.locked_until:
            spans.append((attempt, error.locked_until - clock.at))
            if attempt < 20:
                clock.at = error.locked_until  # wait the lock out
    assert [(n, int(s.total_seconds() // 60)) for n, s in spans] == (
        [(n, 15) for n in range(5, 10)] + [(n, 60) for n in range(10, 20)] + [(20, 24 * 60)])
    clock.advance(hours=23, minutes=59)
    assert isinstance(guess(services, order.reference), PinLocked)


def test_a_lock_on_one_number_leaves_other_numbers_free(services):
    order = place(services)
    guesses(services, order.reference, 5)
    assert isinstance(guess(services, order.reference), PinLocked)
    assert isinstance(guess(services, order.reference, contact=OTHER_PHONE), WrongPin)


def test_a_locked_number_cannot_pay_even_with_a_right_pin(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    guesses(services, order.reference, 5)
    assert isinstance(guess(services, order.reference, pin=card.pin), PinLocked)


def test_typos_never_count_towards_a_lock(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    typo = card.pin[:-1] + str((int(card.pin[-1]) + 1) % 10)
    for _ in range(30):
        with pytest.raises(PinCheckNumber):
            redeem_card(services.uow(), order.reference, typo, PHONE, pin_secret=services.settings.card_pin_secret)
    assert redeem_card(services.uow(), order.reference, card.pin, PHONE,
                       pin_secret=services.settings.card_pin_secret).paid_now


def test_failures_older_than_a_day_no_longer_count(services, clock):
    order = place(services)
    guesses(services, order.reference, 4)
    clock.advance(hours=24, seconds=1)
    assert all(e.locked_until is None for e in guesses(services, order.reference, 4))


def test_tries_of_a_blocked_card_lock_that_card_whoever_tries(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    block_cards(services.uow(), "stolen from a kiosk", first=card.serial)
    for n in range(5):
        contact = f"+2126123456{n:02d}"  # five different numbers
        with pytest.raises(Exception) as refused:
            redeem_card(services.uow(), order.reference, card.pin, contact,
                        pin_secret=services.settings.card_pin_secret)
        assert refused.value.code == "card_not_usable"
    with pytest.raises(PinLocked):
        redeem_card(services.uow(), order.reference, card.pin, "+212612345699",
                    pin_secret=services.settings.card_pin_secret)


def test_a_spike_of_wrong_pins_across_all_numbers_logs_an_alarm(services, with_settings, caplog):
    with_settings(card_alarm_failures=6, card_alarm_minutes=10)
    order = place(services)
    with caplog.at_level(logging.WARNING, logger="payments_sms.lockout"):
        for n in range(5):
            guess(services, order.reference, contact=f"+2126123456{n:02d}")
        assert "ALARM" not in caplog.text
        guess(services, order.reference, contact="+212612345699")
    (alarm,) = [r for r in caplog.records if "ALARM" in r.getMessage()]
    assert alarm.levelno == logging.CRITICAL and "6 wrong PINs" in alarm.getMessage()
