"""Quiet hours, 21:00-08:00 Morocco time: non-urgent messages wait for the morning, urgent ones go now."""
from datetime import datetime, timedelta, timezone

import pytest

from notifications import URGENT_KINDS, QuietHours
from orders_core.services import advance_order, dispatch_order, place_order, record_payment, take_order
from tests.notifications.conftest import deliver, kinds, messages, staff_user
from web.demo import draft

UTC = timezone.utc
QUIET = QuietHours.parse("21:00-08:00", "Africa/Casablanca")


@pytest.mark.parametrize(("utc", "held"), [
    (datetime(2026, 11, 23, 19, 59, tzinfo=UTC), False),  # 20:59 in Casablanca (UTC+1)
    (datetime(2026, 11, 23, 20, 0, tzinfo=UTC), True),    # 21:00
    (datetime(2026, 11, 24, 2, 0, tzinfo=UTC), True),     # 03:00
    (datetime(2026, 11, 24, 6, 59, tzinfo=UTC), True),    # 07:59
    (datetime(2026, 11, 24, 7, 0, tzinfo=UTC), False),    # 08:00
])
def test_quiet_hours_span_midnight_in_morocco_time(utc, held):
    assert QUIET.holds(utc) is held


def test_a_message_held_in_the_evening_goes_at_eight_the_next_morning():
    evening = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 22:30 local
    assert QUIET.release(evening) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_a_message_held_after_midnight_goes_at_eight_the_same_morning():
    assert QUIET.release(datetime(2026, 11, 24, 1, 0, tzinfo=UTC)) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_the_morning_follows_morocco_s_clock_during_ramadan():
    # Morocco sets its clocks back to UTC+0 during Ramadan (February-March 2027): 08:00 local is 08:00 UTC.
    night = datetime(2027, 2, 20, 23, 0, tzinfo=UTC)
    assert QUIET.release(night) == datetime(2027, 2, 21, 8, 0, tzinfo=UTC)


def test_an_urgent_message_is_never_held():
    night = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert QUIET.release(night, urgent=True) == night


def test_no_quiet_hours_when_the_setting_is_empty():
    assert QuietHours.parse("", "Africa/Casablanca").holds(datetime(2026, 11, 24, 1, 0, tzinfo=UTC)) is False


def test_a_malformed_setting_is_refused_with_its_value():
    with pytest.raises(ValueError, match="'9pm'"):
        QuietHours.parse("9pm", "Africa/Casablanca")


def test_what_counts_as_urgent_is_what_answers_the_citizen_s_own_action():
    assert {"order_placed", "payment_complete", "support_reply"} <= URGENT_KINDS
    assert not {"order_dispatched", "order_delivered", "agent_digest", "late_orders"} & URGENT_KINDS


def _dispatch(services, order):
    agent = staff_user(services, "agent1", "agent").as_actor()
    take_order(services.uow(), order.id, agent)
    advance_order(services.uow(), order.id, "ready", agent)
    dispatch_order(services.uow(), order.id, "RR123456785MA", agent)


def test_at_night_the_payment_goes_now_and_the_dispatch_notice_waits_for_the_morning(
        services, notifier, clock, senders):
    clock.at = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 23:00 in Casablanca
    order = place_order(services.uow(), services.settings.prices, draft())
    record_payment(services.uow(), order.reference, order.total, "card", "card-1")
    _dispatch(services, order)
    deliver(services)
    assert [m.kind for m in messages(services, status="sent")] == ["payment_complete"]
    [held] = messages(services, kind="order_dispatched")
    assert held.status == "pending" and held.next_attempt_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    clock.at = datetime(2026, 11, 24, 6, 59, tzinfo=UTC)
    deliver(services)
    assert len(senders["africastalking"].calls) == 1
    clock.advance(minutes=1)
    deliver(services)
    assert kinds(services, status="sent") == ["payment_complete", "order_dispatched"]


def test_a_retry_that_falls_in_quiet_hours_waits_for_the_morning(services, notifier, clock, senders):
    order = place_order(services.uow(), services.settings.prices, draft())
    record_payment(services.uow(), order.reference, order.total, "card", "card-1")
    deliver(services)
    senders["africastalking"].script = ("retry",)
    clock.at = datetime(2026, 11, 23, 19, 59, 50, tzinfo=UTC)  # ten seconds before 21:00 local
    _dispatch(services, order)
    senders["africastalking"].calls.clear()
    deliver(services)
    [retrying] = messages(services, kind="order_dispatched")
    assert retrying.status == "pending" and len(senders["africastalking"].calls) == 1
    assert retrying.next_attempt_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert retrying.next_attempt_at - clock() > timedelta(hours=10)
