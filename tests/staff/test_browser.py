"""The staff view in a real Chromium: an agent's journey, a support reply reaching the citizen, a card batch,
the Arabic view right to left, and screenshots of the main pages (artifacts/screenshots/, not committed)."""
import bootstrap
import csv
import re

import pytest
from sqlalchemy import select

from channels.senders import ConsoleSender
from jobs import notifications as notification_jobs
from notifications import Notification
from orders_core.model import Order
from orders_core.references import format_reference
from payments_sms.model import Card

from .conftest import CITIZEN, PASSWORD, paid_order, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def console_errors(browser_page):
    """Errors the page logs (a script failing, a resource the security policy blocked)."""
    errors = []
    browser_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    browser_page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def log_in(page, username: str) -> None:
    page.goto("/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit] >> text=Se connecter")
    page.wait_for_load_state()


def test_an_agent_takes_advances_and_dispatches_an_order(services, people, world, browser_page, console_errors):
    page = browser_page
    page.goto("/staff/queue")
    assert "/staff/login" in page.url
    screenshot(page, "login")
    log_in(page, "agent")
    assert page.url.endswith("/staff/queue?stage=") or page.url.endswith("/staff/queue")
    assert page.locator(f'tr[data-reference="{world.own.reference}"]').count() == 1
    screenshot(page, "agent-queue")
    page.click(f'tr[data-reference="{world.own.reference}"] a')
    assert page.locator("#reference").inner_text() == format_reference(world.own.reference)
    page.click("#take")
    assert "Demande prise en charge." in page.locator(".flash").inner_text()
    page.click("#advance-ready")
    page.fill("#barcode-input", "RR123456785MA")
    screenshot(page, "agent-order")
    page.click("#dispatch")
    assert page.locator("#barcode").inner_text() == "RR123456785MA"
    with page.context.expect_page() as cover:
        page.click("text=Fiche de couverture à imprimer")
    cover.value.wait_for_load_state()
    assert format_reference(world.own.reference) in cover.value.locator(".big-ref").inner_text()
    screenshot(cover.value, "cover-sheet")
    with services.uow() as uow:
        order = uow.get(Order, world.own.id)
        assert (order.status, order.barcode) == ("dispatched", "RR123456785MA")
    assert console_errors == []


def test_a_support_reply_reaches_the_citizen_s_phone(services, people, world, browser_page, console_errors):
    phone = ConsoleSender()
    bootstrap.wire(services, sms_senders={"console": phone})
    page = browser_page
    log_in(page, "support")
    screenshot(page, "support-inbox")
    page.click(f"text={CITIZEN}")
    page.fill("#reply-text", "Bonjour, votre acte part demain par recommandé.")
    page.click("#send-reply")
    assert "Réponse envoyée au citoyen." in page.locator(".flash").inner_text()
    assert "votre acte part demain" in page.locator("#transcript").inner_text()
    screenshot(page, "support-conversation")
    for _ in range(3):  # what the periodic tick does: dispatch the outbox, then run the queued jobs
        services.enqueue(notification_jobs.dispatch_outbox)
        services.drain()
    assert [m["to"] for m in phone.sent if "votre acte part demain" in m["text"]] == [CITIZEN]
    with services.uow() as uow:
        sent = uow.all(select(Notification).where(Notification.recipient == CITIZEN,
                                                  Notification.text.contains("votre acte part demain")))
    assert [m.status for m in sent] == ["sent"]
    assert console_errors == []


def test_finance_generates_a_card_batch_and_activates_it(services, people, browser_page, tmp_path, console_errors):
    page = browser_page
    log_in(page, "finance")
    page.goto("/staff/finance/cards")
    page.select_option("select[name=value]", "2000")
    page.fill("input[name=size]", "5")
    with page.expect_download() as download:
        page.click("#generate-batch")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(csv.reader(saved.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 6 and all(re.fullmatch(r"\d{4} \d{4} \d{4} \d{3}", row[1]) for row in rows[1:])
    batch_id = re.search(r"batch-(\d+)", saved.name).group(1)
    page.reload()
    assert page.locator(f'tr[data-batch="{batch_id}"] td.printed').inner_text() == "5"
    page.fill("#activate-batch", batch_id)
    page.click("#activate-cards")
    assert page.locator(f'tr[data-batch="{batch_id}"] td.active').inner_text() == "5"
    screenshot(page, "finance-cards")
    with services.uow() as uow:
        assert {card.status for card in uow.all(select(Card).where(Card.batch_id == int(batch_id)))} == {"active"}
    assert console_errors == []


def test_the_arabic_view_reads_right_to_left(services, people, world, browser_page, console_errors):
    page = browser_page
    log_in(page, "agent")
    page.click("button[name=lang][value=ar]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.getAttribute('dir')") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('main h1')).direction") == "rtl"
    assert page.locator("main h1").inner_text() == "طلبات المكتب"
    screenshot(page, "agent-queue-ar")
    page.click("button[name=lang][value=en]")
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert console_errors == []


MAIN_PAGES = {
    "supervisor": ["/staff/workload", "/staff/orders/{own}"],
    "inspector": ["/staff/inspection", "/staff/complaints"],
    "support": ["/staff/lookup?q=0612345678", "/staff/complaints"],
    "finance": ["/staff/finance", "/staff/finance/reconciliation"],
    "admin": ["/staff/admin/users", "/staff/admin/offices", "/staff/admin/offices/42101"],
}


@pytest.mark.parametrize("username", sorted(MAIN_PAGES))
def test_the_main_pages_render_without_errors(services, people, world, clock, browser_page, console_errors,
                                              username):
    clock.advance(hours=1)
    paid_order(services)
    page = browser_page
    log_in(page, username)
    for path in MAIN_PAGES[username]:
        response = page.goto(path.format(own=world.own.id))
        assert response.status == 200, path
        assert page.locator("main h1").count() == 1
        name = re.sub(r"[^a-z0-9]+", "-", path.removeprefix("/staff/").split("?")[0]).strip("-")
        screenshot(page, f"{username}-{name}")
    assert console_errors == []
