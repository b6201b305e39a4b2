"""Tables of the payment package (on the shared MetaData) and their mapping onto its domain classes."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import registry

from orders_core.columns import UTC, Id, metadata

from . import model

__all__ = ["start_mappers", "premium_payments", "premium_charges", "card_batches", "cards", "card_redemptions",
           "pin_failures"]

# A registry of our own: orders_core's start_mappers() maps only when its registry is still empty.
mapper_registry = registry(metadata=metadata)


def _pk():
    return Column("id", Id, primary_key=True, autoincrement=True)


premium_payments = Table(
    "premium_payments", metadata, _pk(),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("reference", String(10), nullable=False), Column("contact", String(80), nullable=False),
    Column("language", String(2), nullable=False), Column("short_code", String(16), nullable=False),
    Column("keyword", String(32), nullable=False), Column("link_id", String(120)),
    Column("price", Integer, nullable=False), Column("messages", Integer, nullable=False),
    Column("status", String(12), nullable=False), Column("stop_reason", String(40)),
    Column("created_at", UTC, nullable=False), Column("confirmed_at", UTC), Column("closed_at", UTC),
    Index("ix_premium_payments_contact_status", "contact", "status"),
)
premium_charges = Table(
    "premium_charges", metadata, _pk(),
    Column("payment_id", ForeignKey("premium_payments.id"), nullable=False, index=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("provider", String(24), nullable=False), Column("short_code", String(16), nullable=False),
    Column("link_id", String(120)), Column("provider_message_id", String(120), unique=True),
    Column("step", Integer, nullable=False), Column("amount", Integer, nullable=False),
    Column("status", String(12), nullable=False, index=True), Column("failure_reason", String(40)),
    Column("created_at", UTC, nullable=False, index=True), Column("sent_at", UTC), Column("final_at", UTC, index=True),
)
card_batches = Table(
    "card_batches", metadata, _pk(), Column("value", Integer, nullable=False), Column("size", Integer, nullable=False),
    Column("created_by", String(80), nullable=False), Column("created_at", UTC, nullable=False),
    Column("expires_at", UTC, nullable=False), Column("exported_at", UTC),
    # How many of its cards are in each status, kept by the writes that change a card's status (payments_sms.cards):
    # the card-batch page reads them here, never counting cards, however many were printed.
    Column("printed_cards", Integer, nullable=False, server_default="0"),
    Column("active_cards", Integer, nullable=False, server_default="0"),
    Column("blocked_cards", Integer, nullable=False, server_default="0"),
)
cards = Table(
    "cards", metadata, _pk(), Column("serial", String(16), nullable=False, unique=True),
    Column("batch_id", ForeignKey("card_batches.id"), nullable=False, index=True),
    Column("value", Integer, nullable=False), Column("pin_hash", String(64), nullable=False, unique=True),
    Column("status", String(10), nullable=False), Column("created_at", UTC, nullable=False),
    Column("expires_at", UTC, nullable=False), Column("activated_at", UTC), Column("blocked_at", UTC),
    Column("block_reason", String(80)),
    Index("ix_cards_batch_status", "batch_id", "status"),  # the card-batch page counts from the index alone
)
card_redemptions = Table(
    "card_redemptions", metadata, _pk(),
    Column("card_id", ForeignKey("cards.id"), nullable=False, index=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("amount", Integer, nullable=False), Column("contact_key", String(64), nullable=False),
    Column("channel", String(16), nullable=False), Column("at", UTC, nullable=False, index=True),
)
# One row per wrong PIN; `key` is a keyed hash of the contact, or a card serial (never a phone number in clear).
pin_failures = Table(
    "pin_failures", metadata, _pk(), Column("scope", String(8), nullable=False),
    Column("key", String(64), nullable=False), Column("at", UTC, nullable=False, index=True),
    Index("ix_pin_failures_scope_key_at", "scope", "key", "at"),
)


def start_mappers() -> None:
    """Map the payment classes onto their tables, once per process."""
    if mapper_registry.mappers:
        return
    m = mapper_registry.map_imperatively
    m(model.PremiumPayment, premium_payments)
    m(model.Charge, premium_charges)
    m(model.CardBatch, card_batches)
    m(model.Card, cards)
    m(model.Redemption, card_redemptions)
    m(model.PinFailure, pin_failures)
