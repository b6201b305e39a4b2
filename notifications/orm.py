"""Tables of the notifications package (on the shared MetaData) and their mapping onto its classes."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import registry, relationship

from orders_core.orm import UTC, Id, metadata

from . import model

__all__ = ["start_mappers", "notification_messages", "notification_events", "agent_notices"]

# A registry of our own: orders_core's start_mappers() maps only while its registry is still empty.
mapper_registry = registry(metadata=metadata)


def _pk():
    return Column("id", Id, primary_key=True, autoincrement=True)


notification_messages = Table(
    "notification_messages", metadata, _pk(),
    # Unique: the same outbox row (or digest slot) handled twice cannot plan the same message twice.
    Column("key", String(160), nullable=False, unique=True),
    Column("audience", String(12), nullable=False), Column("kind", String(32), nullable=False),
    Column("template", String(64), nullable=False), Column("language", String(2), nullable=False),
    Column("channel", String(16)), Column("contact", String(80)), Column("recipient", String(20)),
    Column("text", Text, nullable=False), Column("segments", Integer, nullable=False),
    # The values the text was written with: a WhatsApp template, chosen at send time, is filled with them.
    Column("variables", JSON),
    Column("urgent", Boolean, nullable=False), Column("status", String(12), nullable=False),
    Column("provider", String(24)), Column("provider_message_id", String(80)),
    Column("attempts", Integer, nullable=False), Column("provider_attempts", Integer, nullable=False),
    Column("next_attempt_at", UTC), Column("lease_until", UTC), Column("enqueued_at", UTC),
    Column("last_error", String(200)), Column("outbox_id", Id),
    Column("order_id", ForeignKey("orders.id"), index=True), Column("user_id", ForeignKey("users.id")),
    Column("created_at", UTC, nullable=False), Column("updated_at", UTC, nullable=False), Column("sent_at", UTC),
    Index("ix_notification_messages_due", "status", "next_attempt_at"),
    Index("ix_notification_messages_provider_id", "provider", "provider_message_id"),
    Index("ix_notification_messages_user_kind", "user_id", "kind", "created_at"),
    Index("ix_notification_messages_updated_at", "updated_at"),  # the retention job's oldest rows first
    # A conversation's page (support replies, messages held back by an opt-out), refreshed every 10 s
    Index("ix_notification_messages_contact_kind", "contact", "kind"),
)
notification_events = Table(
    "notification_events", metadata, _pk(),
    Column("message_id", ForeignKey("notification_messages.id"), nullable=False, index=True),
    Column("status", String(24), nullable=False), Column("provider", String(24)),
    Column("at", UTC, nullable=False), Column("detail", String(200)),
)
agent_notices = Table(
    "agent_notices", metadata, _pk(),
    Column("user_id", ForeignKey("users.id"), nullable=False), Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("message_id", ForeignKey("notification_messages.id"), nullable=False, index=True),
    Column("at", UTC, nullable=False),
    UniqueConstraint("user_id", "order_id", name="uq_agent_notices_user_order"),
)


def start_mappers() -> None:
    """Map the notification classes onto their tables, once per process."""
    if mapper_registry.mappers:
        return
    m = mapper_registry.map_imperatively
    m(model.NotificationEvent, notification_events)
    m(model.Notification, notification_messages, properties={
        "events": relationship(model.NotificationEvent, order_by=notification_events.c.id,
                               cascade="all, delete-orphan"),
    })
    m(model.AgentNotice, agent_notices)
