"""What a card redemption asks of the database, and that the cheaper path refuses as before: the lock-outs of
the contact and of the card read in one query, the order's history never read, a card locked while inactive
still locked once activated, a locked number told so even when it mistypes."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from payments_sms import CardNotUsable, PinLocked, activate_cards, redeem_card
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
# every row the payment writes by a second, sent with the COMMIT (one round trip). SQLite (one writer at a time, no data-modifying WITH): the lock and
# the reads as two queries, then one statement per table written.
PAYING = 2 if ON_POSTGRES else 7


def test_a_paying_redemption_asks_the_database_twice_and_commits_once(services, make_batch, clock):
    order = place(services)
    _, (card, *_) = make_batch()
    committed = commits(services)
    with statements(services) as seen:
        assert redeem(services, order.reference, card.pin).paid_now
    assert len(seen) == PAYING, seen
    assert len(committed) == 1
    if ON_POSTGRES:  # the writes and the COMMIT in one round trip
        assert seen[-1].endswith("; COMMIT"), seen[-1]
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
def test_a_paying_redemption_prepares_nothing_on_the_server(services, make_batch):
    """Behind PgBouncer in transaction pooling (docs/scaling.md) a statement prepared by SQL (PREPARE, EXECUTE)
    may meet another server session at its next use: the writes are sent unprepared, twice running on a
    connection, and a refusal's rollback in between changes nothing."""
    sent = []
    with _sent_by_driver(lambda statement: sent.append(" ".join(str(statement).split()))):
        for _ in range(2):
            order = place(services)
            _, (card, *_) = make_batch()
            assert redeem(services, order.reference, card.pin).paid_now
    assert not [s for s in sent if s.upper().startswith(("PREPARE", "EXECUTE", "DEALLOCATE"))], sent
    assert [s for s in sent if s.endswith("; COMMIT")] and all(
        s.upper().startswith("WITH") for s in sent if s.endswith("; COMMIT")), sent
