"""RQ jobs of the inbox (channels.inbox): hand a stored callback to the job that processes it, carry a callback
the database could not store, and the periodic sweep that hands over again what no job finished (its job lost
with Redis, its worker dead, its contact busy too long).
"""
from __future__ import annotations

import logging
from datetime import timedelta

import bootstrap
from channels import inbox
from jobs.conversations import answer_sms, delivery_report
from jobs.payments import REPORT_RETRY
from jobs.whatsapp import answer_whatsapp

__all__ = ["JOBS", "enqueue", "carry", "sweep_inbox"]

log = logging.getLogger(__name__)
# Kind of callback -> the job processing it, by inbox id or carried; high queue: a citizen or a payment waits.
JOBS = {"sms": answer_sms, "whatsapp": answer_whatsapp, inbox.REPORT: delivery_report}
# A report may overtake our record of the message id it names: tried again a little later, as the payments' own.
_OPTIONS = {inbox.REPORT: {"retry": REPORT_RETRY}}


def enqueue(services, kind: str, inbox_id: int):
    """Queue the job of one stored callback."""
    return services.enqueue(JOBS[kind], inbox_id, queue="high", **_OPTIONS.get(kind, {}))


def carry(services, kind: str, values: dict, label: str):
    """Queue the job with the callback itself, when the database could not store it (Redis alone holds it then)."""
    # RQ logs a job's description: the default one would show the arguments, phone number and text included.
    return services.enqueue(JOBS[kind], values, queue="high", description=f"{JOBS[kind].__name__}({label})",
                            **_OPTIONS.get(kind, {}))


def sweep_inbox() -> int:
    """Periodic: queue again the stored callbacks no job finished, and forget those done long ago; how many were
    queued."""
    services = bootstrap.current()
    stuck = inbox.sweep(services.uow(), timedelta(seconds=services.settings.inbox_stuck_seconds))
    for row in stuck:
        enqueue(services, row.kind, row.id)
    if stuck:
        log.info("inbox: %d callback(s) queued again", len(stuck))
    inbox.purge(services.uow())
    return len(stuck)
