"""Staff accounts, orders and a logged-in test client for the staff view; a live server and Chromium for browsers."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from orders_core.services import create_user, file_complaint, open_escalation, place_order, record_payment
from web.demo import draft

PASSWORD = "a long staff password"
OFFICE, NEIGHBOUR_OFFICE, FOREIGN_OFFICE = "42101", "42102", "14101"  # Rabat Agdal-Riyad, Rabat Hassan; Casablanca
PROVINCE, FOREIGN_PROVINCE = "421", "141"
CITIZEN = "+212612345678"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
# username: (role, office, province)
ACCOUNTS = {
    "agent": ("agent", OFFICE, None), "agent2": ("agent", OFFICE, None), "supervisor": ("supervisor", OFFICE, None),
    "inspector": ("inspector", None, PROVINCE), "support": ("support", None, None),
    "finance": ("finance", None, None), "admin": ("admin", None, None),
    "foreign-agent": ("agent", FOREIGN_OFFICE, None), "foreign-inspector": ("inspector", None, FOREIGN_PROVINCE),
}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def password_hash():
    """An argon2id hash with light parameters, so that the many logins of these tests stay quick."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@pytest.fixture(autouse=True)
def light_hashes_are_kept(monkeypatch):
    # A login would otherwise rehash the light test hash with the real parameters (tested on its own).
    monkeypatch.setattr("staff.auth.needs_rehash", lambda password_hash: False)


@pytest.fixture
def people(services, password_hash) -> dict:
    """One account per role at Rabat Agdal-Riyad (the inspector: Rabat's province), and two from Casablanca."""
    return {name: create_user(services.uow(), name, name.replace("-", " ").title(), password_hash, role,
                              office_code=office, province_code=province, phone=None)
            for name, (role, office, province) in ACCOUNTS.items()}


def paid_order(services, office: str = OFFICE, **changes):
    """A placed and fully paid order, received at `office`."""
    order = place_order(services.uow(), services.settings.prices, draft(office_code=office, **changes))
    record_payment(services.uow(), order.reference, order.total, "card", f"card-{order.reference}")
    return order


@dataclass
class World:
    """What the access tests act upon: orders here, next door and far away; complaints; a conversation."""

    own: object
    neighbour: object
    foreign: object
    production_complaint: object
    foreign_complaint: object
    support_complaint: object
    escalation: object


@pytest.fixture
def world(services, people) -> World:
    own, neighbour, foreign = (paid_order(services, office) for office in (OFFICE, NEIGHBOUR_OFFICE, FOREIGN_OFFICE))
    complaint = lambda order, category: file_complaint(  # noqa: E731
        services.uow(), CITIZEN, category, "Toujours rien reçu", language="fr", channel="sms",
        order_reference=order.reference, phone=CITIZEN)
    escalation = open_escalation(services.uow(), CITIZEN, channel="sms", language="fr", reason="asked_for_human",
                                 phone=CITIZEN, text="Je veux parler à quelqu'un", order_id=own.id)
    return World(own, neighbour, foreign, complaint(own, "late"), complaint(foreign, "late"),
                 complaint(own, "payment"), escalation)


class StaffClient:
    """A test client that logs in as a staff member and sends the CSRF token with every form, as a browser does."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def login(self, username: str, password: str = PASSWORD):
        response = self.client.post("/staff/login", data={"username": username, "password": password,
                                                          "csrf_token": self.token()})
        self._token = None  # a login starts a fresh session, with a fresh token
        return response

    def token(self) -> str:
        """The session's CSRF token, read from a page once (reading it shows the page's pending messages)."""
        if self._token is None:
            page = self.client.get("/staff/login").get_data(as_text=True)
            self._token = _TOKEN.search(page).group(1)
        return self._token

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, data={**(data or {}), "csrf_token": self.token()}, **kwargs)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def desk(client) -> StaffClient:
    return StaffClient(client)


@pytest.fixture
def logged_in(app, people):
    """A function giving a StaffClient logged in as the named account (each with its own cookies)."""
    def login(username: str) -> StaffClient:
        desk = StaffClient(app.test_client())
        assert desk.login(username).status_code == 302
        return desk
    return login


# Browser tests: a real HTTP server in a thread, and Debian's Chromium driven by Playwright.

@pytest.fixture
def live_server(app):
    """The app served over HTTP on 127.0.0.1 (a free port), for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="staff-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright; the browser tests are skipped, saying why, when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}: install Debian's chromium (apt-get install chromium) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context (no cookies) and page, pointed at the live server."""
    context = chromium.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                   accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Keep a screenshot of the page as a test artifact (artifacts/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
