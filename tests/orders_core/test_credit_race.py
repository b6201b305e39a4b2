"""Orders from one account placed at the same moment: its credit is spent once, whatever the interleaving."""
import threading

import pytest
from sqlalchemy import event, func, select

from orders_core.model import CreditEntry
from orders_core.services import credit_statement, grant_credit, place_order
from web.demo import draft

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PHONE = "+212612345678"  # the account of web.demo's draft
RACERS = 8


def race(services, racers: int) -> list:
    """One thread per order, each with its own unit of work, released together; returns orders or errors."""
    start, outcomes = threading.Barrier(racers), [None] * racers

    def attempt(i):
        start.wait()
        try:
            outcomes[i] = place_order(services.uow(), services.settings.prices, draft(lines={"extract": 1}))
        except Exception as exc:  # every outcome is collected and asserted below
            outcomes[i] = exc
    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def spent(services) -> int:
    with services.uow() as uow:
        return -uow.scalar(select(func.coalesce(func.sum(CreditEntry.amount), 0))
                           .where(CreditEntry.account == PHONE, CreditEntry.amount < 0))


@pytest.mark.parametrize("rounds", [5])
def test_orders_racing_for_one_credit_spend_it_once(services, rounds):
    total = 2000  # one extract, 20 MAD
    for _ in range(rounds):  # the window is short: several rounds so a lost race shows
        grant_credit(services.uow(), PHONE, total, "goodwill")
        outcomes = race(services, RACERS)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert credit_statement(services.uow(), PHONE).balance == 0
    assert spent(services) == rounds * total
    paid = [o for o in outcomes if o.status == "received"]
    assert len(paid) == 1


def lock_statements(services, work) -> list[str]:
    """The advisory-lock statements `work()` sent, with their parameters."""
    sent = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "pg_advisory" in statement:
            sent.append(f"{statement} {parameters}")

    event.listen(services.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(services.engine, "before_cursor_execute", note)
    return sent


def test_only_an_order_with_credit_takes_the_account_lock_and_never_sends_the_number(services):
    order = lambda: place_order(services.uow(), services.settings.prices, draft(lines={"extract": 1}))
    assert lock_statements(services, order) == []  # no credit: the hot path pays nothing extra
    grant_credit(services.uow(), PHONE, 500, "goodwill")
    locks = lock_statements(services, order)
    assert len(locks) == 1 and PHONE[-6:] not in locks[0]
    assert credit_statement(services.uow(), PHONE).balance == 0
