"""A returning citizen repeats an earlier order for the same holder in at most five USSD screens."""
from orders_core.services import place_order
from web.demo import draft

from .conftest import PHONE, guarded, orders

__all__ = ["guarded"]


def test_repeating_an_earlier_order_takes_at_most_five_screens(ussd, services, guarded):
    place_order(services.uow(), services.settings.prices, draft(phone=PHONE, lines={"extract": 1}))
    ussd.dial()
    ussd.press("1")  # French, once for this number
    ussd.dial()
    ussd.screens.clear()
    ussd.dial()
    assert "EL AMRANI Salma" in ussd.press("2")
    summary = ussd.press("1")
    assert "Total" in summary and "Rabat-Agdal-Riyad" in summary
    placed = ussd.press("1")
    assert placed.startswith("END ") and len(ussd.screens) <= 5
    first, again = orders(services)
    assert again.reference != first.reference
    for field in ("office_code", "act_number", "record_year", "family_name_latin", "first_name_latin",
                  "delivery_address", "delivery_zone", "total", "requester_relation"):
        assert getattr(again, field) == getattr(first, field), field
    assert again.copies == first.copies and again.channel == "ussd"


def test_the_copies_can_be_changed_before_repeating(ussd, services, guarded):
    place_order(services.uow(), services.settings.prices, draft(phone=PHONE, lines={"extract": 1}))
    ussd.dial()
    ussd.press("1", "2", "1", "2", "5", "1", "3")
    ussd.press("1")
    assert orders(services)[-1].copies == {"extract": 3}


def test_nothing_to_repeat_for_a_new_number(ussd, guarded):
    ussd.dial()
    assert "Aucune commande précédente" in ussd.press("1", "2")


def test_the_office_offered_again_is_named_as_the_record_office_even_after_a_reassignment(ussd, services, guarded):
    from sqlalchemy import update

    from dialog.formats import office_label
    from orders_core import queries
    from orders_core.orm import orders as orders_table
    first = place_order(services.uow(), services.settings.prices, draft(phone=PHONE, lines={"extract": 1}))
    with services.uow() as uow:
        record_office = queries.office(uow, first.record_office_code)
        other = queries.office(uow, next(o.code for o in queries.active_offices(uow) if o.code != first.record_office_code))
        record_name, other_name = office_label(record_office, "fr"), office_label(other, "fr")
    with services.engine.begin() as conn:  # a supervisor moved the work to another office
        conn.execute(update(orders_table).where(orders_table.c.id == first.id).values(office_code=other.code))
    ussd.dial()
    ussd.press("1")  # French, once for this number
    ussd.dial()
    office_screen = ussd.press("1", "1")  # order, one extract: the office screen offers the last one first
    assert record_name in office_screen and other_name not in office_screen


def test_a_long_saved_address_is_offered_in_short_and_the_address_screen_stays_one_screen(ussd, services, guarded):
    from orders_core.model import Delivery
    address = "حي الرياض، زنقة واد سبو، العمارة 12، الطابق الثالث، الشقة 7، قرب مسجد النور"
    place_order(services.uow(), services.settings.prices,
                draft(phone=PHONE, delivery=Delivery(zone="MA", country="MA", address=address, city="الرباط")))
    ussd.dial()
    ussd.press("2")  # Arabic, once for this number
    ussd.dial()
    ussd.press("1", "1", "1", "1234 1990", "El Amrani, Salma", "1")  # to the delivery address's first screen
    choices = ussd.press("98")  # its second and last screen: the saved address in short, and abroad
    assert "1 الرباط, حي الرياض" in choices and "..." in choices and "\n98 " not in choices, choices
    ussd.press("1", "1")  # the saved address taken, the order confirmed
    assert len(orders(services)) == 2 and orders(services)[-1].delivery_address == address  # whole, shown short
