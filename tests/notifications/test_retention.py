"""Retention: outbox rows done and messages settled longer ago than the retention period are deleted by a periodic
job, with their histories; what is still pending, recent, or keeps an agent from being told twice stays."""
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from jobs import notifications as jobs
from notifications import purge_settled
from notifications.orm import agent_notices, notification_events, notification_messages
from orders_core.orm import outbox
from orders_core.services import take_order
from tests.notifications.conftest import deliver, messages, paid_order, staff_user

DAYS = 30


def counts(services) -> dict:
    with services.engine.connect() as conn:
        return {table.name: conn.scalar(select(func.count()).select_from(table))
                for table in (outbox, notification_messages, notification_events, agent_notices)}


def keep_days(services, days: int) -> None:
    services.settings = replace(services.settings, notify_retention_days=days)


def test_messages_and_outbox_rows_older_than_the_retention_are_deleted_with_their_histories(
        services, notifier, clock):
    paid_order(services)
    deliver(services)
    before = counts(services)
    assert before["notification_messages"] and before["notification_events"] and before["outbox"]
    keep_days(services, DAYS)
    clock.advance(days=DAYS - 1)
    assert jobs.purge_history() == 0 and counts(services) == before  # not yet old enough
    clock.advance(days=1, seconds=1)
    recent = paid_order(services)
    deliver(services)
    deleted = jobs.purge_history()
    assert deleted == before["outbox"] + before["notification_messages"]
    assert {m.order_id for m in messages(services)} == {recent.id}
    with services.engine.connect() as conn:
        kept_ids = set(conn.scalars(select(notification_messages.c.id)))
        orphans = conn.scalar(select(func.count()).select_from(notification_events)
                              .where(notification_events.c.message_id.not_in(kept_ids)))
    assert orphans == 0


def test_a_message_not_yet_settled_is_kept_however_old(services, notifier, senders, clock):
    senders["africastalking"].script = senders["twilio"].script = ("retry",)
    paid_order(services)
    deliver(services, rounds=1)
    waiting = {m.id for m in messages(services) if m.status in ("pending", "sending")}
    assert waiting
    clock.advance(days=DAYS + 1)
    purge_settled(services.uow(), keep=timedelta(days=DAYS))
    assert {m.id for m in messages(services)} == waiting


def test_a_digest_stays_while_the_order_it_told_of_still_waits_so_the_agent_is_not_told_again(
        services, notifier, clock):
    agent = staff_user(services, "agent1", "agent", phone="+212661000011")
    waiting, taken = paid_order(services), paid_order(services)
    services.enqueue(jobs.agent_digests)
    deliver(services)
    [digest] = messages(services, kind="agent_digest")
    clock.advance(days=DAYS + 1)
    purge_settled(services.uow(), keep=timedelta(days=DAYS))
    assert [m.id for m in messages(services, kind="agent_digest")] == [digest.id]
    services.enqueue(jobs.agent_digests)
    deliver(services)
    assert len(messages(services, kind="agent_digest")) == 1  # `waiting` is not told of a second time
    take_order(services.uow(), waiting.id, agent.as_actor())
    take_order(services.uow(), taken.id, agent.as_actor())
    purge_settled(services.uow(), keep=timedelta(days=DAYS))
    assert messages(services, kind="agent_digest") == [] and counts(services)["agent_notices"] == 0


def test_a_run_deletes_a_bounded_number_of_batches_and_the_next_run_carries_on(services, notifier, clock):
    for _ in range(5):
        paid_order(services)  # one message each
    deliver(services)
    total = counts(services)["notification_messages"]
    assert total == 5
    clock.advance(days=DAYS + 1)
    first = purge_settled(services.uow(), keep=timedelta(days=DAYS), batch=2, max_batches=2)
    assert first.messages == 4 and counts(services)["notification_messages"] == total - 4
    rest = purge_settled(services.uow(), keep=timedelta(days=DAYS), batch=2, max_batches=100)
    assert rest.messages == total - 4 and counts(services)["notification_messages"] == 0


def test_a_retention_of_zero_days_keeps_everything(services, notifier, clock):
    paid_order(services)
    deliver(services)
    before = counts(services)
    keep_days(services, 0)
    clock.advance(days=3650)
    assert jobs.purge_history() == 0 and counts(services) == before


def _a_kept_digest_then_orders(services, clock, orders: int):
    """An agent's digest about a paid order still waiting, then `orders` more orders whose messages settle after
    it, all past the retention period: the digest."""
    staff_user(services, "agent1", "agent", phone="+212661000011")
    paid_order(services)
    services.enqueue(jobs.agent_digests)
    deliver(services)
    [digest] = messages(services, kind="agent_digest")
    clock.advance(minutes=1)
    for _ in range(orders):
        paid_order(services)
    deliver(services)
    clock.advance(days=DAYS + 1)
    return digest


def test_a_digest_kept_for_a_waiting_order_does_not_stop_the_messages_after_it_being_deleted(
        services, notifier, clock):
    digest = _a_kept_digest_then_orders(services, clock, orders=3)
    purged = purge_settled(services.uow(), keep=timedelta(days=DAYS), batch=1, max_batches=100)
    assert purged.messages >= 3
    assert [m.id for m in messages(services)] == [digest.id]


def test_a_message_held_back_because_its_person_opted_out_is_deleted_like_any_settled_one(
        services, notifier, clock):
    from notifications.optouts import opt_out
    from web.demo import DEMO_PHONE
    opt_out(services.uow(), DEMO_PHONE, "sms", "STOP")
    paid_order(services)
    deliver(services)
    assert {m.status for m in messages(services)} == {"suppressed"}
    keep_days(services, DAYS)
    clock.advance(days=DAYS, seconds=1)
    jobs.purge_history()
    assert messages(services) == []


def test_a_run_of_the_periodic_job_deletes_one_batch_of_each_and_the_next_runs_carry_on(
        services, notifier, clock, monkeypatch):
    monkeypatch.setattr("notifications.retention.BATCH", 2)
    for _ in range(5):
        paid_order(services)  # one message and outbox rows each
    deliver(services)
    before = counts(services)
    keep_days(services, DAYS)
    clock.advance(days=DAYS + 1)
    assert jobs.purge_history() == 4  # 2 outbox rows and 2 messages: a run stays short whatever the backlog
    assert counts(services)["notification_messages"] == before["notification_messages"] - 2
    while jobs.purge_history():
        pass
    assert counts(services)["notification_messages"] == 0 and counts(services)["outbox"] == 0


def test_a_run_deletes_a_batch_even_when_the_oldest_messages_are_digests_kept_for_waiting_orders(
        services, notifier, clock):
    digest = _a_kept_digest_then_orders(services, clock, orders=1)
    purged = purge_settled(services.uow(), keep=timedelta(days=DAYS), batch=1, max_batches=2)
    assert purged.messages == 2  # both orders' messages: the kept digest uses up no batch of the run
    assert [m.id for m in messages(services)] == [digest.id]


# National volume (DOMAIN.md): 7M orders a year, ~20,000 a day; up to 10 messages an order, each from an outbox row.
NATIONAL_ORDERS_A_DAY, MESSAGES_AN_ORDER = 20_000, 10


def test_the_periodic_retention_runs_delete_several_times_a_national_days_messages_and_outbox_rows():
    from jobs.clock import PERIODIC
    from notifications import retention

    [every] = [seconds for job, seconds, _ in PERIODIC if job is jobs.purge_history]
    runs_a_day = 86_400 // every
    per_run = retention.BATCH * retention.BATCHES_PER_RUN  # of each: outbox rows, messages
    inflow = NATIONAL_ORDERS_A_DAY * MESSAGES_AN_ORDER
    # Five times the average day: a results day (10-50x) leaves a backlog that the quiet days after it clear.
    assert runs_a_day * per_run >= 5 * inflow
    assert per_run <= 1_000  # a run (one batch of each, with the messages' events) stays well under 300 ms
