"""Storage: dispatchers share the outbox without overlap (SKIP LOCKED on PostgreSQL), a message key is unique in
the database itself, and the migration creates exactly the tables the code declares."""
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from notifications import claim_outbox
from notifications.orm import agent_notices, notification_events, notification_messages
from orders_core.model import OutboxMessage
from persistence import load_metadata
from tests.notifications.conftest import deliver, messages
from orders_core.services import place_order
from web.demo import draft

OUR_TABLES = {t.name for t in (notification_messages, notification_events, agent_notices)}


def _publish(services, count: int) -> None:
    with services.uow() as uow:
        for n in range(count):
            uow.publish("test.event", n=n)
        uow.commit()


@pytest.mark.postgres
def test_a_dispatcher_skips_the_rows_another_one_holds(services):
    _publish(services, 6)
    with services.engine.connect() as other:  # another dispatcher, mid-transaction on the first three rows
        other.execute(text("SELECT id FROM outbox ORDER BY id LIMIT 3 FOR UPDATE"))
        claimed = claim_outbox(services.uow())
        other.rollback()
    assert claimed == [4, 5, 6]


def test_dispatchers_running_at_once_claim_every_row_exactly_once(services):
    _publish(services, 60)
    results, barrier = [], threading.Barrier(3)

    def dispatcher():
        barrier.wait()
        for _ in range(10):
            results.append(claim_outbox(services.uow(), batch=7))

    threads = [threading.Thread(target=dispatcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [outbox_id for batch in results for outbox_id in batch]
    assert sorted(claimed) == list(range(1, 61))
    with services.uow() as uow:
        assert {row.attempts for row in uow.all(select(OutboxMessage))} == {1}


def test_the_database_refuses_a_second_message_with_the_same_key(services, notifier):
    place_order(services.uow(), services.settings.prices, draft())
    deliver(services)
    [message] = messages(services)
    columns = {c.name: getattr(message, c.name) for c in notification_messages.columns if c.name != "id"}
    with pytest.raises(IntegrityError):
        with services.engine.begin() as conn:
            conn.execute(notification_messages.insert().values(**columns))


def test_the_migration_creates_exactly_the_declared_notification_tables(services):
    with services.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), load_metadata())
    ours = [d for d in diffs if OUR_TABLES & set(_tables_in(d))]
    assert ours == []


def _tables_in(diff) -> list[str]:
    """The table names an autogenerate difference mentions (its tuples nest a level for column changes)."""
    items = diff if isinstance(diff, list) else [diff]
    names = []
    for item in items:
        for part in item:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(getattr(part, "table", None), "name", None)
            names += [n for n in (name, table) if isinstance(n, str)]
    return names
