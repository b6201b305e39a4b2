"""The day's reconciliation: every amount from the records, and every record that does not add up."""
from datetime import date

import pytest
from sqlalchemy import delete, insert, select, update

from orders_core.orm import orders, payments
from payments_sms import (
    apply_delivery_report, bill_charge, confirm_premium_payment, reconcile_day, redeem_card, start_premium_payment,
)
from payments_sms.orm import card_redemptions, premium_charges
from payments_sms.console import ConsolePremiumSender

from .conftest import PHONE, place

DAY = date(2026, 11, 23)


def pay_by_sms(services, short_code, order, reports):
    """Quote, YES, then each billed message reported as `reports` says (succeeded/failed), one after the other."""
    sender, billed = ConsolePremiumSender(), []
    start_premium_payment(services.uow(), order.reference, PHONE, "link-1", short_code)
    charge_id = confirm_premium_payment(services.uow(), PHONE, "link-2")
    for status in reports:
        message_id = bill_charge(services.uow(), sender, services.catalogs, charge_id).provider_message_id
        billed.append(message_id)
        charge_id = apply_delivery_report(services.uow(), message_id, status, "InsufficientCredit").next_charge_id
    return billed


@pytest.fixture
def busy_day(services, short_code, make_batch):
    """25 MAD by premium SMS (5 MAD becomes credit), a stopped payment, a 20 MAD order: 5 of credit, 15 by card."""
    paid_by_sms = place(services, lines={"extract": 2})  # 25 MAD: three billed messages
    paid_by_sms.billed = pay_by_sms(services, short_code, paid_by_sms, ["succeeded"] * 3)
    stopped = place(services, phone="+212698765432")
    pay_by_sms(services, short_code, stopped, ["succeeded", "failed"])
    _, (card, *_) = make_batch(value=5000)
    redeem_card(services.uow(), place(services).reference, card.pin, PHONE,
                pin_secret=services.settings.card_pin_secret)
    return paid_by_sms


def test_the_day_adds_up_by_short_code_status_and_means(services, busy_day):
    report = reconcile_day(services.uow(), DAY)
    assert report.charges == [("1919", "failed", 1, 1000), ("1919", "succeeded", 4, 4000)]
    assert report.payments_by_means == [("card", 1, 1500), ("credit", 1, 500), ("premium_sms", 4, 4000)]
    assert report.cards_redeemed == (1, 1500)
    assert report.orders_paid == (2, 4500)
    assert (report.credits_issued, report.credits_used) == (500, 500)
    assert report.mismatches == []


def test_another_day_is_empty(services, busy_day):
    report = reconcile_day(services.uow(), date(2026, 11, 24))
    assert (report.charges, report.payments_by_means, report.orders_paid) == ([], [], (0, 0))


def test_a_succeeded_charge_without_its_payment_and_a_paid_order_short_of_its_total_are_named(services,
                                                                                               busy_day):
    first = busy_day.billed[0]
    with services.engine.begin() as conn:
        conn.execute(delete(payments).where(payments.c.source_ref == first))
    mismatches = reconcile_day(services.uow(), DAY).mismatches
    assert any(first in m and "without a matching payment" in m for m in mismatches)
    assert any(busy_day.reference in m and "apply 15 of 25" in m for m in mismatches)


def test_a_payment_with_no_charge_or_no_redemption_behind_it_is_named(services, busy_day):
    with services.engine.begin() as conn:
        order_id = conn.execute(orders.select().limit(1)).first().id
        for means, ref in (("premium_sms", "ATPid_forged"), ("card", "999999")):
            conn.execute(insert(payments).values(order_id=order_id, means=means, source_ref=ref, amount=1000,
                                                 applied=0, at=services.clock()))
        conn.execute(update(premium_charges).where(premium_charges.c.status == "failed").values(amount=1000))
    mismatches = reconcile_day(services.uow(), DAY).mismatches
    assert any("ATPid_forged" in m for m in mismatches) and any("999999" in m for m in mismatches)


def test_the_reconcile_command_prints_the_day_and_fails_on_a_mismatch(app, services, busy_day):
    runner = app.test_cli_runner()
    good = runner.invoke(args=["reconcile", "--day", "2026-11-23"])
    assert good.exit_code == 0, good.output
    assert "1919 succeeded 4 40" in good.output and "card value redeemed: 1 redemptions, 15 MAD" in good.output
    assert "mismatches: 0" in good.output
    with services.engine.begin() as conn:
        conn.execute(delete(payments).where(payments.c.means == "card"))
    bad = runner.invoke(args=["reconcile", "--day", "2026-11-23"])
    assert bad.exit_code == 1 and "mismatches: 2" in bad.output and "card redemption" in bad.output
    assert "is paid but its payments apply 5 of 20 MAD" in bad.output


def test_a_card_payment_naming_no_redemption_by_its_number_is_named(services, busy_day):
    with services.engine.begin() as conn:
        order_id = conn.execute(orders.select().limit(1)).first().id
        redemption_id = conn.execute(select(card_redemptions.c.id)).scalar()
        for ref in ("card-7", f"0{redemption_id}"):  # not a number; a number spelled unlike the redemption's id
            conn.execute(insert(payments).values(order_id=order_id, means="card", source_ref=ref, amount=1000,
                                                 applied=0, at=services.clock()))
    mismatches = reconcile_day(services.uow(), DAY).mismatches
    assert sorted(m for m in mismatches if "names redemption" in m) == sorted(
        f"card payment {i} names redemption {ref}, which does not exist"
        for i, ref in _payment_refs(services, ("card-7", f"0{redemption_id}")))


def _payment_refs(services, refs):
    with services.engine.connect() as conn:
        return list(conn.execute(select(payments.c.id, payments.c.source_ref)
                                 .where(payments.c.source_ref.in_(refs)).order_by(payments.c.id)))


def overspend(services, card_id: int, order_id: int, amount: int, at) -> None:
    with services.engine.begin() as conn:
        conn.execute(insert(card_redemptions).values(card_id=card_id, order_id=order_id, amount=amount,
                                                     contact_key="k" * 64, channel="sms", at=at))


def test_a_card_spent_beyond_its_value_is_named_on_the_days_it_was_redeemed(services, busy_day):
    with services.engine.begin() as conn:
        card_id, order_id = conn.execute(select(card_redemptions.c.card_id, card_redemptions.c.order_id)).first()
    overspend(services, card_id, order_id, 4000, services.clock())  # 15 + 40 MAD of a 50 MAD card
    named = [m for m in reconcile_day(services.uow(), DAY).mismatches if "more than its" in m]
    later = [m for m in reconcile_day(services.uow(), date(2026, 11, 30)).mismatches if "more than its" in m]
    assert len(named) == 1 and "paid 55 MAD, more than its 50" in named[0]
    assert later == []  # a day on which the card was not used does not list it again
