"""Citizens hear about each stage of their order, complaint and support conversation, once, in their language."""
import pytest

from notifications import handle_outbox
from orders_core.model import OutboxMessage
from orders_core.references import format_reference
from orders_core.services import (
    add_escalation_message, advance_order, dispatch_order, file_complaint, move_complaint, open_escalation,
    place_order, reassign_order, record_payment, reject_order, take_order,
)
from tests.notifications.conftest import deliver, kinds, messages, paid_order, staff_user
from web.demo import DEMO_PHONE, draft

BARCODE = "RR123456785MA"


def test_a_placed_order_gets_its_reference_amount_and_how_to_pay(services, notifier, senders):
    order = place_order(services.uow(), services.settings.prices, draft())
    deliver(services)
    [text] = senders["africastalking"].texts
    assert format_reference(order.reference) in text
    assert f"{order.total // 100} MAD" in text and "PAY" in text and services.settings.at_short_code in text
    [message] = messages(services)
    assert (message.kind, message.recipient, message.status, message.language) == (
        "order_placed", DEMO_PHONE, "sent", "fr")
    assert message.provider == "africastalking" and message.provider_message_id == "africastalking-1"


def test_the_message_is_in_the_language_of_the_order(services, notifier, senders):
    order = place_order(services.uow(), services.settings.prices, draft(language="ar"))
    deliver(services)
    [text] = senders["africastalking"].texts
    assert "مسجل" in text and f"\u2066{format_reference(order.reference)}\u2069" in text  # isolated left to right
    assert messages(services)[0].segments == 2  # Arabic is UCS-2: this one needs two parts


def test_a_full_payment_says_paid_and_with_the_office_in_one_message(services, notifier, senders):
    order = place_order(services.uow(), services.settings.prices, draft())
    deliver(services)
    record_payment(services.uow(), order.reference, order.total, "card", "card-1")
    deliver(services)
    assert kinds(services) == ["order_placed", "payment_complete"]
    assert "Bureau d'état civil" in senders["africastalking"].texts[-1]


def test_an_order_paid_before_its_placement_message_went_out_gets_only_the_payment_message(
        services, notifier, senders):
    paid_order(services)
    deliver(services)
    assert kinds(services) == ["payment_complete"]


def test_a_partial_payment_says_what_is_left(services, notifier, senders):
    order = place_order(services.uow(), services.settings.prices, draft())
    record_payment(services.uow(), order.reference, 500, "premium_sms", "charge-1")
    deliver(services)
    assert kinds(services) == ["order_placed", "payment_partial"]
    left = (order.total - 500) // 100
    assert f"{left} MAD" in senders["africastalking"].texts[-1]


def test_money_paid_on_a_paid_order_is_announced_as_credit(services, notifier, senders):
    order = paid_order(services)
    record_payment(services.uow(), order.reference, 1000, "premium_sms", "charge-late")
    deliver(services)
    assert kinds(services)[-1] == "payment_credited"
    assert "10 MAD" in senders["africastalking"].texts[-1]


def _agent(services):
    return staff_user(services, "agent1", "agent").as_actor()


def test_rejection_says_why_and_the_credit_left(services, notifier, senders):
    order = paid_order(services)
    reject_order(services.uow(), order.id, "record_not_found", _agent(services))
    deliver(services)
    assert kinds(services)[-1] == "rejected_record_not_found"
    text = senders["africastalking"].texts[-1]
    assert "introuvable" in text and f"{order.total // 100} MAD" in text


def test_dispatch_gives_the_barcode_and_delivery_is_announced(services, notifier, senders):
    order, agent = paid_order(services), _agent(services)
    take_order(services.uow(), order.id, agent)
    advance_order(services.uow(), order.id, "ready", agent)
    dispatch_order(services.uow(), order.id, BARCODE, agent)
    advance_order(services.uow(), order.id, "delivered", agent)
    deliver(services)
    # Taking and readying show in tracking only: the citizen is not texted for them.
    assert kinds(services) == ["payment_complete", "order_dispatched", "order_delivered"]
    assert BARCODE in senders["africastalking"].texts[1]


def test_an_order_moved_to_another_office_says_which(services, notifier, senders):
    order = paid_order(services)
    supervisor = staff_user(services, "super1", "supervisor").as_actor()
    reassign_order(services.uow(), order.id, "14101", "record held there", supervisor)
    deliver(services)
    assert kinds(services)[-1] == "order_received"
    assert "Anfa" in senders["africastalking"].texts[-1]


def test_a_complaint_is_acknowledged_and_its_resolution_announced(services, notifier, senders):
    inspector = staff_user(services, "insp1", "inspector", office=None, phone="+212661000001",
                           province_code="421")
    order = paid_order(services)
    complaint = file_complaint(services.uow(), DEMO_PHONE, "late", "Toujours rien", language="fr", channel="sms",
                               order_reference=order.reference, phone=DEMO_PHONE)
    move_complaint(services.uow(), complaint.reference, "resolved", inspector.as_actor(), "Relancé le bureau")
    deliver(services)
    assert kinds(services, audience="citizen")[-2:] == ["complaint_filed", "complaint_resolved"]
    [assigned] = messages(services, audience="inspector")
    assert assigned.recipient == "+212661000001" and format_reference(complaint.reference) in assigned.text


def test_a_support_reply_reaches_the_citizen_as_written(services, notifier, senders):
    escalation = open_escalation(services.uow(), DEMO_PHONE, channel="sms", language="en",
                                 reason="asked_for_human", phone=DEMO_PHONE, text="help")
    add_escalation_message(services.uow(), escalation.id, "out", "support1", "Your office has it, wait 2 days.")
    deliver(services)
    assert senders["africastalking"].texts == ["Shubbak support: Your office has it, wait 2 days."]


def test_a_contact_without_a_phone_number_is_recorded_as_unreachable(services, notifier, senders):
    place_order(services.uow(), services.settings.prices,
                draft(phone="whatsapp:ext:abc", requester_phone=None, channel="whatsapp"))
    deliver(services)
    [message] = messages(services)
    assert (message.status, message.channel, senders["africastalking"].calls) == ("unreachable", None, [])


def test_an_outbox_row_handled_twice_plans_its_messages_once(services, notifier, senders):
    place_order(services.uow(), services.settings.prices, draft())
    with services.uow() as uow:
        [row] = uow.all(__import__("sqlalchemy").select(OutboxMessage))
    first = handle_outbox(services.uow(), notifier, row.id)
    with services.uow() as uow:  # as if the row's outcome had been lost: it is handled again
        uow.get(OutboxMessage, row.id).done_at = None
        uow.commit()
    second = handle_outbox(services.uow(), notifier, row.id)
    assert (len(first), second, len(messages(services))) == (1, [], 1)


def test_a_send_job_run_twice_sends_once(services, notifier, senders):
    place_order(services.uow(), services.settings.prices, draft())
    deliver(services)
    [message] = messages(services)
    from jobs import notifications as jobs
    services.enqueue(jobs.send, message.id)
    services.enqueue(jobs.send, message.id)
    services.drain()
    assert len(senders["africastalking"].calls) == 1


@pytest.mark.parametrize("channel", ["ussd", "sms"])
def test_every_new_outbox_row_is_handled_once_and_marked_done(services, notifier, channel):
    paid_order(services, channel=channel)
    deliver(services)
    with services.uow() as uow:
        rows = uow.all(__import__("sqlalchemy").select(OutboxMessage))
    assert rows and all(r.done_at is not None and r.attempts == 1 for r in rows)


def test_a_stopped_premium_payment_tells_the_citizen_what_is_left_and_how_else_to_pay(services, notifier, senders):
    order = place_order(services.uow(), services.settings.prices, draft(lines={"extract": 5}))
    deliver(services)
    values = {"ref": format_reference(order.reference), "paid": "10", "due": "30", "price": "40"}
    with services.uow() as uow:
        uow.publish("payment.premium_stopped", order_id=order.id, payment_id=1, contact=DEMO_PHONE, language="fr",
                    template="payments.premium.stopped", values=values)
        uow.commit()
    deliver(services)
    deliver(services)
    stop = services.catalogs.text("fr", "payments.premium.stopped", **values)
    assert senders["africastalking"].texts[-1] == stop and senders["africastalking"].texts.count(stop) == 1
    assert kinds(services)[-1] == "premium_notice"
