"""Phone numbers are stored whole (E.164) for sending, and never written whole to a log line."""
import logging

from channels.message import Inbound
from bootstrap import agent_commands
from staff.agent_code import set_agent_code
from orders_core.services import place_order, record_payment
from tests.notifications.conftest import deliver, messages, staff_user
from web.demo import DEMO_PHONE, draft

STRANGER = "+212699887766"


def test_no_log_line_holds_a_whole_phone_number(services, notifier, senders, caplog):
    agent = staff_user(services, "agent1", "agent", phone="+212661000041")
    with caplog.at_level(logging.DEBUG):
        order = place_order(services.uow(), services.settings.prices, draft())
        record_payment(services.uow(), order.reference, order.total, "card", "card-1")
        senders["africastalking"].script = ("retry", "ok")
        deliver(services)
        set_agent_code(services.uow(), agent.id, "4821", services.settings.secret_key)
        router = agent_commands(services)
        router(Inbound("sms", "africastalking", STRANGER, f"PRENDRE {order.reference}", phone=STRANGER))
        router(Inbound("sms", "africastalking", agent.phone, "#1111", phone=agent.phone))  # a wrong code
        router(Inbound("sms", "africastalking", agent.phone, f"#4821 PRENDRE {order.reference}", phone=agent.phone))
    assert messages(services)[0].recipient == DEMO_PHONE  # stored whole, to be sent
    assert caplog.records, "the flow logs what it does"
    for number in (DEMO_PHONE, STRANGER, agent.phone):
        assert number not in caplog.text
        assert number[1:] not in caplog.text
