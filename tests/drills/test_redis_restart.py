"""Drill: Redis dies and comes back empty while citizens are ordering and paying.

Sessions in flight must end politely (a 200 with a USSD `END` screen), no order or payment may be lost, and the
service must recover by itself (same process, no restart). A callback acknowledged with 200 (an SMS, a delivery
report) is in the database's inbox: what Redis lost, the periodic sweep queues again.
"""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from channels import records
from jobs.conversations import REPLY_STUCK
from orders_core.model import Order
from orders_core.services import place_order
from payments_sms.orm import premium_charges
from web.demo import draft

from .phones import ORDER_INPUTS, SmsPhone, UssdPhone, report

pytestmark = pytest.mark.redis

PHONES = [f"+2126610000{i:02d}" for i in range(9)]
_REFERENCE = re.compile(r"\b(\d{3} \d{3} \d{3} \d)\b")


def confirmed(screens) -> set[str]:
    """The order references shown to citizens on their last screens."""
    return {m.group(1).replace(" ", "") for s in screens if s.startswith("END ") for m in _REFERENCE.finditer(s)}


def references(drill) -> set[str]:
    with drill.services.uow() as uow:
        return set(uow.all(select(Order.reference)))


def finish(phone: UssdPhone, inputs) -> None:
    """Carry on typing the order's inputs until the session ends (politely or with a reference)."""
    for typed in inputs:
        if phone.ended:
            return
        phone.press(typed)


def test_sessions_in_flight_end_politely_no_order_is_lost_and_the_service_recovers(redis_drill):
    done = UssdPhone(redis_drill.client, PHONES[0])
    done.order()
    in_flight = [UssdPhone(redis_drill.client, number) for number in PHONES[1:4]]
    for phone in in_flight:
        phone.dial()
        phone.press(*ORDER_INPUTS[:6])

    redis_drill.redis_server.stop()
    during = [phone.press(ORDER_INPUTS[6]) for phone in in_flight[:2]]
    assert all(screen.startswith("END ") for screen in during)
    assert redis_drill.client.get("/healthz").status_code == 503

    redis_drill.redis_server.start()  # empty: every session, dedup mark and queued job is gone
    finish(in_flight[2], ORDER_INPUTS[6:])
    fresh = UssdPhone(redis_drill.client, PHONES[4])
    fresh.order()
    assert redis_drill.client.get("/healthz").status_code == 200
    assert confirmed(fresh.screens[-1:]) and confirmed(done.screens[-1:])
    shown = confirmed(s for phone in [done, fresh, *in_flight] for s in phone.screens)
    assert references(redis_drill) == shown  # every order told is stored, and no half-made one


def stuck(drill) -> timedelta:
    """How long after a callback was queued the sweep takes its job for lost."""
    return timedelta(seconds=drill.services.settings.inbox_stuck_seconds + 1)


def _billed_charge(drill, phone: str) -> tuple[str, str]:
    """An order from `phone` whose first premium charge is billed and awaits its delivery report."""
    order = place_order(drill.services.uow(), drill.services.settings.prices, draft(phone=phone))
    sms = SmsPhone(drill.client, phone)
    for text in (f"PAYER {order.reference}", "OUI"):
        assert sms.send(text).status_code == 200
        drill.drain()
    with drill.services.uow() as uow:
        (message_id,) = uow.session.execute(select(premium_charges.c.provider_message_id)
                                            .where(premium_charges.c.order_id == order.id)).scalars()
    return order.reference, message_id


def test_a_payment_report_arriving_during_the_outage_is_stored_acknowledged_and_applied_once_redis_is_back(
        redis_drill):
    reference, message_id = _billed_charge(redis_drill, PHONES[5])
    redis_drill.redis_server.stop()
    # Stored in PostgreSQL before the 200: nothing rests on Africa's Talking sending it again.
    assert report(redis_drill.client, message_id, PHONES[5]).status_code == 200
    assert report(redis_drill.client, message_id, PHONES[5]).status_code == 200  # its retry: a no-op

    redis_drill.redis_server.start()
    assert "sweep_inbox" in redis_drill.tick()  # never queued: the first sweep queues it
    with redis_drill.services.uow() as uow:
        order = uow.order_by_reference(reference)
        assert [p.means for p in order.payments] == ["premium_sms"] and order.amount_due < order.total


def test_an_sms_acknowledged_just_before_the_restart_is_still_answered(redis_drill):
    sms = SmsPhone(redis_drill.client, PHONES[6])
    assert sms.send("AIDE").status_code == 200  # acknowledged: Africa's Talking will not send it again
    redis_drill.redis_server.stop()
    redis_drill.redis_server.start()
    redis_drill.drain()
    assert "sweep_inbox" in redis_drill.tick(after=stuck(redis_drill))  # its job is lost: the sweep queues it again
    answers = [m for m in records.conversation(redis_drill.services.uow(), PHONES[6]) if m["direction"] == "out"]
    assert len(answers) == 1, "the citizen's SMS was acknowledged, then lost with Redis: never answered"
    assert answers[0]["status"] == "sent"


def test_a_reply_recorded_just_before_the_restart_is_still_sent(redis_drill):
    sms = SmsPhone(redis_drill.client, PHONES[8])
    assert sms.send("AIDE").status_code == 200
    (stored,) = redis_drill.services.queue("high").jobs
    assert stored.perform() == "queued"  # answered: the reply is recorded, its sending job waits in Redis
    redis_drill.redis_server.stop()
    redis_drill.redis_server.start()
    assert "resend_replies" in redis_drill.tick(after=REPLY_STUCK + timedelta(seconds=1))
    replies = [m for m in records.conversation(redis_drill.services.uow(), PHONES[8]) if m["direction"] == "out"]
    assert [m["status"] for m in replies] == ["sent"], "the answer was written, then lost with Redis: never sent"


def test_a_payment_report_acknowledged_just_before_the_restart_is_still_applied(redis_drill):
    reference, message_id = _billed_charge(redis_drill, PHONES[7])
    assert report(redis_drill.client, message_id, PHONES[7]).status_code == 200  # AT will not send it again
    redis_drill.redis_server.stop()
    redis_drill.redis_server.start()
    redis_drill.drain()
    assert "sweep_inbox" in redis_drill.tick(after=stuck(redis_drill))
    with redis_drill.services.uow() as uow:
        payments = uow.order_by_reference(reference).payments
        assert len(payments) == 1, "the citizen was billed, and the payment is lost (or counted twice)"
