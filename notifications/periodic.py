"""Staff messages made on a schedule rather than by an event: agents' digests, supervisors' late lists."""
from __future__ import annotations

import logging

from orders_core.errors import ConcurrentChange

from . import staff, store
from .dispatch import store_planned

__all__ = ["agent_digests", "late_reports"]

log = logging.getLogger(__name__)


def _store_each(uow, notifier, users, plan) -> list[int]:
    """Plan and store one message per user, each in its own transaction; return the ids due now."""
    due = []
    for user_id in users:
        with uow:
            try:
                planned = plan(uow, store.user(uow, user_id))
                message = store_planned(uow, notifier, planned) if planned else None
                uow.commit()
            except ConcurrentChange:  # a concurrent run planned it first (same key or notice)
                log.info("message for user %d already planned by a concurrent run", user_id)
                continue
            if message is not None and message.enqueued_at is not None:
                due.append(message.id)
    return due


def agent_digests(uow, notifier) -> list[int]:
    """Digest newly received orders to their office's agents; nothing during quiet hours (the morning one
    then tells everything that came in the night)."""
    with uow:
        now = uow.now()
        if notifier.quiet.holds(now):
            return []
        users = [user.id for user in staff.agents_to_tell(uow)]
    return _store_each(uow, notifier, users, lambda u, user: staff.plan_digest(u, user, now, notifier.digest_spacing))


def late_reports(uow, notifier) -> list[int]:
    """Once a day, from the configured local time, each supervisor gets the list of their office's late orders:
    all lists planned in one transaction of a few statements, each stored in its own."""
    with uow:
        now = uow.now()
        local = notifier.quiet.local(now)
        if local.time() < notifier.late_report_at or notifier.quiet.holds(now):
            return []
        lists = staff.late_reports_due(uow, now, local.date().isoformat())
    due = []
    for planned in lists:
        with uow:
            try:
                message = store_planned(uow, notifier, planned)
                uow.commit()
            except ConcurrentChange:  # a concurrent run stored this list first (same key)
                log.info("late list for user %d already stored by a concurrent run", planned.user_id)
                continue
            if message is not None and message.enqueued_at is not None:
                due.append(message.id)
    return due
