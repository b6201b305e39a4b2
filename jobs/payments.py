"""RQ jobs of the payments package: hand a charge to the premium provider, apply its reports, expire charges."""
from __future__ import annotations

import logging
from datetime import timedelta

from rq import Retry

import bootstrap
from bootstrap import BILL_RETRY
from payments_sms import billing
from payments_sms.premium import expire_premium

__all__ = ["bill_charge", "delivery_report", "expire_charges", "enqueue_bill", "enqueue_report", "BILL_RETRY",
           "REPORT_RETRY"]

log = logging.getLogger(__name__)
# A report can overtake our record of the message id it names (the provider answers the send, then reports,
# before we commit the id): such a report is tried again a little later.
REPORT_RETRY = Retry(max=4, interval=[5, 30, 120, 600])
STALE_QUEUED = timedelta(minutes=10)


def enqueue_bill(services, charge_id: int):
    """Queue the hand-over of one charge (high queue: the citizen is waiting on their phone)."""
    return services.enqueue(bill_charge, charge_id, queue="high", retry=BILL_RETRY)


def enqueue_report(services, provider: str, provider_message_id: str, status: str, detail: str | None = None):
    """The channels' delivery-report hook for premium charges: queue `delivery_report` with its retries."""
    return services.enqueue(delivery_report, provider, provider_message_id, status, detail, queue="high",
                            retry=REPORT_RETRY)


def bill_charge(charge_id: int) -> str:
    """Hand one queued charge to the premium provider; a refusal stops the payment (the citizen is told)."""
    services = bootstrap.current()
    outcome = billing.bill_charge(services.uow(), services.premium_biller, services.catalogs, charge_id)
    return outcome.status


def delivery_report(provider: str, provider_message_id: str, status: str, detail: str | None = None) -> str:
    """Apply a provider's delivery report to the charge it names; bill the next message when one succeeded. A
    report that may overtake its charge's id raises (UnknownCharge): RQ tries again (REPORT_RETRY)."""
    services = bootstrap.current()
    outcome = billing.apply_provider_report(services.uow(), services.premium_biller, provider, provider_message_id,
                                            status, detail)
    if outcome.next_charge_id:
        enqueue_bill(services, outcome.next_charge_id)
    return outcome.status


def expire_charges() -> int:
    """Periodic: expire charges with no final report after 72 h, and hand over charges whose job was lost."""
    services = bootstrap.current()
    expired = expire_premium(services.uow())
    sender = services.premium_biller
    if not sender.bills_incoming:  # an incoming-billing sender waits for the citizen's next YES instead
        for charge_id in billing.stale_queued_charges(services.uow(), services.clock() - STALE_QUEUED):
            enqueue_bill(services, charge_id)
    return len(expired)
