"""Named read of notifications for the phone simulator (web.simulator builds no SQL): which of the messages a
simulated phone received were notifications. Kept apart from notifications.store, the services' store."""
from __future__ import annotations

from sqlalchemy import select

from .orm import notification_messages

__all__ = ["kinds_by_provider_id"]


def kinds_by_provider_id(engine, message_ids: list[str]) -> dict[str, tuple[str, str]]:
    """The notifications among these provider message ids: id -> (kind, text)."""
    if not message_ids:
        return {}
    t = notification_messages.c
    with engine.connect() as conn:
        rows = conn.execute(select(t.provider_message_id, t.kind, t.text).where(t.provider_message_id.in_(message_ids)))
        return {row.provider_message_id: (row.kind, row.text) for row in rows}
