"""Retention: what citizens wrote and were answered is personal data kept only as long as it serves them.

Message texts (sms_messages), stored callbacks (the inbox, whose payloads hold WhatsApp texts and numbers) and
conversation transcripts (escalation_messages) are deleted once older than SHUBBAK_RETENTION_DAYS (default 90).
Orders, their events, payments, credits and card redemptions stay: they are the service's and finance's records.
Outbox and notification rows are kept by their own rules (notifications). The README lists every table.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import bootstrap
from channels.orm import inbox, sms_messages
from orders_core.orm import escalation_messages
from orders_core.purging import purge_rows

__all__ = ["purge_personal_data", "purge_before", "PURGED"]

log = logging.getLogger(__name__)
# table -> its moment column: rows older than the retention period go.
PURGED = ((inbox, inbox.c.received_at), (sms_messages, sms_messages.c.created_at),
          (escalation_messages, escalation_messages.c.at))


def purge_personal_data() -> dict[str, int]:
    """Periodic: delete the message texts, inbox rows and transcript lines older than the retention period."""
    services = bootstrap.current()
    cutoff = services.clock() - timedelta(days=services.settings.retention_days)
    purged = purge_before(services.uow, cutoff)
    if any(purged.values()):
        log.info("retention: purged %s", ", ".join(f"{n} {name}" for name, n in purged.items()))
    return purged


def purge_before(uow_factory, cutoff) -> dict[str, int]:
    """Delete every purged table's rows older than `cutoff`, in batches (the inbox first: it refers to SMS)."""
    return {table.name: purge_rows(uow_factory, table, moment, cutoff) for table, moment in PURGED}
