"""The channels' table: every SMS of a conversation, in and out, with its segments and delivery status."""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from orders_core.columns import UTC, Id, metadata

__all__ = ["sms_messages"]


sms_messages = Table(
    "sms_messages", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("direction", String(3), nullable=False),  # "in" or "out"
    Column("contact", String(80), nullable=False, index=True),  # the citizen's E.164 number
    Column("text", Text, nullable=False),
    Column("segments", Integer, nullable=False),
    Column("encoding", String(8), nullable=False),
    Column("provider", String(32)),  # in: who brought it; out: who accepted it
    Column("provider_message_id", String(100)),
    # in: received; out: queued, sending, sent, delivered, read, failed, undelivered, rejected, expired
    Column("status", String(16), nullable=False),
    Column("detail", String(120)),  # a failure reason or a provider's word we do not know
    Column("reply_to", String(140), unique=True),  # out: the message answered, so that it is answered once
    Column("created_at", UTC, nullable=False),
    Column("updated_at", UTC, nullable=False),
    Index("ix_sms_messages_provider_message", "provider", "provider_message_id"),
)
