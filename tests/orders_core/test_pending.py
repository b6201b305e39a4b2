"""Writes decided by apply_payment against an order read by a query of its own, written together: the same rows
any payment writes, and nothing at all when the order changed since it was read."""
import pytest
from sqlalchemy import select

from orders_core.errors import ConcurrentChange
from orders_core.model import Order, OrderEvent, Payment
from orders_core.pending import PendingWrites, held_columns, held_order, write_and_commit, write_at_once
from orders_core.services import apply_payment

from .test_ordering import outbox_topics, place


def hold(uow, reference: str):
    """The order's row as a hot path reads it (with its lock), and a detached order made of it."""
    row = uow.session.execute(select(*held_columns()).where(Order.reference == reference).with_for_update()).one()
    return held_order(row, paid=0)


def write_then_commit(uow, writes):
    write_at_once(uow, writes)
    uow.commit()


# The writes then a commit of their own, or the writes and the COMMIT together (one round trip on PostgreSQL).
WRITERS = pytest.mark.parametrize("write", [write_then_commit, write_and_commit], ids=["then_commit", "with_commit"])


@WRITERS
def test_a_payment_decided_aside_writes_the_rows_any_payment_writes(services, write):
    order = place(services)
    with services.uow() as uow:
        held = hold(uow, order.reference)
        pending = PendingWrites(uow, held)
        outcome = apply_payment(pending, held, held.total, "cash", "till-1")
        write(uow, pending.statements())
    assert outcome.paid_now
    with services.uow() as uow:
        stored = uow.order_by_reference(order.reference, payments=True)
        assert (stored.status, stored.version) == ("received", order.version + 1)
        assert [(p.means, p.source_ref, p.applied) for p in stored.payments] == [("cash", "till-1", order.total)]
        assert [e.to_status for e in uow.all(select(OrderEvent).where(OrderEvent.order_id == order.id))] == [
            "paid", "received"]
    assert outbox_topics(services)[-3:] == ["order.status_changed", "order.status_changed", "payment.received"]


@WRITERS
def test_an_order_changed_since_it_was_read_is_a_concurrent_change_and_nothing_is_written(services, write):
    order = place(services)
    with services.uow() as uow:
        held = hold(uow, order.reference)
        held.version -= 1  # as if another transaction had written the order after this one read it
        pending = PendingWrites(uow, held)
        apply_payment(pending, held, held.total, "cash", "till-2")
        with pytest.raises(ConcurrentChange):
            write(uow, pending.statements())
    with services.uow() as uow:
        assert uow.all(select(Payment).where(Payment.order_id == order.id)) == []
        assert uow.order_by_reference(order.reference).status == "awaiting_payment"
