"""What a card redemption asks of the database, and that the cheaper path refuses as before: the lock-outs of
the contact and of the card read in one query, the order's history never read, a card locked while inactive
still locked once activated, a locked number told so even when it mistypes."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from payments_sms import CardNotUsable, PinLocked, activate_cards, redeem_card

from .conftest import PHONE, place, reload
from .test_lockout import guesses
from .test_redemption import typo

SQL = ("SELECT", "INSERT", "UPDATE", "DELETE")


@contextmanager
def statements(services):
    """The SQL statements run while inside (BEGIN, COMMIT and pings left out)."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(SQL):
            seen.append(" ".join(statement.split()))

    event.listen(services.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", note)


def redeem(services, reference, pin, contact=PHONE):
    return redeem_card(services.uow(), reference, pin, contact, pin_secret=services.settings.card_pin_secret)


def test_a_redemption_reads_four_times_once_for_lock_outs_never_for_history_and_writes_the_order_once(
        services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    with statements(services) as seen:
        assert redeem(services, order.reference, card.pin).paid_now
    reads = [s for s in seen if s.startswith("SELECT")]
    # The card, the lock-outs, the order with its payments, the card's spent value; the payment's source is the
    # redemption just recorded, so it is not looked up as a possible duplicate.
    assert len(reads) == 4, reads
    assert not [s for s in reads if "payments.source_ref = " in s]
    assert len([s for s in reads if "FROM pin_failures" in s]) == 1
    assert not [s for s in reads if "FROM order_events" in s]
    written = [s.split()[2] if s.startswith("INSERT") else s.split()[1] for s in seen if s not in reads]
    assert sorted(set(written)) == ["card_redemptions", "order_events", "orders", "outbox", "payments"]
    assert written.count("orders") == 1  # paid, then received: one write
    assert [e.to_status for e in reload(services, order.reference).events] == ["paid", "received"]


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
