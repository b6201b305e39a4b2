"""A whole citizen journey in the phone simulator, in a real Chromium, in French and in Arabic: a USSD order, a
premium payment finished in the sandbox, a second order paid by card, tracking on WhatsApp, an agent who takes and
dispatches the order in the staff view (and from the agent's phone), and every notification on its channel.
Screenshots go to artifacts/screenshots/ for a person to look at. Here, beside the staff view's browser tests, to
share their one Chromium (a session's Playwright can be started only once)."""
import re

import pytest
from playwright.sync_api import expect

from jobs import notifications as notification_jobs
from orders_core.references import parse_reference
from tests.web.sandbox_helpers import BackgroundWorker, wire_sandbox
from web import demo

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BARCODE = "RR123456785MA"
REFERENCE = re.compile(r"\d{3} \d{3} \d{3} \d")
# Per language: the phone, the USSD answers from the first dial to the summary, and the words typed by SMS.
JOURNEYS = {
    "fr": dict(phone="+212612340101", ussd=("1", "1", "2", "rabat", "1", "1234 1990", "El Amrani, Salma", "1",
                                            "Rabat, 12 rue Oued Sebou, Agdal"),
               pay="PAYER {ref}", yes="OUI", card="CARTE {ref} {pin}", track="SUIVI {ref}", ready="#4821 PRET {ref}"),
    "ar": dict(phone="+212612340102", ussd=("2", "1", "2", "الرباط", "1", "1234 1990", "El Amrani, Salma", "1",
                                            "Rabat, 12 rue Oued Sebou, Agdal"),
               pay="ادفع {ref}", yes="نعم", card="بطاقة {ref} {pin}", track="تتبع {ref}", ready="#4821 جاهز {ref}"),
}


@pytest.fixture
def app(services):
    from app import create_app

    return create_app({"services": wire_sandbox(services, report_delay=0.3)})


@pytest.fixture
def worker(services):
    running = BackgroundWorker(services)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def demo_world(app, services):
    """The demo's staff (demo-agent has a phone) and cards."""
    demo.seed(services)
    return [pin for _, pin, left in demo.demo_cards(services, demo.card_pins(services)) if left == 10_000]


@pytest.fixture
def context(chromium, live_server):
    made = chromium.new_context(base_url=live_server, viewport={"width": 1280, "height": 1000})
    yield made
    made.close()


def ussd(page, *answers) -> str:
    """Dial, then type each answer once the screen shows the previous one; the last screen."""
    shown = expect(page.locator("#screen"))
    with page.expect_response("**/simulator/ussd"):
        page.click("#dial")
    shown.to_have_attribute("aria-busy", "false")
    for answer in answers:
        page.fill("#ussd-input", answer)
        with page.expect_response("**/simulator/ussd"):
            page.press("#ussd-input", "Enter")
        shown.to_have_attribute("aria-busy", "false")
    return page.locator("#screen").inner_text()


def send(page, pane: str, text: str) -> None:
    page.fill(f"#{pane}-text", text)
    with page.expect_response(f"**/simulator/{'sms' if pane in ('sms', 'agent') else pane}"):
        page.press(f"#{pane}-text", "Enter")


def arrived(page, thread: str, kind: str, containing: str = "", timeout: float = 30_000):
    """The message of this kind (a notification's kind, or reply, premium...) that arrives in the thread."""
    found = page.locator(f"#{thread} li[data-kind={kind}]", has_text=containing).last
    found.wait_for(timeout=timeout)
    return found


def reference_in(text: str) -> str:
    return parse_reference(REFERENCE.search(text).group(0))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_whole_journey_shows_every_message_on_its_channel(services, clock, demo_world, worker, context, lang):
    journey, pin = JOURNEYS[lang], demo_world[0]
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"/simulator/?lang={lang}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    page.fill("#phone", journey["phone"])

    # 1. An order over USSD: the transcript keeps every screen; the last one gives the reference.
    placed = ussd(page, *journey["ussd"], "1")
    ref = reference_in(placed)
    expect(page.locator("#ussd-transcript li")).to_have_count(2 * (len(journey["ussd"]) + 2))
    arrived(page, "sms-thread", "order_placed")
    screenshot(page, f"simulator-{lang}-1-ussd-order")

    # 2. Paid by premium SMS: the quote, YES, three billed messages reported by the sandbox through the webhook.
    send(page, "sms", journey["pay"].format(ref=ref))
    arrived(page, "sms-thread", "reply")
    send(page, "sms", journey["yes"])
    arrived(page, "sms-thread", "payment_complete")
    expect(page.locator("#sms-thread li[data-kind=premium]")).to_have_count(3)
    screenshot(page, f"simulator-{lang}-2-premium-paid")

    # 3. A second order (the earlier one repeated over USSD), paid with a demo card by SMS.
    second = reference_in(ussd(page, "2", "1", "1"))
    send(page, "sms", journey["card"].format(ref=second, pin=pin))
    arrived(page, "sms-thread", "payment_complete", containing=_grouped(second))
    screenshot(page, f"simulator-{lang}-3-card-paid")

    # 4. Tracking on WhatsApp: the answer comes in the WhatsApp chat.
    send(page, "whatsapp", journey["track"].format(ref=ref))
    answer = page.locator("#whatsapp-thread li.out").first
    answer.wait_for()
    assert _grouped(ref) in answer.inner_text()

    # 5. The agent: the digest on the agent's phone, the order taken in the staff view, READY from the phone,
    # dispatched in the staff view with its barcode.
    clock.advance(minutes=services.settings.agent_digest_minutes + 1)
    services.enqueue(notification_jobs.agent_digests)
    arrived(page, "agent-thread", "agent_digest", containing=_grouped(ref))
    desk = context.new_page()
    desk.set_default_timeout(20_000)
    _log_in(desk, "demo-agent")
    desk.fill("#find-ref", _grouped(ref))
    desk.click("#find")
    desk.click("#take")
    send(page, "agent", journey["ready"].format(ref=ref))
    arrived(page, "agent-thread", "reply", containing=_grouped(ref))
    desk.reload()
    desk.fill("#barcode-input", BARCODE)
    desk.click("#dispatch")
    assert desk.locator("#barcode").inner_text() == BARCODE
    screenshot(desk, f"simulator-{lang}-4-staff-dispatched")

    # 6. The citizen now writes on WhatsApp: the dispatch notice, with its barcode, arrives there, not by SMS.
    dispatched = arrived(page, "whatsapp-thread", "order_dispatched")
    assert BARCODE in dispatched.inner_text()
    assert page.locator("#sms-thread li[data-kind=order_dispatched]").count() == 0
    assert _scrolled_to_the_end(page, "whatsapp-thread") and _scrolled_to_the_end(page, "sms-thread")
    screenshot(page, f"simulator-{lang}-5-whatsapp-dispatched")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(page, f"simulator-{lang}-6-phone-390px")


def _grouped(reference: str) -> str:
    return f"{reference[:3]} {reference[3:6]} {reference[6:9]} {reference[9]}"


def _scrolled_to_the_end(page, thread: str) -> bool:
    return page.locator(f"#{thread}").evaluate("list => list.scrollHeight - list.scrollTop - list.clientHeight < 4")


def _log_in(page, username: str) -> None:
    page.goto("/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]:not([name=lang])")
    page.wait_for_load_state()
