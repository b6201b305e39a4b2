"""Paying an order with a prepaid card: what it pays, what stays on the card, what is refused and why."""
import pytest
from sqlalchemy import func, select

from orders_core.errors import BadCheckDigit, OrderNotFound
from orders_core.references import to_ascii_digits
from payments_sms import (
    CardEmpty, CardNotUsable, NothingDue, PinCheckNumber, WrongPin, block_cards, redeem_card,
)
from payments_sms.model import PinFailure, Redemption
from payments_sms.pins import format_pin

from .conftest import PHONE, place, reload, unknown_pin


def redeem(services, reference, pin, contact=PHONE, **options):
    return redeem_card(services.uow(), reference, pin, contact, pin_secret=services.settings.card_pin_secret,
                       **options)


def failures(services) -> int:
    with services.uow() as uow:
        return uow.scalar(select(func.count()).select_from(PinFailure))


def typo(pin: str) -> str:
    """The same PIN with one digit mistyped (the check digit then no longer matches)."""
    return pin[:3] + str((int(pin[3]) + 1) % 10) + pin[4:]


def test_a_card_worth_the_order_pays_it_and_is_left_empty(services, make_batch):
    order = place(services)  # 20 MAD
    _, (card, *_) = make_batch(value=2000)
    paid = redeem(services, order.reference, card.pin)
    assert (paid.amount, paid.card_balance, paid.due, paid.paid_now) == (2000, 0, 0, True)
    stored = reload(services, order.reference)
    assert stored.status == "received"
    assert [(p.means, p.amount, p.applied) for p in stored.payments] == [("card", 2000, 2000)]


def test_the_remainder_stays_on_the_card_for_a_later_order(services, make_batch):
    first, second = place(services), place(services, lines={"extract": 3})  # 20 MAD, then 30 MAD
    _, (card, *_) = make_batch(value=5000)
    assert redeem(services, first.reference, card.pin).card_balance == 3000
    later = redeem(services, second.reference, format_pin(card.pin))  # typed in groups, as printed
    assert (later.amount, later.card_balance, later.paid_now) == (3000, 0, True)
    with pytest.raises(CardEmpty):
        redeem(services, place(services).reference, card.pin)


def test_a_card_smaller_than_the_order_pays_part_and_the_rest_stays_due(services, make_batch):
    order = place(services, lines={"extract": 5})  # 40 MAD
    _, (card, other, *_) = make_batch(value=2000)
    first = redeem(services, order.reference, card.pin)
    assert (first.amount, first.card_balance, first.due, first.paid_now) == (2000, 0, 2000, False)
    assert reload(services, order.reference).status == "awaiting_payment"
    second = redeem(services, order.reference, other.pin)
    assert (second.due, second.paid_now) == (0, True)


def test_a_card_never_pays_more_than_the_order_owes_so_nothing_becomes_credit(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch(value=10000)
    assert redeem(services, order.reference, card.pin).card_balance == 8000
    with pytest.raises(NothingDue):
        redeem(services, order.reference, card.pin)
    with services.uow() as uow:
        assert uow.credit_balance(PHONE) == 0
        assert uow.scalar(select(func.sum(Redemption.amount))) == 2000


def test_eastern_arabic_digits_are_read_like_western_ones(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    eastern = card.pin.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert to_ascii_digits(eastern) == card.pin
    assert redeem(services, order.reference, eastern).paid_now


@pytest.mark.parametrize("mangle", [typo, lambda pin: pin[:-1], lambda pin: pin + "1",
                                    lambda pin: pin[:5] + pin[6] + pin[5] + pin[7:], lambda pin: "abc"],
                         ids=["one digit wrong", "a digit short", "a digit more", "neighbours swapped", "letters"])
def test_a_mistyped_pin_is_told_to_check_the_number_and_never_counted(services, make_batch, mangle):
    order = place(services)
    _, (card, *_) = make_batch()
    if mangle(card.pin) == card.pin:
        pytest.skip("the swapped neighbours are equal digits")
    with pytest.raises(PinCheckNumber) as refused:
        redeem(services, order.reference, mangle(card.pin))
    assert refused.value.code == "check_number"
    assert failures(services) == 0


def test_a_well_formed_pin_of_no_card_is_counted_as_a_wrong_guess(services, make_batch):
    order = place(services)
    make_batch()
    with pytest.raises(WrongPin) as refused:
        redeem(services, order.reference, unknown_pin())
    assert refused.value.code == "wrong_pin" and refused.value.locked_until is None
    assert failures(services) == 1


def test_a_mistyped_order_reference_is_refused_before_the_pin_is_looked_at(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    wrong = order.reference[:-1] + str((int(order.reference[-1]) + 1) % 10)
    with pytest.raises(BadCheckDigit):
        redeem(services, wrong, unknown_pin())
    with pytest.raises(OrderNotFound):
        redeem(services, _other_valid_reference(order.reference), card.pin)
    assert failures(services) == 0


def _other_valid_reference(reference: str) -> str:
    from orders_core.references import check_digit
    head = "8" + reference[1:9] if reference[0] != "8" else "7" + reference[1:9]
    return head + check_digit(head)


@pytest.mark.parametrize("state", ["printed", "blocked", "expired"])
def test_a_right_pin_of_a_card_that_cannot_pay_is_refused_and_counted_against_its_serial(
        services, make_batch, clock, state):
    order = place(services)
    summary, (card, *_) = make_batch(activate=state != "printed")
    if state == "blocked":
        block_cards(services.uow(), "reported stolen", first=card.serial)
    if state == "expired":
        clock.advance(days=services.settings.card_validity_days + 1)
        order = place(services)
    with pytest.raises(CardNotUsable) as refused:
        redeem(services, order.reference, card.pin)
    assert refused.value.reason == {"printed": "inactive"}.get(state, state)
    with services.uow() as uow:
        assert [(f.scope, f.key) for f in uow.all(select(PinFailure))] == [("serial", card.serial)]
        assert uow.scalar(select(func.count()).select_from(Redemption)) == 0


def test_a_paid_order_takes_nothing_from_the_card(services, make_batch):
    order = place(services)
    _, (card, other, *_) = make_batch()
    redeem(services, order.reference, card.pin)
    with pytest.raises(NothingDue) as refused:
        redeem(services, order.reference, other.pin)
    assert refused.value.code == "nothing_due"
    with services.uow() as uow:
        assert uow.scalar(select(func.count()).select_from(Redemption)) == 1


def test_someone_else_may_pay_an_order_and_the_redemption_keeps_no_phone_number(services, make_batch):
    order = place(services)
    _, (card, *_) = make_batch()
    redeem(services, order.reference, card.pin, contact="+33612345678", channel="whatsapp")
    with services.uow() as uow:
        (redemption,) = uow.all(select(Redemption))
    assert redemption.channel == "whatsapp" and "612345678" not in redemption.contact_key
    assert len(redemption.contact_key) == 64
