"""Sending with a moved clock: growing retry delays, failover to the other provider, permanent errors,
abandoned sends, delivery reports."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from jobs import notifications as jobs
from notifications import RetryPlan, claim_outbox, handle_outbox, record_status, send_notification
from orders_core.services import place_order, record_payment
from tests.notifications.conftest import ScriptedSender, deliver, messages
from web.demo import draft


@pytest.fixture(autouse=True)
def placed(services):
    """Every test starts from one placed order, whose message the outbox holds."""
    return place_order(services.uow(), services.settings.prices, draft())


@pytest.fixture
def message(services, notifier):
    """The order-placed message stored and due, its send job not run."""
    [outbox_id] = claim_outbox(services.uow())
    handle_outbox(services.uow(), notifier, outbox_id)
    return messages(services)[0]


@contextmanager
def spied(services):
    """The statements (COMMIT included) run on the services' engine inside the block, and those sent past
    SQLAlchemy in one round trip with their COMMIT (PostgreSQL's one-trip writes, noted as one line)."""
    from notifications import store

    seen = []
    note = lambda conn, cursor, statement, *rest: seen.append(" ".join(statement.split()))  # noqa: E731
    commit = lambda conn: seen.append("COMMIT")  # noqa: E731
    sent_with_commit = store.sent_with_commit

    def one_trip(driver, sql, params, *, relaxed=False, **kwargs):
        first = "SET LOCAL synchronous_commit = off; " if relaxed else ""
        seen.append(first + " ".join(sql.split()) + "; COMMIT")
        return sent_with_commit(driver, sql, params, relaxed=relaxed, **kwargs)

    event.listen(services.engine, "before_cursor_execute", note)
    event.listen(services.engine, "commit", commit)
    store.sent_with_commit = one_trip
    try:
        yield seen
    finally:
        store.sent_with_commit = sent_with_commit
        event.remove(services.engine, "before_cursor_execute", note)
        event.remove(services.engine, "commit", commit)


def history(services, message_id) -> list[str]:
    return [e.status for e in messages(services, id=message_id)[0].events]


def test_a_retryable_error_is_retried_after_growing_delays_then_sent_once(services, notifier, clock, senders):
    senders["africastalking"].script = ("retry", "retry", "ok")
    deliver(services)
    [first] = messages(services)
    assert first.status == "pending" and first.next_attempt_at == clock() + timedelta(seconds=30)
    clock.advance(seconds=29)
    deliver(services)
    assert len(senders["africastalking"].calls) == 1  # not due yet: the sweep leaves it alone
    clock.advance(seconds=1)
    deliver(services)
    [second] = messages(services)
    assert second.next_attempt_at == clock() + timedelta(seconds=120)  # the second delay is longer
    clock.advance(seconds=120)
    deliver(services)
    [sent] = messages(services)
    assert (sent.status, sent.attempts, len(senders["africastalking"].calls)) == ("sent", 3, 3)
    assert history(services, sent.id) == ["pending", "sending", "pending", "sending", "pending", "sending", "sent"]


def test_after_one_provider_s_retries_the_other_provider_sends(services, notifier, clock, senders):
    senders["africastalking"].script = ("retry",)
    deliver(services)
    for _ in notifier.plan.delays:
        clock.advance(hours=1)
        deliver(services)
    [sent] = messages(services)
    assert len(senders["africastalking"].calls) == 1 + len(notifier.plan.delays)
    assert (sent.status, sent.provider, sent.provider_message_id) == ("sent", "twilio", "twilio-1")
    assert "failover" in history(services, sent.id)


def test_a_permanent_error_is_recorded_and_not_retried(services, notifier, clock, senders):
    senders["africastalking"].script = ("permanent",)
    deliver(services)
    clock.advance(days=1)
    deliver(services)
    [failed] = messages(services)
    assert (failed.status, failed.last_error) == ("failed", "invalid destination")
    assert len(senders["africastalking"].calls) == 1 and senders["twilio"].calls == []


def test_every_provider_failing_ends_as_failed(services, notifier, clock, senders):
    senders["africastalking"].script = senders["twilio"].script = ("retry",)
    deliver(services)
    for _ in range(2 * len(notifier.plan.delays) + 1):
        clock.advance(hours=1)
        deliver(services)
    [failed] = messages(services)
    per_provider = 1 + len(notifier.plan.delays)
    assert failed.status == "failed"
    assert (len(senders["africastalking"].calls), len(senders["twilio"].calls)) == (per_provider, per_provider)


def test_a_sender_bug_counts_as_a_retryable_failure(services, notifier, clock, senders):
    class Broken(ScriptedSender):
        def send(self, to, text):
            raise RuntimeError("boom")
    notifier.senders["africastalking"] = Broken("africastalking")
    deliver(services)
    [message] = messages(services)
    assert (message.status, message.last_error) == ("pending", "unexpected RuntimeError")


def test_a_send_abandoned_by_a_dead_worker_is_sent_again_after_its_lease(services, notifier, clock, senders,
                                                                           message):
    with services.uow() as uow:  # a worker claimed it and died before the provider answered
        found = uow.get(type(message), message.id)
        found.claim(uow.now(), notifier.plan)
        uow.commit()
    assert send_notification(services.uow(), notifier, message.id) == "skipped"  # the lease still holds
    deliver(services)
    assert senders["africastalking"].calls == []
    clock.advance(seconds=notifier.plan.lease.total_seconds())
    deliver(services)
    deliver(services)
    [sent] = messages(services)
    assert sent.status == "sent" and len(senders["africastalking"].calls) == 1
    assert "abandoned" in history(services, sent.id)


def test_a_delivery_report_joins_the_history_and_sets_delivered(services, notifier, senders):
    deliver(services)
    [sent] = messages(services)
    assert record_status(services.uow(), notifier, "africastalking", sent.provider_message_id, "delivered")
    [delivered] = messages(services)
    assert delivered.status == "delivered" and history(services, sent.id)[-1] == "delivered"


def test_a_report_for_an_unknown_message_is_said_so(services, notifier):
    assert record_status(services.uow(), notifier, "twilio", "SM-unknown", "delivered") is False


def test_an_accepted_message_reported_lost_goes_to_the_other_provider(services, notifier, senders):
    deliver(services)
    [sent] = messages(services)
    jobs.record_delivery_report("africastalking", sent.provider_message_id, "failed", "NotNetworkSubcriber")
    deliver(services)
    [resent] = messages(services)
    assert (resent.status, resent.provider, len(senders["twilio"].calls)) == ("sent", "twilio", 1)
    jobs.record_delivery_report("twilio", resent.provider_message_id, "undelivered")
    assert messages(services)[0].status == "undelivered"


def test_a_report_of_progress_does_not_undo_a_final_status(services, notifier, senders):
    deliver(services)
    [sent] = messages(services)
    record_status(services.uow(), notifier, "africastalking", sent.provider_message_id, "delivered")
    record_status(services.uow(), notifier, "africastalking", sent.provider_message_id, "sent")
    [message] = messages(services)
    assert message.status == "delivered" and history(services, sent.id)[-1] == "report:sent"


def test_providers_follow_the_configured_order():
    plan = RetryPlan(("twilio", "africastalking"), (30,), timedelta(minutes=2))
    assert [plan.next_provider(None), plan.next_provider("twilio"), plan.next_provider("africastalking")] == [
        "twilio", "africastalking", None]


def test_a_notification_is_planned_and_sent_by_one_job(services, notifier, senders):
    [outbox_id] = claim_outbox(services.uow())
    assert jobs.handle_outbox(outbox_id) == 1
    [sent] = messages(services)
    assert sent.status == "sent" and len(senders["africastalking"].calls) == 1
    # Nothing was left for another job to do.
    assert all(services.queue(name).count == 0 for name in ("high", "default", "low"))


@pytest.mark.postgres
def test_a_notification_jobs_commits_skip_the_disk_wait_and_the_orders_and_payments_wait_for_it(services, notifier):
    """A PostgreSQL crash may undo the job's commits (a duplicate SMS, sent again from its outbox row or lease),
    never the order, the payment or the outbox row that the job reads (sending.py, "Durability")."""
    [outbox_id] = claim_outbox(services.uow())
    with spied(services) as seen:
        jobs.handle_outbox(outbox_id)
    # Each of its two commits is sent with the relaxed setting, in the same round trip (the second one with the
    # send's outcome too); "COMMIT" alone is the session's own commit, which then finds nothing left to send.
    sent = [s for s in seen if "COMMIT" in s]
    assert sent[1::2] == ["COMMIT", "COMMIT"], seen
    assert all(s.startswith("SET LOCAL synchronous_commit = off;") and s.endswith("; COMMIT") for s in sent[::2]), seen
    assert len(sent) == 4, seen
    assert messages(services)[0].status == "sent"

    # The same pooled connection, then an order placed and paid: their transactions wait for the disk.
    with spied(services) as seen:
        order = place_order(services.uow(), services.settings.prices, draft())
        with services.uow() as uow:
            assert uow.session.execute(text("SHOW synchronous_commit")).scalar() == "on"
        record_payment(services.uow(), order.reference, order.total, "cash", "till-1")
    assert not [s for s in seen if "synchronous_commit = off" in s or "set_config" in s], seen


@pytest.mark.postgres
def test_a_notification_job_reads_its_order_with_the_payments_and_writes_each_message_in_one_statement(services, notifier):
    [outbox_id] = claim_outbox(services.uow())
    checkouts = []
    count = lambda *args: checkouts.append(1)  # noqa: E731
    event.listen(services.engine.pool, "checkout", count)
    try:
        with spied(services) as seen:
            jobs.handle_outbox(outbox_id)
    finally:
        event.remove(services.engine.pool, "checkout", count)
    assert not [s for s in seen if s.startswith("SELECT payments")], seen
    assert len(checkouts) == 1
    # Each message's events go with the INSERT or UPDATE that writes it, not in a round trip of their own.
    assert not [s for s in seen if s.startswith("INSERT INTO notification_events")], seen
    assert history(services, messages(services)[0].id) == ["pending", "sending", "sent"]


def _a_charge_being_sent(services) -> None:
    """A premium charge claimed whose provider id is not recorded yet (its report may overtake it)."""
    from payments_sms.orm import premium_charges, premium_payments
    order = place_order(services.uow(), services.settings.prices, draft())
    with services.uow() as uow:
        now = uow.now()
        payment = uow.session.execute(premium_payments.insert().values(
            order_id=order.id, reference=order.reference, contact="+212612345678", language="fr",
            short_code="1919", keyword="PAYER", price=1000, messages=2, status="confirmed", created_at=now)
        ).inserted_primary_key[0]
        uow.session.execute(premium_charges.insert().values(
            payment_id=payment, order_id=order.id, provider="africastalking", short_code="1919", step=1,
            amount=1000, status="sending", created_at=now))
        uow.commit()


def test_a_report_goes_to_the_message_it_names_without_waiting_on_the_payments(services, notifier, senders):
    from dataclasses import asdict

    import bootstrap
    from channels.delivery import DeliveryStatus
    from jobs.conversations import delivery_report
    from payments_sms.africastalking import AfricasTalkingPremium
    bootstrap.wire(services, notifier=notifier, premium_biller=AfricasTalkingPremium("shubbak", "at-key"))
    deliver(services)
    [sent] = messages(services)
    _a_charge_being_sent(services)  # a report on a charge could name it: not one on a notification
    delivery_report(asdict(DeliveryStatus("africastalking", sent.provider_message_id, "delivered", "Success", True)))
    assert messages(services)[0].status == "delivered"
def test_a_notification_job_writes_its_message_once_and_commits_twice(services, notifier):
    """The hot path (bench.notifications): the message stored already claimed, its acceptance one UPDATE."""
    [outbox_id] = claim_outbox(services.uow())
    with spied(services) as seen:
        assert jobs.handle_outbox(outbox_id) == 1
    commits = [s for s in seen if s == "COMMIT"]
    # On PostgreSQL each write carries its events in the same statement (WITH message AS (INSERT ...) ...).
    writes = ["INSERT" if "INSERT INTO notification_messages" in s else "UPDATE" for s in seen
              if "INSERT INTO notification_messages" in s or "UPDATE notification_messages" in s]
    assert writes == ["INSERT", "UPDATE"], seen
    assert len(commits) == 2
    assert len([s for s in seen if s.startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"))]) <= 8, seen
    if services.engine.dialect.name == "postgresql":
        # The outbox row taken with its order and the requester's opt-outs; the message stored with the COMMIT;
        # the provider's acceptance with its COMMIT (psycopg's BEGIN before each transaction is not counted).
        assert len([s for s in seen if s != "COMMIT"]) == 3, seen
    assert history(services, messages(services)[0].id) == ["pending", "sending", "sent"]
