"""Premium SMS with Africa's Talking stubbed at HTTP: quote, YES, one billed message at a time, final reports."""
import bootstrap
import pytest
from sqlalchemy import select

import jobs.payments as payment_jobs
from payments_sms import (
    NoPendingPayment, NothingDue, PaymentInProgress, UnknownCharge, confirm_premium_payment, start_premium_payment,
)
from payments_sms.model import Charge, PremiumPayment

from .conftest import PHONE, outbox, place, reload


def at_report(services, message_id, status, failure_reason=None):
    """Africa's Talking's delivery report, as the channels pass it on: the form's id, status and failureReason."""
    form = {"id": message_id, "status": status, "phoneNumber": PHONE, "networkCode": "60400",
            "failureReason": failure_reason or "", "retryCount": "0"}
    result = payment_jobs.delivery_report("africastalking", form["id"], form["status"], form["failureReason"] or None)
    services.drain()  # the next billed message, when one is due
    return result


def pay_by_sms(services, short_code, order, link_id="link-pay"):
    quote = start_premium_payment(services.uow(), order.reference, PHONE, link_id, short_code, keyword="payer")
    charge_id = confirm_premium_payment(services.uow(), PHONE, link_id="link-yes")
    payment_jobs.enqueue_bill(services, charge_id)
    services.drain()
    return quote


def charges(services):
    with services.uow() as uow:
        return [(c.step, c.status, c.amount, c.failure_reason) for c in uow.all(select(Charge).order_by(Charge.id))]


def payment_status(services):
    with services.uow() as uow:
        return uow.one(select(PremiumPayment).order_by(PremiumPayment.id.desc())).status


def test_the_quote_states_amount_and_messages_and_bills_nothing(services, at_premium, short_code):
    order = place(services, lines={"extract": 5})  # 40 MAD
    quote = start_premium_payment(services.uow(), order.reference, "0612345678", "link-1", short_code)
    assert (quote.due, quote.price, quote.messages, quote.billed_total) == (4000, 1000, 4, 4000)
    assert at_premium.forms == [] and charges(services) == []


def test_a_40_mad_order_is_paid_by_four_billed_messages_one_after_the_other(services, at_premium, short_code):
    order = place(services, lines={"extract": 5})
    pay_by_sms(services, short_code, order)
    for step in range(1, 5):
        assert len(at_premium.forms) == step  # the next message waits for the previous one's final report
        form = at_premium.forms[-1]
        assert (form["to"], form["from"], form["keyword"], form["linkId"], form["bulkSMSMode"]) == (
            PHONE, "1919", "PAYER", "link-yes", "0")
        assert f"paiement {step}/4 de 10 MAD" in form["message"]
        assert at_report(services, f"ATPid_{step}", "Submitted") == "sent"
        assert at_report(services, f"ATPid_{step}", "Success") == "succeeded"
    stored = reload(services, order.reference)
    assert stored.status == "received" and stored.amount_due == 0
    assert [(p.means, p.source_ref, p.applied) for p in stored.payments] == [
        ("premium_sms", f"ATPid_{n}", 1000) for n in range(1, 5)]
    assert len(at_premium.forms) == 4 and payment_status(services) == "covered"


def test_a_failure_in_the_middle_stops_billing_and_tells_what_is_paid_and_left(services, at_premium, short_code):
    order = place(services, lines={"extract": 5})
    pay_by_sms(services, short_code, order)
    at_report(services, "ATPid_1", "Success")
    at_report(services, "ATPid_2", "Success")
    assert at_report(services, "ATPid_3", "Failed", "InsufficientCredit") == "failed"
    assert len(at_premium.forms) == 3
    assert charges(services)[2] == (3, "failed", 1000, "InsufficientCredit")
    stored = reload(services, order.reference)
    assert (stored.status, stored.paid_amount, stored.amount_due) == ("awaiting_payment", 2000, 2000)
    (notice,) = outbox(services, "payment.premium_stopped")
    assert notice["template"] == "payments.premium.stopped_credit" and notice["contact"] == PHONE
    text = services.catalogs.text(notice["language"], notice["template"], **notice["values"])
    assert "Payé : 20 MAD, reste : 20 MAD" in text and "CARTE" in text


def test_a_refusal_when_sending_stops_the_payment_at_once(services, at_premium, short_code):
    at_premium.refusal = (406, "UserInBlacklist")
    order = place(services, lines={"extract": 5})
    pay_by_sms(services, short_code, order)
    assert charges(services) == [(1, "failed", 1000, "UserInBlacklist")]
    assert payment_status(services) == "stopped"
    assert outbox(services, "payment.premium_stopped")[0]["template"] == "payments.premium.stopped"


def test_duplicated_and_reordered_reports_change_nothing_the_second_time(services, at_premium, short_code):
    order = place(services, lines={"extract": 5})
    pay_by_sms(services, short_code, order)
    at_report(services, "ATPid_1", "Success")
    assert at_report(services, "ATPid_1", "Success") == "succeeded"  # the duplicate
    assert at_report(services, "ATPid_1", "Buffered") == "succeeded"  # a late, non-final report
    assert at_report(services, "ATPid_1", "Failed", "DeliveryFailure") == "succeeded"  # final never goes back
    at_report(services, "ATPid_2", "Failed", "UserInBlackList")
    assert at_report(services, "ATPid_2", "Success") == "failed"
    assert len(at_premium.forms) == 2
    assert [p.source_ref for p in reload(services, order.reference).payments] == ["ATPid_1"]
    assert len(outbox(services, "payment.premium_stopped")) == 1


def test_a_charge_without_final_report_expires_after_72_hours(services, at_premium, short_code, clock):
    order = place(services, lines={"extract": 5})
    pay_by_sms(services, short_code, order)
    at_report(services, "ATPid_1", "Success")
    clock.advance(hours=71)
    assert payment_jobs.expire_charges() == 0
    clock.advance(hours=2)
    assert payment_jobs.expire_charges() == 1
    assert charges(services)[1] == (2, "expired", 1000, "NoFinalReport") and payment_status(services) == "expired"
    assert outbox(services, "payment.premium_stopped")[0]["values"]["due"] == "30"
    assert at_report(services, "ATPid_2", "Failed") == "expired"


def test_a_success_reported_after_expiry_still_counts_because_the_citizen_paid(services, at_premium, short_code,
                                                                               clock):
    order = place(services)
    pay_by_sms(services, short_code, order)
    clock.advance(hours=73)
    payment_jobs.expire_charges()
    assert at_report(services, "ATPid_1", "Success") == "succeeded"
    assert reload(services, order.reference).amount_due == 1000
    assert len(at_premium.forms) == 1  # the expired payment bills nothing more


def test_a_report_that_overtakes_the_recorded_message_id_is_retried_not_lost(services, short_code):
    overtaken = []

    class Overtaking:
        name, bills_incoming, statuses = "africastalking", False, {"Success": "succeeded"}

        def bill(self, to, text, code, keyword, link_id):
            message_id = f"ATPid_fast_{len(overtaken) + 1}"
            try:  # the report arrives before the sender has recorded the message id
                payment_jobs.delivery_report("africastalking", message_id, "Success")
            except UnknownCharge as exc:
                overtaken.append(exc)  # the job raises, so RQ tries it again a little later
            return message_id
    bootstrap.wire(services, premium_biller=Overtaking())
    order = place(services)
    pay_by_sms(services, short_code, order)
    assert len(overtaken) == 1
    assert at_report(services, "ATPid_fast_1", "Success") == "succeeded"  # the retry
    assert payment_jobs.delivery_report("africastalking", "ATPid_of_a_plain_sms", "Success") == "not_a_charge"


def test_a_yes_without_a_quote_and_a_second_payment_while_billing_are_refused(services, at_premium, short_code):
    with pytest.raises(NoPendingPayment):
        confirm_premium_payment(services.uow(), PHONE, "link-x")
    order = place(services, lines={"extract": 5})
    pay_by_sms(services, short_code, order)
    with pytest.raises(PaymentInProgress):
        start_premium_payment(services.uow(), order.reference, PHONE, "link-2", short_code)
    with pytest.raises(PaymentInProgress):
        confirm_premium_payment(services.uow(), PHONE, "link-3")


def test_a_paid_order_cannot_be_billed(services, at_premium, short_code):
    order = place(services)
    pay_by_sms(services, short_code, order)
    at_report(services, "ATPid_1", "Success")
    at_report(services, "ATPid_2", "Success")
    with pytest.raises(NothingDue):
        start_premium_payment(services.uow(), order.reference, PHONE, "link-9", short_code)


def test_an_unconfirmed_quote_is_superseded_by_a_new_one_and_expires_after_72_hours(services, short_code, clock):
    order = place(services)
    start_premium_payment(services.uow(), order.reference, PHONE, "link-1", short_code)
    start_premium_payment(services.uow(), order.reference, PHONE, "link-2", short_code)
    with services.uow() as uow:
        assert [p.status for p in uow.all(select(PremiumPayment).order_by(PremiumPayment.id))] == [
            "superseded", "quoted"]
    clock.advance(hours=72)
    with pytest.raises(NoPendingPayment):
        confirm_premium_payment(services.uow(), PHONE, "link-3")


class IncomingBilling:
    """An aggregator that bills the citizen's own message to the short code: the billed id is the incoming one."""

    name, bills_incoming, statuses = "aggregator", True, {"DELIVRD": "succeeded", "FAILED": "failed"}

    def __init__(self):
        self.billed = []

    def bill(self, to, text, short_code, keyword, link_id):
        self.billed.append(link_id)
        return link_id


def test_an_incoming_billing_aggregator_bills_one_incoming_yes_per_charge(services, short_code):
    bootstrap.wire(services, premium_biller=(aggregator := IncomingBilling()))
    order = place(services)  # 20 MAD: two billed incoming messages
    start_premium_payment(services.uow(), order.reference, PHONE, "in-pay", short_code)
    payment_jobs.enqueue_bill(services, confirm_premium_payment(services.uow(), PHONE, "in-yes-1"))
    services.drain()
    assert payment_jobs.delivery_report("aggregator", "in-yes-1", "DELIVRD") == "succeeded"
    services.drain()
    assert aggregator.billed == ["in-yes-1"]  # the next charge waits for the citizen's next message
    (prompt,) = outbox(services, "payment.premium_next")
    assert prompt["values"]["due"] == "10" and prompt["template"] == "payments.premium.next_yes"
    payment_jobs.enqueue_bill(services, confirm_premium_payment(services.uow(), PHONE, "in-yes-2"))
    services.drain()
    payment_jobs.delivery_report("aggregator", "in-yes-2", "DELIVRD")
    assert aggregator.billed == ["in-yes-1", "in-yes-2"]
    assert reload(services, order.reference).status == "received"


def test_an_order_cancelled_while_billing_turns_the_next_success_into_credit_and_stops(services, at_premium,
                                                                                       short_code):
    from orders_core.lifecycle import Role
    from orders_core.model import Actor
    from orders_core.services import cancel_order
    order = place(services, lines={"extract": 5})
    pay_by_sms(services, short_code, order)
    cancel_order(services.uow(), order.reference, Actor(PHONE, Role.CITIZEN, "sms"), [PHONE])
    assert at_report(services, "ATPid_1", "Success") == "succeeded"
    assert len(at_premium.forms) == 1 and payment_status(services) == "stopped"
    with services.uow() as uow:
        assert uow.credit_balance(PHONE) == 1000


def test_two_people_cannot_bill_the_same_order_at_once(services, at_premium, short_code):
    from .conftest import OTHER_PHONE
    order = place(services, lines={"extract": 5})
    start_premium_payment(services.uow(), order.reference, PHONE, "link-a", short_code)
    start_premium_payment(services.uow(), order.reference, OTHER_PHONE, "link-b", short_code)
    confirm_premium_payment(services.uow(), PHONE, "link-a2")
    with pytest.raises(PaymentInProgress):
        confirm_premium_payment(services.uow(), OTHER_PHONE, "link-b2")
