"""The staff view for all-day use, in a real Chromium: pages that refresh on their own, finding an order by its
reference, a refused form that says what it expects and keeps what was typed, the cover sheet's addressee, charts
with nothing or next to nothing to draw, Arabic labels that cannot be mistaken for one another."""
import re

import pytest
from playwright.sync_api import expect

from orders_core.references import format_reference
from orders_core.services import (
    add_escalation_message, advance_order, dispatch_order, open_escalation, take_order,
)

from .conftest import CITIZEN, screenshot
from .test_browser import console_errors, log_in  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OTHER_CITIZEN = "+212698765432"


@pytest.fixture
def quick_refresh(browser_page):
    """Pages refresh their live parts every second instead of every ten."""
    browser_page.add_init_script("window.shubbakRefreshSeconds = 1;")
    return browser_page


def test_support_s_inbox_shows_a_new_conversation_without_a_reload(services, people, world, quick_refresh,
                                                                     console_errors):
    page = quick_refresh
    log_in(page, "support")
    page.goto("/staff/escalations")
    assert page.locator(f"#inbox-live >> text={OTHER_CITIZEN}").count() == 0
    open_escalation(services.uow(), OTHER_CITIZEN, channel="whatsapp", language="ar", reason="asked_for_human",
                    phone=OTHER_CITIZEN, text="أريد التحدث مع موظف")
    expect(page.locator(f"#inbox-live >> text={OTHER_CITIZEN}")).to_have_count(1, timeout=10_000)
    assert console_errors == []


def test_a_conversation_shows_the_citizen_s_new_words_and_keeps_the_reply_being_typed(
        services, people, world, quick_refresh, console_errors):
    page = quick_refresh
    log_in(page, "support")
    page.goto(f"/staff/escalations/{world.escalation.id}")
    assert page.title().startswith(f"Conversation avec {CITIZEN}")
    page.fill("#reply-text", "Bonjour, je regarde votre dossier")
    add_escalation_message(services.uow(), world.escalation.id, "in", CITIZEN, "Vous êtes là ?")
    expect(page.locator("#transcript")).to_contain_text("Vous êtes là ?", timeout=10_000)
    assert page.input_value("#reply-text") == "Bonjour, je regarde votre dossier"
    screenshot(page, "support-conversation-refreshed")
    assert console_errors == []


@pytest.mark.parametrize("username", ["agent", "supervisor"])
def test_agents_and_supervisors_find_an_order_by_its_reference(services, people, world, browser_page, username,
                                                               console_errors):
    page = browser_page
    log_in(page, username)
    page.fill("#find-ref", format_reference(world.own.reference))
    page.click("#find")
    assert page.locator("#reference").inner_text() == format_reference(world.own.reference)
    page.goto("/staff/queue")
    page.fill("#find-ref", world.foreign.reference)  # another office's: not found here, and still in the box
    page.click("#find")
    assert "Aucune demande de référence" in page.locator(".flash.error").inner_text()
    assert page.input_value("#find-ref") == world.foreign.reference
    assert console_errors == []


def test_a_refused_barcode_says_what_a_barcode_is_and_keeps_what_was_typed(services, people, world, browser_page,
                                                                          console_errors):
    page = browser_page
    log_in(page, "agent")
    page.goto(f"/staff/orders/{world.own.id}")
    page.click("#take")
    page.click("#advance-ready")
    page.fill("#barcode-input", "RR12345678MA")
    page.click("#dispatch")
    flash = page.locator(".flash.error").inner_text()
    assert "2 lettres, 9 chiffres, 2 lettres" in flash and "barcode" not in flash
    assert page.input_value("#barcode-input") == "RR12345678MA"
    screenshot(page, "agent-barcode-refused")


def test_the_cover_sheet_names_the_addressee(services, people, world, browser_page):
    page = browser_page
    log_in(page, "agent")
    page.goto(f"/staff/orders/{world.own.id}/cover")
    assert page.locator("#addressee").inner_text() == "Salma El Amrani"
    screenshot(page, "cover-sheet-addressee")


def test_the_inspector_s_charts_draw_minutes_as_short_bars_and_nothing_as_nothing(services, people, world, clock,
                                                                                   browser_page, console_errors):
    page = browser_page
    log_in(page, "inspector")
    page.goto("/staff/inspection")
    screenshot(page, "inspection-nothing-yet")
    clock.advance(minutes=3)  # taken three minutes after it arrived: 0.05 hours
    take_order(services.uow(), world.own.id, people["agent"].as_actor())
    page.reload()
    widths = [float(w) for w in page.locator("svg.chart rect.bar").evaluate_all(
        "bars => bars.map(bar => bar.getAttribute('width'))")]
    full = 640 - 160 - 60
    assert widths and max(widths) < full / 10, widths
    assert all(re.fullmatch(r"< 0\.1|0\.\d|\d+\.\d", text) for text in page.locator(
        "svg.chart text.value").all_text_contents())
    screenshot(page, "inspection-minutes")
    assert console_errors == []


def test_in_arabic_a_returned_order_does_not_read_like_its_reference_column(services, people, world, browser_page,
                                                                           console_errors):
    agent = people["agent"].as_actor()
    take_order(services.uow(), world.own.id, agent)
    advance_order(services.uow(), world.own.id, "ready", agent)
    dispatch_order(services.uow(), world.own.id, "RR123456785MA", agent)
    advance_order(services.uow(), world.own.id, "returned", agent)
    page = browser_page
    log_in(page, "supervisor")
    page.click("button[name=lang][value=ar]")
    page.goto("/staff/queue?stage=returned")
    heading = page.locator("#queue thead th").first.inner_text()
    label = page.locator(f'tr[data-reference="{world.own.reference}"] td').nth(1).inner_text()
    assert heading == "المرجع" and label.strip() == "أعيد إلى المرسل"
    screenshot(page, "queue-returned-ar")
    assert console_errors == []
