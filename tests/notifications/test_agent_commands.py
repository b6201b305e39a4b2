"""Agents act on orders by SMS from their registered number; each command is confirmed or clearly refused, and
an unregistered number learns nothing."""
from datetime import datetime, timezone

import pytest

from channels.message import Inbound, Reply
from channels.sms import render
from bootstrap import agent_commands
from dialog.agent_commands import parse_command
from staff.agent_code import set_agent_code
from orders_core import queries
from orders_core.references import format_reference
from orders_core.services import credit_statement, order_for_reference, place_order, take_order
from tests.notifications.conftest import paid_order, staff_user
from web.demo import DEMO_PHONE, draft

AGENT, OTHER, FOREIGN, SUPERVISOR, INSPECTOR = (
    "+212661000031", "+212661000032", "+212661000033", "+212661000034", "+212661000035")
BARCODE = "RR123456785MA"


CODE = "4821"


@pytest.fixture(autouse=True)
def staff(services):
    people = [staff_user(services, "agent1", "agent", phone=AGENT),
              staff_user(services, "agent2", "agent", phone=OTHER, language="ar"),
              staff_user(services, "agent3", "agent", office="14101", phone=FOREIGN),
              staff_user(services, "super1", "supervisor", phone=SUPERVISOR, language="en"),
              staff_user(services, "insp1", "inspector", office=None, province_code="421", phone=INSPECTOR)]
    for user in people:
        set_agent_code(services.uow(), user.id, CODE, services.settings.secret_key)
    return people


@pytest.fixture
def router(services, staff):
    """The router as the dialog has it, every staff number having proven its code once (a session is open)."""
    commands = agent_commands(services)
    for phone in (AGENT, OTHER, FOREIGN, SUPERVISOR, INSPECTOR):
        assert sms(commands, phone, f"#{CODE}").startswith(("Code accepté", "Code accepted", "تم قبول"))
    return commands


@pytest.fixture
def order(services):
    return paid_order(services)


def sms(router, phone, text) -> str | None:
    reply = router(Inbound("sms", "africastalking", phone, text, phone=phone,
                           received_at=datetime(2026, 11, 23, 10, tzinfo=timezone.utc)))
    assert reply is None or isinstance(reply, Reply)
    return reply.text if reply else None


def status(services, order) -> str:
    with services.uow() as uow:
        return order_for_reference(uow, order.reference).status


def test_an_agent_takes_readies_and_dispatches_an_order_by_sms(services, router, order):
    ref = format_reference(order.reference)
    assert sms(router, AGENT, f"PRENDRE {ref}") == f"Demande {ref} prise en charge."
    assert status(services, order) == "in_progress"
    assert sms(router, AGENT, f"pret {order.reference}") == f"Demande {ref} marquée à expédier."
    assert sms(router, AGENT, f"ENVOI {ref} rr 123456785 ma") == f"Demande {ref} expédiée, envoi {BARCODE}."
    with services.uow() as uow:
        found = order_for_reference(uow, order.reference)
        assert (found.status, found.barcode, found.events[-1].channel) == ("dispatched", BARCODE, "sms")


def test_an_agent_rejects_with_a_reason_code_and_hears_the_credit_left(services, router, order):
    ref = format_reference(order.reference)
    reply = sms(router, AGENT, f"REJET {order.reference} 1")
    assert reply == f"Demande {ref} rejetée. Crédit du demandeur : {order.total // 100} MAD."
    with services.uow() as uow:
        assert order_for_reference(uow, order.reference).rejection_reason == "record_not_found"
    assert credit_statement(services.uow(), DEMO_PHONE).balance == order.total


def test_commands_in_arabic_with_eastern_digits(services, router, order):
    eastern = order.reference.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert sms(router, OTHER, f"خذ {eastern}") == f"تم التكفل بالطلب \u2066{format_reference(order.reference)}\u2069."
    assert status(services, order) == "in_progress"


def test_the_supervisor_acts_in_english_on_any_order_of_the_office(services, router, order):
    take_order(services.uow(), order.id, _actor(services, "agent1"))
    assert sms(router, SUPERVISOR, f"READY {order.reference}").startswith("Order ")
    assert status(services, order) == "ready"


def _actor(services, username):
    with services.uow() as uow:
        return queries.user_by_username(uow, username).as_actor()


REFUSALS = [
    # (who, command, what they hear)
    (FOREIGN, "PRENDRE {ref}", "La demande {shown} n'est pas de votre bureau."),
    (AGENT, "PRET {ref}", "Demande {shown} : action impossible à cette étape."),  # not taken yet
    (AGENT, "PRENDRE 2611482736", "Référence 2611482736 incorrecte : vérifiez le numéro."),  # bad check digit
    (AGENT, "PRENDRE 261 148 273 1", "Aucune demande 261 148 273 1."),  # valid, but no such order
    (AGENT, "PRENDRE", "Commandes : PRENDRE <réf>, PRET <réf>, ENVOI <réf> <code-barres>, REJET <réf> <motif 1 "
                       "acte introuvable, 2 incomplet, 3 non autorisé>."),
    (AGENT, "REJET {ref} 9", "Demande {shown} : motif inconnu. 1 acte introuvable, 2 incomplet, 3 non autorisé."),
    (AGENT, "REJET {ref}", "Demande {shown} : motif inconnu. 1 acte introuvable, 2 incomplet, 3 non autorisé."),
    (INSPECTOR, "PRENDRE {ref}", "Action non autorisée pour votre compte."),
]


@pytest.mark.parametrize(("phone", "command", "answer"), REFUSALS)
def test_a_command_that_cannot_be_done_is_refused_clearly_and_changes_nothing(services, router, order, phone,
                                                                               command, answer):
    shown = format_reference(order.reference)
    assert sms(router, phone, command.format(ref=order.reference)) == answer.format(shown=shown)
    assert status(services, order) == "received"


def test_an_order_taken_by_another_agent_is_refused(services, router, order):
    sms(router, OTHER, f"PRENDRE {order.reference}")
    assert sms(router, AGENT, f"PRENDRE {order.reference}") == (
        f"Demande {format_reference(order.reference)} déjà prise par un autre agent.")
    assert sms(router, AGENT, f"PRET {order.reference}") == "Action non autorisée pour votre compte."


def test_a_wrong_barcode_is_refused(services, router, order):
    sms(router, AGENT, f"PRENDRE {order.reference}")
    sms(router, AGENT, f"PRET {order.reference}")
    shown = format_reference(order.reference)
    assert sms(router, AGENT, f"ENVOI {order.reference} RR123456784MA") == (
        f"Demande {shown} : code-barres du recommandé incorrect (ex. RR123456785MA).")
    assert sms(router, AGENT, f"ENVOI {order.reference}").startswith(f"Demande {shown} : code-barres")
    assert status(services, order) == "ready"


def test_an_unregistered_number_is_left_to_the_dialog(services, router, order):
    assert sms(router, "+212699999999", f"PRENDRE {order.reference}") is None
    assert sms(router, "+212699999999", f"#{CODE} PRENDRE {order.reference}") is None
    assert sms(router, "+212699999999", f"خذ {order.reference}") is None
    assert status(services, order) == "received"


def first_answer(services, phone: str, text: str) -> str:
    """What the whole dialog (agent commands first) answers a first text from this number."""
    inbound = Inbound("sms", "africastalking", phone, text, phone=phone, provider_message_id=f"x-{phone}-{text}")
    return render(services.dialog.handle(inbound, services.surfaces["sms"]))  # the SMS as sent: text and options


@pytest.mark.parametrize("command", ["PRENDRE {ref}", "REJET {ref} 1", "ENVOI {ref} RR123456785MA",
                                     "#1234 PRENDRE {ref}", "#{code}", "#{code} PRENDRE {ref}"])
def test_a_command_from_an_unknown_number_gets_the_answer_any_first_text_gets(services, order, command):
    baseline = first_answer(services, "+212699999990", "zzkq wvx")
    assert first_answer(services, "+212699999991", command.format(ref=order.reference, code=CODE)) == baseline
    assert status(services, order) == "received"


@pytest.mark.parametrize("command", ["PRENDRE {ref}", "REJET {ref} 1", "#1234 PRENDRE {ref}"])
def test_an_agent_number_without_its_code_gets_the_answer_any_first_text_gets(services, order, command):
    baseline = first_answer(services, "+212699999990", "zzkq wvx")
    assert first_answer(services, AGENT, command.format(ref=order.reference)) == baseline
    assert status(services, order) == "received"


def test_a_spoofed_agent_number_without_the_code_moves_nothing(services, staff, order):
    fresh = agent_commands(services)  # no session opened
    for command in (f"PRENDRE {order.reference}", f"REJET {order.reference} 1", f"ENVOI {order.reference} {BARCODE}"):
        assert sms(fresh, AGENT, command) is None
    assert status(services, order) == "received"


def test_the_code_in_the_command_proves_and_acts_at_once(services, staff, order):
    fresh = agent_commands(services)
    assert sms(fresh, AGENT, f"#{CODE} PRENDRE {order.reference}").endswith("prise en charge.")
    assert sms(fresh, AGENT, f"PRET {order.reference}").endswith("à expédier.")  # the session stays open
    assert status(services, order) == "ready"


def test_the_session_closes_after_the_configured_hours(services, staff, order, clock):
    fresh = agent_commands(services)
    assert "jusqu'à" in sms(fresh, AGENT, f"#{CODE}")
    clock.advance(hours=services.settings.agent_code_hours, seconds=1)
    assert sms(fresh, AGENT, f"PRENDRE {order.reference}") is None


def test_wrong_codes_lock_the_agent_out_even_against_the_right_code(services, staff, order, clock):
    fresh = agent_commands(services)
    for _ in range(services.settings.staff_lockout_failures):
        assert sms(fresh, AGENT, f"#9999 PRENDRE {order.reference}") is None
    assert sms(fresh, AGENT, f"#{CODE} PRENDRE {order.reference}") is None  # locked
    assert status(services, order) == "received"
    clock.advance(minutes=services.settings.staff_lockout_minutes, seconds=1)
    assert sms(fresh, AGENT, f"#{CODE} PRENDRE {order.reference}").endswith("prise en charge.")


def test_the_code_is_stored_only_as_a_keyed_hash(services, staff):
    with services.uow() as uow:
        stored = queries.user_by_phone(uow, AGENT).agent_code_hash
    assert stored and CODE not in stored and len(stored) == 64


def test_anything_that_is_not_a_command_is_left_to_the_dialog(services, router):
    assert sms(router, AGENT, "SUIVI 2611482731") is None
    assert sms(router, "+212699999999", "bonjour") is None
    ussd = Inbound("ussd", "africastalking", AGENT, "PRENDRE 2611482731", phone=AGENT)
    assert router(ussd) is None


def test_an_unpaid_order_cannot_be_taken(services, router):
    unpaid = place_order(services.uow(), services.settings.prices, draft())
    assert "impossible" in sms(router, AGENT, f"PRENDRE {unpaid.reference}")


@pytest.mark.parametrize(("text", "action", "reference", "argument"), [
    ("PRENDRE 261 148 273 5", "take", "261 148 273 5", ""),
    ("envoi 2611482735 RR 123 456 785 MA", "dispatch", "2611482735", "RR 123 456 785 MA"),
    ("REJET 261-148-273-5 2", "reject", "261-148-273-5", "2"),
    ("رفض ٢٦١١٤٨٢٧٣٥ 3", "reject", "2611482735", "3"),
])
def test_commands_are_read_with_spaced_references_and_arguments(text, action, reference, argument):
    command = parse_command(text)
    assert (command.action, command.reference, command.argument) == (action, reference, argument)


def test_the_dialog_engine_hands_an_agent_s_sms_to_the_agent_commands(services, router, order):
    inbound = Inbound("sms", "africastalking", AGENT, f"#{CODE} PRENDRE {order.reference}", phone=AGENT)
    reply = services.dialog.handle(inbound, services.surfaces["sms"])
    assert reply.text == f"Demande {format_reference(order.reference)} prise en charge."
    assert status(services, order) == "in_progress"
