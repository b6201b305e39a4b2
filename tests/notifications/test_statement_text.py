"""What a notification job sends to PostgreSQL as SQL text: never a phone number. A value bound into the text
(psycopg's ClientCursor) is written into the server's log with the statement whenever it fails (lock or statement
timeout, disk full) and shown in pg_stat_activity while it runs; a value bound by the server is neither."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.notifications.conftest import deliver, messages
from web.demo import DEMO_PHONE

pytestmark = pytest.mark.postgres


@contextmanager
def traced(engine, out):
    """libpq's trace of every connection the engine lends while inside: each protocol message, one a line."""
    lent = []

    def trace(dbapi_connection, *_):
        dbapi_connection.pgconn.trace(out.fileno())
        lent.append(dbapi_connection)

    event.listen(engine, "checkout", trace)
    try:
        yield
    finally:
        event.remove(engine, "checkout", trace)
        for connection in lent:
            connection.pgconn.untrace()


def test_a_notification_job_sends_no_phone_number_in_its_sql_text(services, tmp_path):
    from orders_core.services import place_order
    from web.demo import draft

    place_order(services.uow(), services.settings.prices, draft())
    log = tmp_path / "libpq.trace"
    with open(log, "w") as out, traced(services.engine, out):
        deliver(services)
    assert [m.status for m in messages(services)] == ["sent"]
    texts = [m for m in re.split(r"\n(?=\d{4}-\d\d-\d\d )", log.read_text()) if re.search(r"\tF\t\d+\t(Query|Parse)\t", m)]
    assert any("INSERT INTO notification_messages" in text for text in texts), "the trace saw the job's writes"
    assert [text for text in texts if DEMO_PHONE.lstrip("+") in text] == []


def test_an_order_whose_id_is_past_32_bits_is_notified(services, engine):
    """orders.id is a BIGINT: the outbox's order id is read as one (a cast to INTEGER fails past 2**31 - 1)."""
    from orders_core.services import place_order
    from web.demo import draft

    with engine.begin() as connection:
        connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('orders', 'id'), 3000000000)")
    order = place_order(services.uow(), services.settings.prices, draft())
    assert order.id > 2**31
    deliver(services)
    assert [m.status for m in messages(services)] == ["sent"]
