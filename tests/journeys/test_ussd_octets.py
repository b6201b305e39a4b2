"""Every USSD screen fits 160 octets in the encoding it travels in (issue 14, point 1).

Every text the dialog can put on a USSD screen (the dialog's and payments' catalogs, every step's prompt with its
choices) is rendered in each language with the longest realistic values, cut into screens by channels.ussd, and
each screen measured: at most 182 GSM-7 characters (extension characters counting two), at most 80 characters
once any character is outside GSM-7. French and English screens never need UCS-2.
"""
from __future__ import annotations

import string

import pytest

from channels import ussd
from channels.message import Reply
from dialog.flows.menu import MAIN
from dialog.flows.order import DOCUMENT_CHOICES, RELATIONS
from texts import GSM7, Catalogs, count

CATALOGS = Catalogs.load()
LONGEST = {
    "ref": "261 148 273 5", "amount": "1 240,00", "due": "1 240,00", "paid": "1 240,00", "price": "12,50",
    "balance": "1 240,00", "credit": "7,50", "total": "1 240,00", "base": "10", "copies": "100", "postage": "30",
    "count": "10", "date": "21/11/2026", "time": "14:30", "short_code": "1919", "barcode": "RR123456789MA",
    "office": "Casablanca-Hay Mohammadi-Ain Sebaa", "documents": "Extrait x10, Copie intégrale x10",
    "act": "12345678", "year": "1410 H", "name": "EL KHATTABI Abdelouahed", "place": "Casablanca (FR)",
    "serial": "PC-2026-0012345", "phone": "+2126****5678", "text": "", "refs": "261 148 273 5",
    "step": "12", "days": "5", "reason": "", "method": "", "documents_count": "2",
}
SCREEN_AREAS = ("dialog.", "payments.", "common.")


def _menus(lang: str) -> list[Reply]:
    say = lambda key: CATALOGS.text(lang, key)  # noqa: E731
    numbered = lambda labels: tuple((str(n), label) for n, label in enumerate(labels, 1))  # noqa: E731
    return [
        Reply(say("dialog.menu.title"), options=numbered(say(key) for key, _, _ in MAIN)),
        Reply(say("dialog.order.document"), options=numbered(say(key) for key, _ in DOCUMENT_CHOICES)),
        Reply(say("dialog.order.relation"), options=numbered(say(f"dialog.relation.{r}") for r in RELATIONS)),
    ]


def _texts(lang: str) -> list[Reply]:
    found = []
    for key in sorted(CATALOGS.keys(lang)):
        if key.startswith(SCREEN_AREAS):
            template = CATALOGS.template(lang, key)
            names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
            found.append(Reply(CATALOGS.text(lang, key, **{n: LONGEST.get(n, "x" * 20) for n in names})))
    return found


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_ussd_screen_fits_160_octets_in_its_encoding(lang):
    more = CATALOGS.text(lang, "dialog.nav.more")
    for reply in _menus(lang) + _texts(lang):
        for screen in ussd.screens(reply, more):
            body = ussd.screen(screen)
            assert body == (screen.text or "..."), "a screen had to be cut by render"
            assert ussd.octets(body) <= 160, (lang, body)
            if lang != "ar":
                assert count(body).encoding == GSM7, (lang, body)


def test_the_arabic_main_menu_is_within_80_characters_per_page_and_ordering_is_on_the_first():
    menu = _menus("ar")[0]
    pages = ussd.screens(menu, CATALOGS.text("ar", "dialog.nav.more"))
    assert len(pages) > 1 and all(len(page.text) <= 80 for page in pages)
    assert "1 " + CATALOGS.text("ar", "dialog.menu.order") in pages[0].text
