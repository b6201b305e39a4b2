"""A move stores its event without reading the order's history, and the history reads as before: at once when
it was in memory before the move, from the database when it is read after it."""
from sqlalchemy import event

from orders_core.lifecycle import Status
from orders_core.services import order_for_reference, record_payment
from orders_core.services.ordering import SYSTEM, move

from .test_ordering import place, reload


def history_reads(services, work) -> int:
    """How many times `work()` read an order's history from the database."""
    reads = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM order_events" in statement:
            reads.append(statement)

    event.listen(services.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(services.engine, "before_cursor_execute", note)
    return len(reads)


def test_paying_a_stored_order_moves_it_twice_without_reading_its_history(services):
    order = place(services)
    assert history_reads(services, lambda: record_payment(services.uow(), order.reference, order.total, "card",
                                                          "card-1")) == 0
    assert [e.to_status for e in reload(services, order.reference).events] == ["paid", "received"]


def test_a_history_in_memory_shows_a_move_at_once(services):
    order = place(services)
    with services.uow() as uow:
        stored = order_for_reference(uow, order.reference, lock=True)
        assert stored.events == []
        move(uow, stored, Status.CANCELLED, SYSTEM)
        assert [e.to_status for e in stored.events] == ["cancelled"]


def test_a_history_read_after_a_move_includes_it(services):
    order = place(services)
    with services.uow() as uow:
        stored = order_for_reference(uow, order.reference, lock=True)
        move(uow, stored, Status.CANCELLED, SYSTEM, "unpaid")
        assert [(e.to_status, e.note) for e in stored.events] == [("cancelled", "unpaid")]
        uow.commit()
    assert [e.to_status for e in reload(services, order.reference).events] == ["cancelled"]
