"""The demo a newcomer gets from `seed-demo`: its books reconcile, its printed cards pay, its numbers are printed."""
import re

from payments_sms import reconcile_day, redeem_card
from payments_sms.wiring import lockout_policy
from web import demo


def seeded(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_day_reconciles_without_a_single_discrepancy(app, services):
    seeded(app)
    day = services.clock().date()
    report = reconcile_day(services.uow(), day, services.settings.timezone)
    assert report.mismatches == []
    assert report.orders_paid[0] == 7  # every sample order past payment
    # Six paid by the demo's cards; the returned one by the credit the rejected one left.
    assert dict((means, (n, amount)) for means, n, amount in report.payments_by_means)["card"] == (6, 6 * 2500)
    assert report.cards_redeemed == (6, 6 * 2500) and report.credits_issued == report.credits_used == 2500


def test_seed_demo_prints_active_cards_whose_pins_pay_and_prints_them_again_on_a_second_run(app, services):
    output = seeded(app)
    printed = re.findall(r"card\s+(\d{12})\s+PIN ([\d ]+?)\s+([\d.]+) MAD left", output)
    assert [left for _, _, left in printed] == ["50.00", "100.00", "100.00", "100.00", "100.00"]
    assert printed == re.findall(r"card\s+(\d{12})\s+PIN ([\d ]+?)\s+([\d.]+) MAD left", seeded(app))
    order = demo.place_order(services.uow(), services.settings.prices, demo.draft(phone=demo.FRESH_PHONE))
    paid = redeem_card(services.uow(), order.reference, printed[-1][1], demo.FRESH_PHONE,
                       pin_secret=services.settings.card_pin_secret, policy=lockout_policy(services.settings))
    assert paid.paid_now and paid.card_balance == 10_000 - order.total


def test_seed_demo_prints_the_demo_numbers(app):
    output = seeded(app)
    assert f"citizen    {demo.DEMO_PHONE}" in output and demo.FRESH_PHONE in output
    assert re.search(r"agent      \+2126\d{8} ", output)
