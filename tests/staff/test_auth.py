"""Logging in and out: argon2id passwords, the lock-out after repeated failures, the idle timeout, the cookie."""
import pytest

from settings import Settings
from staff.access import safe_next
from staff.passwords import needs_rehash, verify_password
from staff.web import cookie_config

from .conftest import PASSWORD


def test_a_good_password_opens_the_role_s_first_page(desk, people):
    response = desk.login("agent")
    assert response.status_code == 302 and response.location.endswith("/staff/queue")
    assert "Agent" in desk.page("/staff/queue")


@pytest.mark.parametrize(("username", "home"), [
    ("supervisor", "/staff/queue"), ("inspector", "/staff/inspection"), ("support", "/staff/escalations"),
    ("finance", "/staff/finance"), ("admin", "/staff/admin/users"),
])
def test_each_role_lands_on_its_own_page(desk, people, username, home):
    assert desk.login(username).location.endswith(home)
    assert desk.get("/staff/").location.endswith(home)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(desk, people):
    wrong_password = desk.login("agent", "not the password")
    unknown_name = desk.login("nobody-here", "not the password")
    assert wrong_password.status_code == unknown_name.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in wrong_password.get_data(as_text=True)
    assert desk.get("/staff/queue").location.startswith("/staff/login")


def test_five_failures_lock_the_account_even_against_the_right_password(desk, people):
    answers = [desk.login("agent", "wrong").status_code for _ in range(5)]
    assert answers == [401] * 5
    locked = desk.login("agent", PASSWORD)
    assert locked.status_code == 429
    assert "bloqué" in locked.get_data(as_text=True)
    assert desk.get("/staff/queue").location.startswith("/staff/login")


def test_the_lock_is_lifted_after_fifteen_minutes(desk, people, clock):
    for _ in range(5):
        desk.login("agent", "wrong")
    clock.advance(minutes=14, seconds=59)
    assert desk.login("agent", PASSWORD).status_code == 429
    clock.advance(seconds=2)
    assert desk.login("agent", PASSWORD).status_code == 302


def test_the_lock_holds_for_one_account_only(desk, people):
    for _ in range(5):
        desk.login("agent", "wrong")
    assert desk.login("agent2", PASSWORD).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(desk, people, clock):
    for _ in range(4):
        desk.login("agent", "wrong")
    clock.advance(minutes=16)
    assert desk.login("agent", "wrong").status_code == 401
    assert desk.login("agent", PASSWORD).status_code == 302


def test_a_good_login_clears_earlier_failures(desk, people):
    for _ in range(4):
        desk.login("agent", "wrong")
    assert desk.login("agent", PASSWORD).status_code == 302
    for _ in range(4):
        assert desk.login("agent", "wrong").status_code == 401


def test_the_session_ends_after_the_idle_time(logged_in, clock, settings):
    desk = logged_in("agent")
    clock.advance(minutes=settings.session_idle_minutes - 1)
    assert desk.get("/staff/queue").status_code == 200  # activity restarts the idle time
    clock.advance(minutes=settings.session_idle_minutes - 1)
    assert desk.get("/staff/queue").status_code == 200
    clock.advance(minutes=settings.session_idle_minutes, seconds=1)
    response = desk.get("/staff/queue")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
    clock.advance(seconds=1)
    assert desk.get("/staff/queue").location.startswith("/staff/login")


def test_a_page_refreshing_itself_does_not_keep_an_idle_session_open(logged_in, clock, settings):
    desk = logged_in("support")
    for _ in range(3):
        clock.advance(minutes=settings.session_idle_minutes // 2)
        refreshed = desk.get("/staff/escalations", headers={"X-Shubbak-Refresh": "1"})
    assert refreshed.status_code == 302 and refreshed.location.startswith("/staff/login")


def test_logging_out_ends_the_session(logged_in):
    desk = logged_in("agent")
    assert desk.post("/staff/logout").location.endswith("/staff/login")
    assert desk.get("/staff/queue").location.startswith("/staff/login")


def test_a_disabled_account_is_logged_out_at_its_next_request(logged_in, services, people):
    desk = logged_in("agent")
    with services.uow() as uow:
        uow.get(type(people["agent"]), people["agent"].id).active = False
        uow.commit()
    assert desk.get("/staff/queue").location.startswith("/staff/login")
    assert desk.login("agent").status_code == 401


def test_after_login_the_visitor_returns_to_the_page_they_asked_for(desk, people, world):
    asked = f"/staff/orders/{world.own.id}"
    assert desk.get(asked).location == f"/staff/login?next={asked}"
    response = desk.client.post("/staff/login", data={"username": "agent", "password": PASSWORD, "next": asked,
                                                      "csrf_token": desk.token()})
    assert response.location == asked


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/staff/", "/elsewhere", "/staff\\..",
                                    "javascript:alert(1)", ""])
def test_the_next_page_stays_inside_the_staff_view(target):
    assert safe_next(target, "/staff/queue") == "/staff/queue"


def test_the_session_cookie_is_http_only_and_same_site(desk, people):
    cookie = desk.login("agent").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP outside production


def test_the_session_cookie_is_secure_in_production():
    production = Settings(env="production")
    assert cookie_config(production)["SESSION_COOKIE_SECURE"] is True
    assert cookie_config(Settings(env="development"))["SESSION_COOKIE_SECURE"] is False


def test_staff_pages_are_neither_framed_nor_cached(logged_in):
    headers = logged_in("agent").get("/staff/queue").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_a_login_upgrades_a_hash_made_with_weaker_parameters(desk, people, services, monkeypatch):
    monkeypatch.undo()  # the real rehash check
    weak = people["agent"].password_hash
    assert desk.login("agent").status_code == 302
    with services.uow() as uow:
        stored = uow.get(type(people["agent"]), people["agent"].id).password_hash
    assert stored != weak and stored.startswith("$argon2id$") and verify_password(stored, PASSWORD)
    assert not needs_rehash(stored)


def _copied(desk, app):
    """Another browser holding a copy of this session's cookie (as a thief or a shared computer would)."""
    from .conftest import StaffClient
    thief = StaffClient(app.test_client())
    cookie = desk.client.get_cookie("shubbak_staff")
    thief.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert thief.get("/staff/queue").status_code == 200  # the copy works while the session lives
    return thief


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(logged_in, app):
    desk = logged_in("agent")
    thief = _copied(desk, app)
    desk.post("/staff/logout")
    assert thief.get("/staff/queue").location.startswith("/staff/login")


def test_logging_out_ends_every_session_of_the_account(logged_in):
    office, home = logged_in("agent"), logged_in("agent")
    office.post("/staff/logout")
    assert home.get("/staff/queue").location.startswith("/staff/login")


@pytest.mark.parametrize("change", [{"password": "a brand new password"}, {"active": "0"}],
                         ids=["new-password", "disabled"])
def test_a_password_change_or_disabling_ends_every_session_of_the_account(logged_in, app, people, change):
    desk = logged_in("agent")
    thief = _copied(desk, app)
    logged_in("admin").post(f"/staff/admin/users/{people['agent'].id}", {
        "role": "agent", "office_code": "42101", "language": "fr", "active": "1", **change})
    assert desk.get("/staff/queue").location.startswith("/staff/login")
    assert thief.get("/staff/queue").location.startswith("/staff/login")
