"""A staff member's phone receives their work by SMS: a fixed line is refused with the field named."""
from orders_core import queries

from .test_admin import NEW_AGENT


def test_an_account_with_a_fixed_line_is_refused_naming_the_phone(services, people, logged_in):
    desk = logged_in("admin")
    desk.post("/staff/admin/users", {**NEW_AGENT, "phone": "0522123456"})
    with services.uow() as uow:
        assert queries.user_by_username(uow, "nadia.b") is None
    assert "Téléphone : un numéro mobile marocain, qui reçoit les SMS (ex. 0661234567)." in desk.page(
        "/staff/admin/users")


def test_an_agent_s_phone_cannot_be_changed_to_a_fixed_line(services, people, logged_in):
    agent = people["agent"]
    logged_in("admin").post(f"/staff/admin/users/{agent.id}", {
        "role": "agent", "office_code": "42101", "phone": "05 37 12 34 56", "language": "fr", "active": "1"})
    with services.uow() as uow:
        assert queries.user_by_username(uow, "agent").phone == agent.phone
