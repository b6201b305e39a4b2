"""Retention: message texts, inbox rows and conversation transcripts go after SHUBBAK_RETENTION_DAYS; orders, events,
payments and money records stay."""
from datetime import timedelta

from sqlalchemy import func, select

from channels import inbox as stored_callbacks
from channels.message import Inbound
from channels.orm import inbox, sms_messages
from jobs import clock as periodic
from jobs.retention import purge_personal_data
from orders_core.orm import escalation_messages, order_events, orders, payments
from orders_core.services import add_escalation_message, open_escalation, place_order, record_payment
from web.demo import DEMO_PHONE, draft


def count(services, table) -> int:
    with services.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def conversation(services, n: int) -> None:
    """An SMS stored by the webhook, and a line of a support conversation."""
    stored_callbacks.record_message(services.uow(), Inbound("sms", "africastalking", DEMO_PHONE, f"AIDE {n}",
                                                            provider_message_id=f"ATXid_ret_{n}", phone=DEMO_PHONE))
    escalation = open_escalation(services.uow(), DEMO_PHONE, channel="sms", language="fr", reason="asked_for_human",
                                 phone=DEMO_PHONE)
    add_escalation_message(services.uow(), escalation.id, "in", DEMO_PHONE, f"mon acte {n} ?")


def test_texts_inbox_rows_and_transcripts_older_than_the_retention_period_are_purged(services, clock):
    order = place_order(services.uow(), services.settings.prices, draft())
    record_payment(services.uow(), order.reference, order.total, "card", "card-ret")
    conversation(services, 1)
    clock.advance(days=services.settings.retention_days - 1)
    conversation(services, 2)
    before = {t.name: count(services, t) for t in (sms_messages, inbox, escalation_messages)}
    assert before == {"sms_messages": 2, "inbox": 2, "escalation_messages": 2}
    clock.advance(days=1, seconds=1)
    assert purge_personal_data() == {"inbox": 1, "sms_messages": 1, "escalation_messages": 1}
    with services.engine.connect() as conn:
        assert conn.scalars(select(sms_messages.c.text)).all() == ["AIDE 2"]
        assert conn.scalars(select(escalation_messages.c.text)).all() == ["mon acte 2 ?"]
    assert (count(services, orders), count(services, payments)) == (1, 1) and count(services, order_events) >= 2


def test_the_purge_is_periodic_work(services):
    assert purge_personal_data in [job for job, _, _ in periodic.PERIODIC]
    assert services.settings.retention_days == 90
