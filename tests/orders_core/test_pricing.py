"""Prices from configuration, in centimes, with their breakdown."""
import pytest

from orders_core.errors import InvalidInput
from orders_core.pricing import PriceList
from settings import Settings

PRICES = PriceList(base=1000, per_copy={"extract": 500, "full_copy": 700}, postage={"MA": 500, "abroad": 3000},
                   minimum=2000)


def test_one_copy_in_morocco_costs_the_minimum_of_20_mad():
    quote = PRICES.quote({"extract": 1}, "MA")
    assert (quote.base, quote.copies, quote.postage, quote.top_up, quote.total) == (1000, 500, 500, 0, 2000)


def test_ten_plus_ten_copies_abroad():
    quote = PRICES.quote({"extract": 10, "full_copy": 10}, "abroad")
    assert quote.total == 1000 + 10 * 500 + 10 * 700 + 3000 == 16000


def test_a_small_order_is_topped_up_to_the_minimum():
    cheap = PriceList(base=500, per_copy={"extract": 200, "full_copy": 200}, postage={"MA": 300, "abroad": 900})
    quote = cheap.quote({"extract": 1}, "MA")
    assert quote.top_up == 1000 and quote.total == 2000


def test_prices_come_from_the_environment():
    settings = Settings.from_env({"SHUBBAK_FEE_BASE": "1500", "SHUBBAK_POSTAGE_ABROAD": "4000"})
    assert settings.prices.quote({"full_copy": 2}, "abroad").total == 1500 + 2 * 500 + 4000


@pytest.mark.parametrize("lines,zone,field", [
    ({}, "MA", "lines"), ({"extract": 0}, "MA", "lines"), ({"extract": 11}, "MA", "lines.extract"),
    ({"extract": -1}, "MA", "lines.extract"), ({"extract": "2"}, "MA", "lines.extract"),
    ({"passport": 1}, "MA", "lines.passport"), ({"extract": 1}, "mars", "zone"), ({"extract": True}, "MA", "lines.extract"),
])
def test_bad_lines_and_zones_name_the_field(lines, zone, field):
    with pytest.raises(InvalidInput) as caught:
        PRICES.quote(lines, zone)
    assert field in caught.value.problems


def test_one_function_writes_dirhams_for_every_citizen_text():
    from dialog import formats
    from notifications import policy
    from orders_core.money import mad
    from payments_sms import money
    assert formats.mad is policy.mad is money.mad is mad
    assert (mad(2500, "fr"), mad(2550, "fr"), mad(2505, "en"), mad(0, "ar")) == ("25", "25,50", "25.05", "0")
