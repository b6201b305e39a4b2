"""Racing redemptions of one card: it never pays more than its value, whatever the interleaving."""
import threading

import pytest
from sqlalchemy import func, select

from orders_core.model import Order, Payment
from payments_sms import CardEmpty, redeem_card
from payments_sms.model import Redemption

from .conftest import ON_POSTGRES, place

pytestmark = pytest.mark.slow


def race(services, references, pin, contacts):
    """One thread per reference, each with its own unit of work, released together; returns outcomes in order."""
    start, outcomes = threading.Barrier(len(references)), [None] * len(references)

    def attempt(i):
        start.wait()
        try:
            outcomes[i] = redeem_card(services.uow(), references[i], pin, contacts[i],
                                      pin_secret=services.settings.card_pin_secret)
        except Exception as exc:  # every outcome is collected and asserted below
            outcomes[i] = exc
    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(references))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def sums(services):
    with services.uow() as uow:
        redeemed = uow.scalar(select(func.coalesce(func.sum(Redemption.amount), 0)))
        paid = uow.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.means == "card"))
        orders_paid = uow.scalar(select(func.count()).select_from(Order).where(Order.status == "received"))
        return redeemed, paid, orders_paid


@pytest.mark.parametrize("racers", [50 if ON_POSTGRES else 12])
def test_fifty_racing_redemptions_of_one_20_mad_card_pay_exactly_one_order(services, make_batch, racers):
    orders = [place(services, phone=f"+2126123{n:05d}") for n in range(racers)]  # 20 MAD each
    _, (card, *_) = make_batch(value=2000, size=1)
    outcomes = race(services, [o.reference for o in orders], card.pin, [o.requester_phone for o in orders])
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1 and (won[0].amount, won[0].card_balance, won[0].paid_now) == (2000, 0, True)
    assert all(isinstance(e, CardEmpty) and e.code == "card_empty" for e in lost), {type(e) for e in lost}
    assert sums(services) == (2000, 2000, 1)


@pytest.mark.parametrize("racers", [50 if ON_POSTGRES else 12])
def test_a_50_mad_card_raced_by_20_mad_orders_pays_two_and_a_half_orders(services, make_batch, racers):
    orders = [place(services, phone=f"+2126124{n:05d}") for n in range(racers)]
    _, (card, *_) = make_batch(value=5000, size=1)
    outcomes = race(services, [o.reference for o in orders], card.pin, [o.requester_phone for o in orders])
    won = sorted((o.amount for o in outcomes if not isinstance(o, Exception)), reverse=True)
    assert won == [2000, 2000, 1000]
    assert all(isinstance(o, CardEmpty) for o in outcomes if isinstance(o, Exception))
    assert sums(services) == (5000, 5000, 2)
