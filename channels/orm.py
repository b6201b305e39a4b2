"""The channels' tables: every SMS of a conversation, in and out, with its segments and delivery status; and the
inbox of provider callbacks acknowledged but not yet processed."""
from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from orders_core.columns import UTC, Id, metadata

__all__ = ["sms_messages", "inbox", "simulator_messages"]


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
    Index("ix_sms_messages_waiting", "status", "updated_at"),  # replies queued whose send job was lost
)


# A callback answered 200 is stored here first, so that it outlives the Redis queue holding its job.
inbox = Table(
    "inbox", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("provider", String(32), nullable=False),
    Column("kind", String(16), nullable=False),  # "sms", "whatsapp" or "report"
    Column("provider_message_id", String(100), nullable=False),
    Column("provider_status", String(40), nullable=False),  # a report's word ("Success", "delivered"); else ""
    # An incoming SMS: its number and text, stored once in sms_messages (the conversation's record).
    Column("sms_id", Id, ForeignKey("sms_messages.id", ondelete="SET NULL")),
    Column("payload", JSON),  # the rest of what processing needs; emptied once done
    Column("received_at", UTC, nullable=False),
    Column("enqueued_at", UTC),  # last handed to a queue; none when the queue could not take it
    Column("lease_until", UTC),  # a job is processing it until then
    Column("done_at", UTC),
    Column("attempts", Integer, nullable=False),  # hand-overs to a queue
    # The provider's identity of the callback: a replay is a no-op here even when Redis forgot it.
    UniqueConstraint("provider", "kind", "provider_message_id", "provider_status", name="uq_inbox_callback"),
    Index("ix_inbox_waiting", "done_at", "enqueued_at"),
)

# What the simulated phones of the embedded default sent and received (channels.handset).
simulator_messages = Table(
    "simulator_messages", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("contact", String(80), nullable=False),  # the simulated phone's E.164 number
    Column("channel", String(12), nullable=False),  # ussd, sms, whatsapp
    Column("direction", String(3), nullable=False),  # in: the phone sent it; out: the phone received it
    # What sent it: typed, reply, premium, template, screen (a USSD screen); notifications are told apart on
    # reading, by their provider message id.
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("provider_message_id", String(100)),
    Column("session", String(100)),  # a USSD session, so that its transcript reads as one conversation
    Column("created_at", UTC, nullable=False),
    Index("ix_simulator_messages_contact", "contact", "id"),
)
