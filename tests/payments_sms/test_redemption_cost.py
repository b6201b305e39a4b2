"""What a card redemption asks of the database, and that the cheaper path refuses as before: the lock-outs of
the contact and of the card read in one query, the order's history never read, a card locked while inactive
still locked once activated, a locked number told so even when it mistypes."""
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import event, select

from payments_sms import CardNotUsable, NothingDue, PinLocked, activate_cards, redeem_card
from payments_sms.model import Redemption

from .conftest import ON_POSTGRES, PHONE, outbox, place, reload
from .test_lockout import guesses
from .test_redemption import typo

SQL = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@contextmanager
def statements(services):
    """The SQL statements run while inside (BEGIN, COMMIT and pings left out). PostgreSQL: as the driver sends
    them, since the card's hot path runs some past SQLAlchemy (its writes with their COMMIT, in one round trip)."""
    seen = []

    def note(statement):
        statement = " ".join(str(statement).split())
        if statement.upper().startswith(SQL):
            seen.append(statement)

    if ON_POSTGRES:
        with _sent_by_driver(note):
            yield seen
        return
    listener = lambda conn, cursor, statement, *rest: note(statement)  # noqa: E731
    event.listen(services.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", listener)


@contextmanager
def _sent_by_driver(note):
    from psycopg import Cursor

    original = Cursor.execute

    def execute(cursor, query, *args, **kw):
        note(query)
        return original(cursor, query, *args, **kw)

    Cursor.execute = execute
    try:
        yield
    finally:
        Cursor.execute = original


def redeem(services, reference, pin, contact=PHONE):
    return redeem_card(services.uow(), reference, pin, contact, pin_secret=services.settings.card_pin_secret)


def commits(services):
    """A list that counts the commits `services.engine` makes while the context it is used in lasts."""
    seen = []
    event.listen(services.engine, "commit", lambda conn: seen.append(1))
    return seen


# PostgreSQL: the card and the order locked, and what they hold and owe and the lock-outs read, by one query;
# every row the payment writes by a second, sent with the COMMIT (one round trip: the last tests below). SQLite
# (one writer at a time, no data-modifying WITH): the lock and the reads as two queries, then one statement per
# table written.
PAYING = 2 if ON_POSTGRES else 7


def test_a_paying_redemption_asks_the_database_twice_and_commits_once(services, make_batch, clock):
    order = place(services)
    _, (card, *_) = make_batch()
    committed = commits(services)
    with statements(services) as seen:
        assert redeem(services, order.reference, card.pin).paid_now
    assert len(seen) == PAYING, seen
    assert len(committed) == 1
    assert not [s for s in seen if "FROM order_events" in s or "payments.source_ref = " in s]
    stored = reload(services, order.reference)
    assert [e.to_status for e in stored.events] == ["paid", "received"]
    assert (stored.status, stored.paid_at, stored.version) == ("received", clock.at, 2)
    with services.uow() as uow:
        (redemption,) = uow.all(select(Redemption))
    assert [(p.means, p.source_ref, p.amount, p.applied) for p in stored.payments] == [
        ("card", str(redemption.id), 2000, 2000)]


def test_a_partial_redemption_asks_as_little_and_leaves_the_order_row_alone(services, make_batch):
    order = place(services, lines={"extract": 5})  # 40 MAD
    _, (card, *_) = make_batch(value=2000)
    with statements(services) as seen:
        assert redeem(services, order.reference, card.pin).due == 2000
    assert len(seen) == PAYING - (0 if ON_POSTGRES else 2)  # SQLite: no events, no order update
    assert not [s for s in seen if s.startswith("UPDATE")]
    assert reload(services, order.reference).status == "awaiting_payment"


def test_a_redemption_publishes_what_any_payment_publishes(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    redeem(services, order.reference, card.pin)
    assert [(p["from_status"], p["to_status"], p["actor_role"]) for p in outbox(services, "order.status_changed")
            ] == [("awaiting_payment", "paid", "system"), ("paid", "received", "system")]
    assert outbox(services, "payment.received") == [
        {"order_id": order.id, "reference": order.reference, "means": "card", "amount": 2000, "applied": 2000,
         "due": 0}]


def test_a_locked_number_is_told_it_is_locked_even_when_it_mistypes(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    guesses(services, order.reference, 5)
    with pytest.raises(PinLocked):
        redeem(services, order.reference, typo(card.pin))


def test_a_card_locked_while_inactive_stays_locked_once_activated_until_the_lock_ends(services, make_batch, clock):
    order = place(services)
    summary, (card, *_) = make_batch(activate=False)
    for n in range(5):  # five numbers holding the same stolen card
        with pytest.raises(CardNotUsable):
            redeem(services, order.reference, card.pin, contact=f"+2126123456{n:02d}")
    activate_cards(services.uow(), batch_id=summary.batch_id)
    with pytest.raises(PinLocked) as locked:
        redeem(services, order.reference, card.pin, contact="+212612345699")
    assert locked.value.until == clock.at + timedelta(minutes=15)  # from the fifth try
    clock.at = locked.value.until
    assert redeem(services, order.reference, card.pin, contact="+212612345699").paid_now


@pytest.mark.postgres
def test_the_writes_go_with_their_commit_in_one_pipeline_prepared_by_the_protocol(services, make_batch):
    """One round trip: the writes and the COMMIT queued in psycopg's pipeline (sent with one Sync); the writes
    prepared by the protocol (a Parse naming them, which PgBouncer 1.22+ keeps per client), never by SQL."""
    order = place(services)
    _, (card, *_) = make_batch()
    with _sent_with_pipeline() as sent:
        assert redeem(services, order.reference, card.pin).paid_now
    (writes, commit) = sent[-2:]
    assert writes.sql.startswith("WITH w0 AS") and writes.pipelined and writes.prepare is True
    assert commit.sql == "COMMIT" and commit.pipelined
    assert not [s for s in sent if s.sql.upper().startswith(("PREPARE", "EXECUTE", "DEALLOCATE"))], sent
    with _session_of(sent) as session:
        prepared = session.execute("SELECT statement, from_sql FROM pg_prepared_statements").fetchall()
    assert [from_sql for statement, from_sql in prepared if statement.startswith("WITH w0 AS")] == [False]


@pytest.mark.postgres
def test_a_refusal_rolled_back_between_two_redemptions_leaves_the_next_one_paying(services, make_batch):
    """psycopg forgets every statement it prepared after a rollback and deallocates them on the server: the
    writes are prepared again at their next use on that connection, and pay."""
    first, second = place(services), place(services)
    _, (card, other, *_) = make_batch()
    with _one_connection(services), _sent_with_pipeline() as sent:
        assert redeem(services, first.reference, card.pin).paid_now
        with pytest.raises(NothingDue):  # the order paid already: refused after the locking read, rolled back
            redeem(services, first.reference, other.pin)
        with _session_of(sent) as session:
            assert session.execute("SELECT count(*) FROM pg_prepared_statements").fetchone() == (0,)
        assert redeem(services, second.reference, other.pin).paid_now
    writes = [s for s in sent if s.sql.startswith("WITH w0 AS")]
    assert len(writes) == 2 and len({s.backend_pid for s in sent}) == 1 and all(s.prepare for s in writes)
    assert reload(services, second.reference).status == "received"


@contextmanager
def _one_connection(services):
    """Every connection idle in the pool held aside while inside, so that the redemptions share one."""
    aside = [services.engine.connect() for _ in range(services.engine.pool.checkedin())]
    try:
        yield
    finally:
        for connection in aside:
            connection.close()


class _Sent(NamedTuple):
    sql: str
    prepare: object
    pipelined: bool
    backend_pid: int
    connection: object


@contextmanager
def _sent_with_pipeline():
    """Every statement the driver's cursors execute while inside, with `prepare` and whether the connection was
    in pipeline mode (libpq's own status)."""
    from psycopg import Cursor, pq

    original, sent = Cursor.execute, []

    def execute(cursor, query, *args, **kw):
        pgconn = cursor.connection.pgconn
        sent.append(_Sent(" ".join(str(query).split()), kw.get("prepare"),
                          pgconn.pipeline_status != pq.PipelineStatus.OFF, pgconn.backend_pid, cursor.connection))
        return original(cursor, query, *args, **kw)

    Cursor.execute = execute
    try:
        yield sent
    finally:
        Cursor.execute = original


@contextmanager
def _session_of(sent):
    """The server session that ran the writes (idle in the pool now), ended by a COMMIT: a rollback would make
    psycopg deallocate what it prepared."""
    (connection,) = {s.connection for s in sent if s.sql.startswith(("WITH w0 AS", "SELECT held."))}
    try:
        yield connection
    finally:
        connection.commit()
