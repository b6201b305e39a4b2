"""The hooks other packages plug into: pre-routers (agent commands), free-text understanding, flows by name,
and the quiet while support holds a conversation."""
import bootstrap
from sqlalchemy import select

from channels import records
from channels.message import Reply
from dialog import Done, Flow, Intent
from orders_core.model import Escalation
from orders_core.references import format_reference
from orders_core.services import close_escalation, create_user, place_order, record_payment
from staff.agent_code import set_agent_code
from web.demo import draft

from .conftest import PHONE, guarded, orders

__all__ = ["guarded"]


def test_a_router_takes_the_messages_it_knows_and_passes_the_others_on(services, sms, guarded):
    bootstrap.wire(services, routers=[lambda inbound: Reply("PONG") if inbound.text == "PING" else None])
    assert sms.send("PING") == "PONG"
    assert "Quel document" in sms.send("COMMANDE")


def test_an_agent_command_from_a_registered_number_acts_on_the_order(services, client, guarded):
    order = place_order(services.uow(), services.settings.prices, draft(phone=PHONE))
    record_payment(services.uow(), order.reference, order.total, "card", "c1")
    agent = create_user(services.uow(), "agent1", "Agent", "x", "agent", office_code="42101", phone="+212661000001")
    set_agent_code(services.uow(), agent.id, "4821", services.settings.secret_key)
    from .conftest import SmsPhone
    phone = SmsPhone(client, services, "+212661000001")
    phone.send(f"PRENDRE {order.reference}")  # the number alone (spoofable) proves nothing
    assert orders(services)[0].status == "received"
    phone.send(f"#4821 PRENDRE {order.reference}")
    assert orders(services)[0].status == "in_progress"
    assert "4821" not in " ".join(m["text"] for m in records.conversation(services.uow(), "+212661000001"))


class Understander:
    """A stand-in NLU port: says "track" with the reference it finds, and records every call."""

    def __init__(self, reference: str, confidence: float = 0.9):
        self.reference, self.confidence, self.calls = reference, confidence, []

    def __call__(self, text: str):
        self.calls.append(text)
        return Intent("track", self.confidence, {"order_ref": self.reference})


def test_free_text_on_sms_is_understood_by_the_nlu_port(services, sms, guarded):
    order = place_order(services.uow(), services.settings.prices, draft(phone=PHONE))
    bootstrap.wire(services, understand=(understand := Understander(order.reference)))
    assert format_reference(order.reference) in sms.send("ou en est ma demande svp")
    assert understand.calls == ["ou en est ma demande svp"]


def test_an_unsure_nlu_answer_asks_whether_it_understood(services, sms, guarded):
    # The understanding is wired with its flow (bootstrap.wire): an unsure answer gets the clarifying question.
    bootstrap.wire(services, understand=Understander("2611482735", confidence=0.3))
    sms.send("AIDE")
    assert sms.send("ou en est ma demande svp") == services.catalogs.text("fr", "understanding.clarify") + \
        "\n1 Suivre une demande\n2 Autre chose (menu)"


def test_a_failing_nlu_falls_back_too(services, sms, guarded):
    def broken(text):
        raise TimeoutError("rasa is down")
    bootstrap.wire(services, understand=broken)
    sms.send("AIDE")
    assert sms.send("ou en est ma demande").startswith("Envoyez COMMANDE")


def test_ussd_never_calls_the_nlu_port(services, ussd, guarded):
    bootstrap.wire(services, understand=(understand := Understander("2611482735")))
    ussd.dial()
    ussd.press("1", "bonjour je veux un extrait", "1", "1", "rabat")
    assert understand.calls == []


def test_a_flow_registered_under_a_name_replaces_the_default_one(services, sms, ussd, guarded):
    custom = Flow("pay", {}, {"start": lambda turn, argument: Done(f"custom pay [{argument}]"),
                              "card": lambda turn, argument: Done(f"custom card [{argument}]")})
    bootstrap.wire(services, flows=(custom,))
    assert sms.send("PAYER 2611482735") == "custom pay [2611482735]"
    # The webhook took the PIN out of the text before the flow (or anything else) saw it.
    assert sms.send("CARTE 2611482735 123456789012345") == "custom card [2611482735 pin]"
    ussd.dial()
    assert ussd.press("4") == "END custom pay []"  # the language is known from the SMS


def test_the_pay_flow_tells_the_amount_due_and_what_paying_by_sms_costs(services, sms, guarded):
    order = place_order(services.uow(), services.settings.prices, draft(phone=PHONE))
    reply = sms.send(f"PAYER {order.reference}")
    assert f"Demande {format_reference(order.reference)} : 25 MAD à payer" in reply and "Répondez OUI" in reply
    assert sms.send("NON")
    record_payment(services.uow(), order.reference, order.total, "card", "c1")
    nothing = services.catalogs.text("fr", "payments.nothing_due", ref=format_reference(order.reference))
    assert sms.send(f"PAYER {order.reference}") == nothing


def test_asking_for_a_person_opens_an_escalation_and_the_bot_then_keeps_quiet(services, sms, ussd, guarded):
    assert "conseiller vous répondra par SMS" in sms.send("AGENT")
    assert sms.send("allo ? vous etes la ?") == ""
    with services.uow() as uow:
        [escalation] = uow.all(select(Escalation))
        said = [m.text for m in escalation.messages]
    assert escalation.status == "open" and escalation.reason == "asked_for_human"
    assert said == ["AGENT", "allo ? vous etes la ?"]
    ussd.dial()  # waiting for a person blocks nothing: the menu, as ever
    assert ussd.screens[-1].startswith("CON ") and "1 Commander" in ussd.screens[-1]
    close_escalation(services.uow(), escalation.id, "support")
    assert "Quel document" in sms.send("COMMANDE")
