"""The administrator: accounts (create, role, office, phone, disable) and offices (create, edit, service level)."""
from orders_core import queries
from orders_core.model import Office
from orders_core.services import search_offices

from .conftest import NEIGHBOUR_OFFICE, PASSWORD, StaffClient


def account(services, username):
    with services.uow() as uow:
        return queries.user_by_username(uow, username)


NEW_AGENT = {"username": "nadia.b", "display_name": "Nadia B.", "role": "agent", "office_code": "42101",
             "phone": "0661234567", "language": "ar", "password": PASSWORD}


def test_an_administrator_creates_an_account_that_can_log_in(services, people, logged_in, app):
    desk = logged_in("admin")
    desk.post("/staff/admin/users", NEW_AGENT)
    created = account(services, "nadia.b")
    assert (created.role, created.office_code, created.province_code, created.phone, created.language) == (
        "agent", "42101", "421", "+212661234567", "ar")
    assert created.password_hash.startswith("$argon2id$")
    newcomer = StaffClient(app.test_client())
    assert newcomer.login("nadia.b").location.endswith("/staff/queue")
    assert '<html lang="ar" dir="rtl">' in newcomer.page("/staff/queue")


def test_an_account_needs_a_real_password_and_an_office_for_office_roles(services, people, logged_in):
    desk = logged_in("admin")
    desk.post("/staff/admin/users", {**NEW_AGENT, "password": "short"})
    desk.post("/staff/admin/users", {**NEW_AGENT, "office_code": ""})
    assert account(services, "nadia.b") is None
    page = desk.page("/staff/admin/users")
    assert "Un mot de passe compte au moins 10 caractères." in page
    assert "Bureau : le code d&#39;un bureau existant (les agents et les superviseurs en ont un)." in page


def test_an_administrator_moves_an_agent_to_another_office_and_role(services, people, logged_in):
    agent = people["agent"]
    logged_in("admin").post(f"/staff/admin/users/{agent.id}", {
        "role": "supervisor", "office_code": NEIGHBOUR_OFFICE, "phone": "+212 6 61 00 00 99", "language": "fr",
        "active": "1"})
    changed = account(services, "agent")
    assert (changed.role, changed.office_code, changed.phone) == ("supervisor", NEIGHBOUR_OFFICE, "+212661000099")


def test_a_disabled_account_can_no_longer_log_in(services, people, logged_in, app):
    agent = people["agent"]
    logged_in("admin").post(f"/staff/admin/users/{agent.id}", {
        "role": "agent", "office_code": "42101", "language": "fr", "active": "0"})
    assert account(services, "agent").active is False
    assert StaffClient(app.test_client()).login("agent").status_code == 401


def test_an_administrator_cannot_disable_their_own_account(services, people, logged_in):
    admin = people["admin"]
    desk = logged_in("admin")
    desk.post(f"/staff/admin/users/{admin.id}", {"role": "admin", "language": "fr", "active": "0"})
    assert account(services, "admin").active is True
    assert "Vous ne pouvez ni désactiver votre propre compte" in desk.page(f"/staff/admin/users/{admin.id}")


def test_a_new_password_replaces_the_old_one(services, people, logged_in, app):
    agent = people["agent"]
    logged_in("admin").post(f"/staff/admin/users/{agent.id}", {
        "role": "agent", "office_code": "42101", "language": "fr", "active": "1",
        "password": "a brand new password"})
    fresh = StaffClient(app.test_client())
    assert fresh.login("agent").status_code == 401
    assert fresh.login("agent", "a brand new password").status_code == 302


def test_an_office_s_service_level_and_names_are_edited(services, people, logged_in, fresh_directory):
    logged_in("admin").post("/staff/admin/offices/42101", {
        "name_fr": "Bureau d'état civil Mahaj Riyad", "name_ar": "مكتب المحج", "service_days": "5", "active": "1"})
    with services.uow() as uow:
        office = uow.get(Office, "42101")
        assert (office.name_fr, office.service_days, office.active) == ("Bureau d'état civil Mahaj Riyad", 5, True)
    assert [o.code for o in search_offices(services.uow(), "mahaj").items] == ["42101"]


def test_a_service_level_outside_one_to_thirty_days_is_refused(services, people, logged_in, fresh_directory):
    desk = logged_in("admin")
    desk.post("/staff/admin/offices/42101", {"name_fr": "X", "name_ar": "س", "service_days": "0", "active": "1"})
    with services.uow() as uow:
        assert uow.get(Office, "42101").service_days == 3
    assert "Délai d&#39;envoi : de 1 à 30 jours ouvrés." in desk.page("/staff/admin/offices/42101")


def test_a_new_office_is_added_to_a_commune_and_citizens_find_it(services, people, logged_in, fresh_directory):
    response = logged_in("admin").post("/staff/admin/offices", {
        "code": "42199", "commune_code": "04.421.01.0", "name_fr": "Bureau d'état civil Rabat-Océan",
        "name_ar": "مكتب الحالة المدنية الرباط المحيط", "service_days": "4", "active": "1"})
    assert response.location.endswith("/staff/admin/offices/42199")
    assert [o.code for o in search_offices(services.uow(), "ocean").items] == ["42199"]
    assert [o.code for o in search_offices(services.uow(), "المحيط").items] == ["42199"]


def test_the_office_list_searches_by_code_or_name(people, logged_in):
    desk = logged_in("admin")
    assert "/staff/admin/offices/42101" in desk.page("/staff/admin/offices?q=421")
    listed = desk.page("/staff/admin/offices?q=tanger")
    assert "/staff/admin/offices/51101" in listed and "/staff/admin/offices/42101" not in listed


def test_the_account_list_shows_every_account(people, logged_in):
    html = logged_in("admin").page("/staff/admin/users")
    assert all(f"/staff/admin/users/{user.id}" in html for user in people.values())
