"""Numbers in reading order in Arabic, checked with an implementation of the Unicode bidirectional algorithm
(python-bidi): references, phone numbers, amounts and barcodes in every Arabic text, and on staff pages."""
from __future__ import annotations

import html
import re
import string

import pytest
from bidi import get_display

from orders_core.references import format_reference
from orders_core.services import place_order, record_payment
from texts import Catalogs
from texts.bidi import isolate_numbers
from web.demo import draft

from .conftest import guarded
from .test_journeys import light_hashes_are_kept, staff

__all__ = ["guarded", "light_hashes_are_kept"]

CATALOGS = Catalogs.load()
VALUES = {"ref": "512 918 855 9", "phone": "+212661000002", "barcode": "RR123456785MA", "amount": "1 240,00",
          "due": "1 240,00", "paid": "20,00", "balance": "7,50", "refs": "512 918 855 9, 261 148 273 5"}


def laid_out(text: str) -> str:
    """What a right-to-left screen shows, left to right, line by line."""
    return "\n".join(get_display(line, base_dir="R") for line in text.split("\n"))


def test_the_bidi_algorithm_does_reverse_a_bare_grouped_reference_in_arabic():
    # The defect this guards against, shown with the same algorithm the tests below rely on.
    assert "9 855 918 512" in laid_out("الطلب 512 918 855 9 مسجل")
    assert "512 918 855 9" in laid_out(isolate_numbers("الطلب 512 918 855 9 مسجل"))


def _names(key: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(CATALOGS.template("ar", key)) if field}


@pytest.mark.parametrize("key", sorted(k for k in CATALOGS.keys("ar") if _names(k) & set(VALUES)))
def test_every_arabic_text_shows_its_numbers_in_reading_order(key):
    names = _names(key)
    shown = [name for name in names if name in VALUES]
    values = {name: VALUES.get(name, "x") for name in names}
    screen = laid_out(CATALOGS.text("ar", key, **values))
    for name in shown:
        for number in re.findall(r"[+]?\d[\d ]*\d", VALUES[name]):
            assert number in screen, (key, name, screen)


def test_a_reference_on_the_arabic_staff_queue_reads_in_order(client, services, guarded):
    order = place_order(services.uow(), services.settings.prices, draft(phone="+212661000002"))
    record_payment(services.uow(), order.reference, order.total, "card", f"card-{order.reference}")
    agent = staff(client, services, "agent-bidi", "agent", order.office_code)
    agent.post("/staff/language", {"lang": "ar"})
    page = agent.page("/staff/queue")
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{format_reference(order.reference)}.*?</tr>", page, re.S).group(0)
    text = re.sub(r"<[^>]+>", " ", row.replace('<bdi dir="ltr">', "\u2066").replace("</bdi>", "\u2069"))
    assert format_reference(order.reference) in laid_out(html.unescape(" ".join(text.split())))


def _grouped_numbers(key: str) -> list[str]:
    """The numbers written in the Arabic template itself (examples such as `1234 1990`), not in its values."""
    written = re.sub(r"\{[^}]*\}", " ", CATALOGS.template("ar", key))
    return re.findall(r"[+#]?\d+(?: \d+)+|#\d+", written)


@pytest.mark.parametrize("key", sorted(k for k in CATALOGS.keys("ar") if _grouped_numbers(k)))
def test_numbers_written_in_an_arabic_text_itself_keep_their_reading_order(key):
    values = {name: VALUES.get(name, "3") for name in _names(key)}
    screen = laid_out(CATALOGS.text("ar", key, **values))
    for number in _grouped_numbers(key):
        assert number in screen, (key, number, screen)
