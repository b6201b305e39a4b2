"""The dialog's table: the people the bot talks to, their language, when they last wrote."""
from __future__ import annotations

from sqlalchemy import Column, String, Table

from orders_core.columns import UTC, Id, metadata

__all__ = ["contacts"]


contacts = Table(
    "contacts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # The channel's key for the person: an E.164 number (USSD, SMS), or a WhatsApp id ("whatsapp:...").
    Column("contact", String(80), nullable=False, unique=True),
    Column("phone", String(20), index=True),  # the E.164 number when known
    Column("language", String(2)),  # None until chosen
    # The USSD session in which the language was chosen: that session's screens began with the language menu,
    # which a rebuild from the session's inputs must know.
    Column("language_session", String(100)),
    Column("last_inbound_at", UTC),
    Column("created_at", UTC, nullable=False),
    # WhatsApp, as Twilio names the person: the address to answer ("whatsapp:+2126..." or an id), the WaId, and
    # Meta's business-scoped id, which may come without any phone number.
    Column("whatsapp_address", String(120)),
    Column("wa_id", String(40)),
    Column("external_user_id", String(100), unique=True),
    Column("whatsapp_at", UTC),  # their last WhatsApp message: free-form replies only within 24 hours of it
)
