"""Drill: PostgreSQL becomes unreachable, then comes back (through a proxy the drill cuts; the server runs on).

While it is gone requests are refused cleanly: HTTP 503 for the health check, a polite USSD `END` for a phone.
When it is back the same process serves again, with no restart.
"""
import pytest
from sqlalchemy import select

from channels import records
from orders_core.model import Order

from .phones import ORDER_INPUTS, SmsPhone, UssdPhone

pytestmark = pytest.mark.postgres

PHONES = [f"+2126620000{i:02d}" for i in range(6)]


def stored(drill) -> int:
    with drill.services.uow() as uow:
        return len(uow.all(select(Order.id)))


def test_requests_are_refused_cleanly_while_postgresql_is_gone_then_served_again(postgres_drill):
    before = UssdPhone(postgres_drill.client, PHONES[0])
    assert before.order().startswith("END ") and stored(postgres_drill) == 1
    in_flight = UssdPhone(postgres_drill.client, PHONES[1])
    in_flight.dial()
    in_flight.press(*ORDER_INPUTS[:4])

    postgres_drill.proxy.cut()
    health = postgres_drill.client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "down"
    # The office was searched before the cut: picking it and typing the act use the kept candidates and the
    # session only; the order's later steps end politely, since placing it needs the database.
    assert in_flight.press(*ORDER_INPUTS[4:6]).startswith("CON ")
    assert in_flight.press(*ORDER_INPUTS[6:]).startswith("END ")
    assert UssdPhone(postgres_drill.client, PHONES[2]).dial().startswith("END ")

    postgres_drill.proxy.restore()
    assert postgres_drill.client.get("/healthz").status_code == 200
    after = UssdPhone(postgres_drill.client, PHONES[3])
    assert after.order().startswith("END ") and stored(postgres_drill) == 2


def test_an_sms_that_arrives_while_postgresql_is_gone_is_answered_once_it_is_back(postgres_drill):
    postgres_drill.proxy.cut()
    assert SmsPhone(postgres_drill.client, PHONES[4]).send("AIDE").status_code == 200  # queued in Redis
    postgres_drill.proxy.restore()
    postgres_drill.drain()
    answers = [m for m in records.conversation(postgres_drill.services.uow(), PHONES[4]) if m["direction"] == "out"]
    assert len(answers) == 1
