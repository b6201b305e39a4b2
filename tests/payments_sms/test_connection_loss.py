"""A card redemption whose connection to PostgreSQL is cut: its statements run on the driver itself (past
SQLAlchemy's execution layer), yet the loss ends as SQLAlchemy's error, the connection is dropped from the pool,
nothing is paid, the USSD menu answers politely, and the next redemption is served on a fresh connection."""
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import exc, select

from payments_sms.model import Redemption

from .conftest import place, reload
from .test_conversations import phone, guarded  # noqa: F401  (fixtures, used by name)
from .test_redemption_cost import redeem

pytestmark = pytest.mark.postgres

READ = "card_redemption_reads"  # in the locking read only
WRITE = "WITH w0 AS"  # in the writes only (sent with their COMMIT)


@contextmanager
def cut_at(services, marker: str):
    """Terminate the server session of the connection that sends a statement holding `marker`, just before the
    driver sends it (as a PostgreSQL restart or a failover would); yields the backends cut."""
    admin_url = services.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    original, cut = psycopg.Cursor.execute, []

    def execute(cursor, query, *args, **kw):
        if marker in str(query) and not cut:
            pid = cursor.connection.info.backend_pid
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s, 5000)  -- waits until it is gone", (pid,))
            cut.append(pid)
        return original(cursor, query, *args, **kw)

    psycopg.Cursor.execute = execute
    try:
        yield cut
    finally:
        psycopg.Cursor.execute = original


def redemptions(services) -> list:
    with services.uow() as uow:
        return uow.all(select(Redemption))


@pytest.mark.parametrize("marker", [READ, WRITE], ids=["at_the_locking_read", "at_the_writes"])
def test_a_cut_connection_ends_as_a_database_error_and_the_next_redemption_is_served(services, make_batch,
                                                                                      marker):
    order = place(services)
    _, (card, *_) = make_batch()
    with cut_at(services, marker) as cut, pytest.raises(exc.OperationalError) as raised:
        redeem(services, order.reference, card.pin)
    assert cut and raised.value.connection_invalidated
    assert marker in raised.value.statement  # the statement cut, not the rollback after it
    assert card.pin not in str(raised.value)  # the parameters are not in the message
    assert reload(services, order.reference).status == "awaiting_payment" and redemptions(services) == []
    with services.engine.connect() as connection:  # the cut connection was not put back in the pool
        assert connection.connection.driver_connection.info.backend_pid not in cut
    assert redeem(services, order.reference, card.pin).paid_now


def test_a_lock_not_granted_in_time_is_a_database_error_and_the_connection_serves_again(services, make_batch):
    """Not a disconnect (the connection lives on): the locking read refused by `lock_timeout` while another
    transaction holds the order."""
    order = place(services)
    _, (card, *_) = make_batch()
    admin_url = services.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url) as holder:
        holder.execute("SELECT 1 FROM orders WHERE reference = %s FOR UPDATE", (order.reference,))
        with lock_timeout(services), pytest.raises(exc.OperationalError) as raised:
            redeem(services, order.reference, card.pin)
    assert isinstance(raised.value.orig, psycopg.errors.LockNotAvailable) and not raised.value.connection_invalidated
    assert READ in raised.value.statement and card.pin not in str(raised.value)
    assert redeem(services, order.reference, card.pin).paid_now


@contextmanager
def lock_timeout(services):
    """A short lock_timeout on the connections of the locking read while inside."""
    original = psycopg.Cursor.execute

    def execute(cursor, query, *args, **kw):
        if READ in str(query):
            original(cursor, "SET LOCAL lock_timeout = '200ms'")
        return original(cursor, query, *args, **kw)

    psycopg.Cursor.execute = execute
    try:
        yield
    finally:
        psycopg.Cursor.execute = original


def test_a_cut_connection_during_a_ussd_card_payment_gets_the_polite_answer(phone, services, make_batch):  # noqa: F811
    order = place(services)
    _, (printed, *_) = make_batch()
    menu = [(), ("2",), ("2", "4"), ("2", "4", "1"), ("2", "4", "1", "1")]
    assert all(phone.dial(*inputs).startswith("CON ") for inputs in menu)
    with cut_at(services, WRITE) as cut:
        screen = phone.dial(*menu[-1], printed.pin)
    assert cut and screen == f"END {services.catalogs.text('fr', 'common.try_again_later')}"
    assert reload(services, order.reference).status == "awaiting_payment"
