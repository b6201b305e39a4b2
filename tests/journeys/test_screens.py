"""Screens as they travel: a first USSD order in at most 12 screens, a repeat in at most 5, in every language and
with octet-sized paging; an SMS order in fewer round trips, each reply one segment (two in Arabic); references
in Arabic replies in reading order (checked with a bidi algorithm implementation)."""
from __future__ import annotations

import pytest
from bidi import get_display

from orders_core.references import format_reference
from texts import count

from .conftest import Sms, Ussd, guarded, number
from tests.dialog.conftest import orders

__all__ = ["guarded"]

LANGUAGE_KEY = {"fr": "1", "ar": "2", "en": "3"}
# The common first order: one summary extract, the requester is the holder, delivery in Morocco.
FIRST_ORDER = ("1", "1", "rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal")


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_first_ussd_order_takes_at_most_12_screens_and_a_repeat_at_most_5(lang, client, services, guarded):
    ussd = Ussd(client, number())
    ussd.dial()  # the language screen
    ussd.press(LANGUAGE_KEY[lang], *FIRST_ORDER)
    placed = ussd.press("1")
    [order] = orders(services)
    assert format_reference(order.reference) in placed  # the reference, on the first screen of the last answer
    assert len(ussd.screens) <= 12, ussd.screens
    assert (order.copies, order.requester_relation, order.delivery_zone) == ({"extract": 1}, "self", "MA")
    assert (order.delivery_city, order.delivery_address) == ("Rabat", "12 rue Oued Sebou, Agdal")

    ussd.screens.clear()
    ussd.dial()  # the menu, in the language chosen
    ussd.press("2", "1")  # repeat, the first holder: the summary
    placed, both = ussd.press("1"), orders(services)
    assert len(both) == 2 and format_reference(next(o for o in both if o.id != order.id).reference) in placed
    assert len(ussd.screens) <= 5, ussd.screens


def test_a_second_order_offers_the_last_office_and_address_at_one_keystroke(client, services, guarded):
    ussd = Ussd(client, number())
    ussd.dial()
    ussd.press("1", *FIRST_ORDER, "1")
    ussd.dial()
    assert "1 Rabat-Agdal-Riyad" in ussd.press("1", "3")  # order, one full copy: the office of last time
    assert "1 Rabat, 12 rue Oued Sebou" in ussd.press("1", "88 1985", "El Amrani, Karim", "2")
    ussd.press("1", "1")
    second = orders(services)[-1]
    assert (second.office_code, second.delivery_address, second.requester_relation) == (
        orders(services)[0].office_code, "12 rue Oued Sebou, Agdal", "parent")


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_an_sms_order_takes_fewer_round_trips_than_ussd_and_each_reply_fits_its_segments(lang, client, services,
                                                                                           guarded):
    sms = Sms(client, services, number())
    sms.send({"fr": "COMMANDE", "en": "ORDER", "ar": "طلب"}[lang])
    for text in FIRST_ORDER[1:]:
        sms.send(text)
    sms.send("1")
    [order] = orders(services)
    assert order.language == lang and order.channel == "sms"
    assert len(sms.replies) < 11  # the USSD order's answers
    most = 2 if lang == "ar" else 1
    costly = [(count(r).segments, r) for r in sms.replies if count(r).segments > most]
    assert not costly, costly
    paged = [r for r in sms.replies if "\n98 " in r]
    assert not paged, paged  # no USSD paging over SMS


def test_a_reference_in_an_arabic_sms_reads_in_order_once_laid_out_right_to_left(client, services, guarded):
    sms = Sms(client, services, number())
    sms.send("طلب")
    for text in FIRST_ORDER[1:]:
        sms.send(text)
    placed = sms.send("1")
    shown = format_reference(orders(services)[0].reference)
    laid_out = get_display(placed, base_dir="R")
    assert shown in laid_out  # not "9 855 918 512" for "512 918 855 9"
    assert shown[::-1] not in laid_out


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_help_on_ussd_is_a_screen_with_a_way_back_never_the_end_of_the_session(lang, client, services, guarded):
    ussd = Ussd(client, number())
    ussd.dial()
    ussd.press(LANGUAGE_KEY[lang])
    shown = ussd.press("6")
    assert shown.startswith("CON ") and "00 " in shown
    assert services.catalogs.text(lang, "dialog.menu.order") in ussd.press("00")
