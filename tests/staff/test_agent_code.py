"""An agent sets their SMS code in the staff view; it is stored only as a keyed hash."""
from orders_core.model import User
from orders_core.redaction import code_hash


def stored(services, user) -> str | None:
    with services.uow() as uow:
        return uow.get(User, user.id).agent_code_hash


def test_an_agent_sets_the_code_their_sms_commands_need(services, people, logged_in):
    desk = logged_in("agent")
    page = desk.page("/staff/sms-code")
    assert "Aucun code" in page and 'name="code"' in page and "/staff/sms-code" in desk.page("/staff/queue")
    desk.post("/staff/sms-code", {"code": "4821"})
    assert stored(services, people["agent"]) == code_hash(services.settings.secret_key, "4821")
    assert "4821" not in stored(services, people["agent"])
    assert "Un code est enregistré" in desk.page("/staff/sms-code")


def test_a_code_that_is_not_4_to_8_digits_is_refused(services, people, logged_in):
    desk = logged_in("supervisor")
    for bad in ("12", "123456789", "abcd", ""):
        desk.post("/staff/sms-code", {"code": bad})
    assert stored(services, people["supervisor"]) is None
    assert "de 4 à 8 chiffres" in desk.page("/staff/sms-code")
