"""Agents act on orders by SMS from their registered number; each command is confirmed or clearly refused, and
an unregistered number learns nothing."""
from datetime import datetime, timezone

import pytest

from channels.message import Inbound, Reply
from jobs.conversations import SURFACES, dialog_of
from notifications import AgentCommands, parse_command
from orders_core import queries
from orders_core.references import format_reference
from orders_core.services import credit_statement, order_for_reference, place_order, take_order
from tests.notifications.conftest import paid_order, staff_user
from web.demo import DEMO_PHONE, draft

AGENT, OTHER, FOREIGN, SUPERVISOR, INSPECTOR = (
    "+212661000031", "+212661000032", "+212661000033", "+212661000034", "+212661000035")
BARCODE = "RR123456785MA"


@pytest.fixture(autouse=True)
def staff(services):
    staff_user(services, "agent1", "agent", phone=AGENT)
    staff_user(services, "agent2", "agent", phone=OTHER, language="ar")
    staff_user(services, "agent3", "agent", office="14101", phone=FOREIGN)
    staff_user(services, "super1", "supervisor", phone=SUPERVISOR, language="en")
    staff_user(services, "insp1", "inspector", office=None, province_code="421", phone=INSPECTOR)


@pytest.fixture
def router(services):
    return AgentCommands(services.uow, services.catalogs)


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


def test_an_unregistered_number_gets_only_the_neutral_answer(services, router, order):
    answer = sms(router, "+212699999999", f"PRENDRE {order.reference}")
    assert answer == services.catalogs.text("fr", "common.unknown_input")
    assert sms(router, "+212699999999", "PRENDRE 2611482731") == answer  # same for a reference that does not exist
    assert status(services, order) == "received"


def test_an_unregistered_number_writing_arabic_gets_the_neutral_answer_in_arabic(services, router, order):
    assert sms(router, "+212699999999", f"خذ {order.reference}") == services.catalogs.text("ar",
                                                                                           "common.unknown_input")


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


def test_the_dialog_engine_hands_an_agent_s_sms_to_the_agent_commands(services, order):
    inbound = Inbound("sms", "africastalking", AGENT, f"PRENDRE {order.reference}", phone=AGENT)
    reply = dialog_of(services).handle(inbound, SURFACES["sms"])
    assert reply.text == f"Demande {format_reference(order.reference)} prise en charge."
    assert status(services, order) == "in_progress"
