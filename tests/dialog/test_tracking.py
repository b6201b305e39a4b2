"""Tracking over USSD and SMS: by reference (check digit verified), my orders, stage, expected delivery, late."""
import pytest

from orders_core.references import check_digit, format_reference
from orders_core.services import dispatch_order, place_order, record_payment, take_order
from orders_core.services import create_user
from web.demo import draft

from .conftest import PHONE, guarded

__all__ = ["guarded"]


def placed(services, **changes):
    return place_order(services.uow(), services.settings.prices, draft(phone=PHONE, **changes))


def wrong_digit(reference: str) -> str:
    return reference[:9] + str((int(reference[9]) + 1) % 10)


@pytest.mark.parametrize("message", ["SUIVI {ref}", "STATUS {ref}", "حالة {ref}", "{ref}", "{spaced}",
                                     "fin wsl talab {ref}", "suivi {arabic}"])
def test_an_sms_with_a_reference_gets_the_stage_of_that_order(sms, services, guarded, message):
    order = placed(services)
    arabic = order.reference.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    reply = sms.send(message.format(ref=order.reference, spaced=format_reference(order.reference), arabic=arabic))
    assert format_reference(order.reference) in reply
    assert any(word in reply for word in ("attente de paiement", "waiting for payment", "انتظار الأداء"))


def test_a_mistyped_reference_is_refused_with_check_the_number(sms, services, guarded):
    order = placed(services)
    reply = sms.send(f"SUIVI {wrong_digit(order.reference)}")
    assert "incorrect" in reply and "Numéro de la demande" in reply
    assert format_reference(order.reference) in sms.send(order.reference)


UNKNOWN = "999999999" + check_digit("999999999")  # well formed, no such order


def test_a_well_formed_reference_of_no_order_is_told_apart_from_a_mistyped_one(sms, services, guarded):
    order = placed(services)
    assert "Aucune demande ne correspond" in sms.send(f"SUIVI {UNKNOWN}")
    mistyped = sms.send(f"SUIVI {wrong_digit(order.reference)}")
    assert "incorrect" in mistyped and "Aucune demande" not in mistyped


def test_paying_asks_again_for_a_reference_of_no_order_or_a_mistyped_one(sms, services, guarded):
    order = placed(services)
    assert "Quelle demande payer" in sms.send("PAYER")
    assert "Aucune demande ne correspond" in sms.send(UNKNOWN)
    mistyped = sms.send(wrong_digit(order.reference))
    assert "incorrect" in mistyped and "Aucune demande" not in mistyped


def test_tracking_over_ussd_by_reference_and_among_my_orders(ussd, services, guarded):
    order = placed(services)
    record_payment(services.uow(), order.reference, order.total, "card", "c1")
    ussd.dial()
    ussd.press("1", "3", "1")
    assert "incorrect" in ussd.press(wrong_digit(order.reference))
    shown = ussd.press(order.reference)
    assert shown.startswith("END ") and "transmise au bureau" in shown and "Livraison prévue vers le" in shown
    ussd.dial()
    assert format_reference(order.reference) in ussd.press("3", "2")
    assert "transmise au bureau" in ussd.press("1")


def test_a_late_order_says_so_and_a_dispatched_one_gives_its_barcode(sms, services, clock, guarded):
    order = placed(services)
    record_payment(services.uow(), order.reference, order.total, "card", "c1")
    clock.advance(days=10)
    assert "en retard" in sms.send(f"SUIVI {order.reference}")
    agent = create_user(services.uow(), "agent1", "Agent", "x", "agent", office_code="42101").as_actor()
    take_order(services.uow(), order.id, agent)
    from orders_core.services import advance_order
    advance_order(services.uow(), order.id, "ready", agent)
    dispatch_order(services.uow(), order.id, "RR123456785MA", agent)
    reply = sms.send(f"SUIVI {order.reference}")
    assert "RR123456785MA" in reply and "recommandé" in reply and "retard" not in reply


def test_my_orders_when_there_are_none(ussd, guarded):
    ussd.dial()
    assert "Aucune demande" in ussd.press("1", "3", "2")
