"""Tables of the order core and their mapping onto the domain classes (SQLAlchemy imperative mapping)."""
from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text,
    UniqueConstraint, event, insert, update,
)
from sqlalchemy.orm import Session, object_session, registry, relationship

from . import model
from .columns import UTC, Id, metadata

__all__ = ["metadata", "mapper_registry", "start_mappers", "UTC", "Id", "directory_revision"]

mapper_registry = registry(metadata=metadata)


def _pk():
    return Column("id", Id, primary_key=True, autoincrement=True)


regions = Table("regions", metadata, Column("code", String(8), primary_key=True),
                Column("name_fr", String(120), nullable=False), Column("name_ar", String(120), nullable=False))
provinces = Table(
    "provinces", metadata, Column("code", String(8), primary_key=True),
    Column("region_code", ForeignKey("regions.code"), nullable=False, index=True),
    Column("kind", String(16), nullable=False), Column("name_fr", String(120), nullable=False),
    Column("name_ar", String(120), nullable=False),
)
communes = Table(
    "communes", metadata, Column("code", String(16), primary_key=True),
    Column("province_code", ForeignKey("provinces.code"), nullable=False, index=True),
    Column("name_fr", String(120), nullable=False), Column("name_ar", String(120), nullable=False),
)
offices = Table(
    "offices", metadata, Column("code", String(8), primary_key=True),
    Column("commune_code", ForeignKey("communes.code"), nullable=False, index=True),
    Column("name_fr", String(160), nullable=False), Column("name_ar", String(160), nullable=False),
    Column("arrondissement_fr", String(120)), Column("arrondissement_ar", String(120)),
    Column("service_days", Integer, nullable=False, default=3),
    Column("search_latin", Text, nullable=False, default=""), Column("search_arabic", Text, nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
)
# One row: bumped in the transaction of every change to an office, so that each process's search index
# (orders_core.services.directory) sees with one small read whether it must load the directory again.
directory_revision = Table(
    "directory_revision", metadata, Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision", Integer, nullable=False),
)
event.listen(directory_revision, "after_create",
             lambda table, connection, **kw: connection.execute(insert(table).values(id=1, revision=0)))
users = Table(
    "users", metadata, _pk(), Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False), Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False), Column("office_code", ForeignKey("offices.code"), index=True),
    Column("province_code", ForeignKey("provinces.code")), Column("phone", String(20), index=True),
    Column("language", String(2), nullable=False, default="fr"), Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTC, nullable=False),
    # Raised by logout, a password change or disabling: every session holding an older value ends.
    Column("session_version", Integer, nullable=False, default=0, server_default="0"),
    Column("agent_code_hash", String(255)),  # an agent's SMS code (staff.passwords hash), proof for SMS commands
)
orders = Table(
    "orders", metadata, _pk(), Column("reference", String(10), nullable=False, unique=True),
    Column("status", String(20), nullable=False, index=True), Column("version", Integer, nullable=False),
    Column("office_code", ForeignKey("offices.code"), nullable=False, index=True),
    Column("record_office_code", ForeignKey("offices.code"), nullable=False),
    Column("act_number", String(12), nullable=False), Column("record_year", Integer, nullable=False),
    Column("year_calendar", String(10), nullable=False),
    Column("family_name_latin", String(80)), Column("first_name_latin", String(80)),
    Column("family_name_ar", String(80)), Column("first_name_ar", String(80)),
    Column("father_first_name", String(80)), Column("mother_full_name", String(160)), Column("birth_date", Date),
    Column("requester_contact", String(80), nullable=False, index=True),
    Column("requester_phone", String(20), index=True), Column("requester_relation", String(16), nullable=False),
    Column("language", String(2), nullable=False), Column("channel", String(16), nullable=False),
    Column("delivery_zone", String(8), nullable=False), Column("delivery_country", String(2), nullable=False),
    Column("delivery_recipient", String(120)), Column("delivery_address", String(400)),
    Column("delivery_city", String(80)), Column("delivery_postal_code", String(16)),
    Column("price_base", Integer, nullable=False), Column("price_copies", Integer, nullable=False),
    Column("price_postage", Integer, nullable=False), Column("price_top_up", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("agent_id", ForeignKey("users.id")), Column("barcode", String(32)), Column("rejection_reason", String(32)),
    Column("created_at", UTC, nullable=False), Column("paid_at", UTC), Column("expires_at", UTC, nullable=False),
    # The staff pages and reports read a period or an office's orders in hand, never the whole history.
    Index("ix_orders_paid_at", "paid_at"), Index("ix_orders_created_at", "created_at"),
    Index("ix_orders_office_status", "office_code", "status"),
    Index("ix_orders_office_created", "office_code", "created_at"),
)
order_lines = Table(
    "order_lines", metadata, _pk(), Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("document", String(16), nullable=False), Column("copies", Integer, nullable=False),
)
order_events = Table(
    "order_events", metadata, _pk(), Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("from_status", String(20)), Column("to_status", String(20), nullable=False),
    Column("actor_id", String(80), nullable=False), Column("role", String(16), nullable=False),
    Column("channel", String(16), nullable=False), Column("office_code", String(8)),
    Column("at", UTC, nullable=False), Column("note", Text),
    Index("ix_order_events_office_at", "office_code", "at"),  # an office's stages and dispatches of a period
)
payments = Table(
    "payments", metadata, _pk(), Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("means", String(16), nullable=False), Column("source_ref", String(80), nullable=False),
    Column("amount", Integer, nullable=False), Column("applied", Integer, nullable=False),
    Column("at", UTC, nullable=False, index=True), UniqueConstraint("means", "source_ref", name="uq_payments_source"),
)
complaints = Table(
    "complaints", metadata, _pk(), Column("reference", String(10), nullable=False, unique=True),
    Column("order_id", ForeignKey("orders.id"), index=True), Column("contact", String(80), nullable=False, index=True),
    Column("phone", String(20)), Column("language", String(2), nullable=False),
    Column("channel", String(16), nullable=False), Column("category", String(16), nullable=False),
    Column("text", Text, nullable=False), Column("status", String(16), nullable=False, index=True),
    Column("assignee_role", String(16), nullable=False), Column("province_code", String(8), index=True),
    Column("assignee_id", ForeignKey("users.id")), Column("resolution_note", Text),
    Column("attachments", JSON, nullable=False, default=list),
    Column("created_at", UTC, nullable=False), Column("version", Integer, nullable=False),
    Index("ix_complaints_status_created", "status", "created_at"),  # a queue's complaints of a period
)
complaint_events = Table(
    "complaint_events", metadata, _pk(),
    Column("complaint_id", ForeignKey("complaints.id"), nullable=False, index=True),
    Column("from_status", String(16)), Column("to_status", String(16), nullable=False),
    Column("actor_id", String(80), nullable=False), Column("role", String(16), nullable=False),
    Column("channel", String(16), nullable=False), Column("at", UTC, nullable=False), Column("note", Text),
)
credit_entries = Table(
    "credit_entries", metadata, _pk(), Column("account", String(80), nullable=False, index=True),
    Column("amount", Integer, nullable=False), Column("reason", String(32), nullable=False),
    Column("order_id", ForeignKey("orders.id"), index=True), Column("at", UTC, nullable=False, index=True),
)
outbox = Table(
    "outbox", metadata, _pk(), Column("topic", String(48), nullable=False), Column("payload", JSON, nullable=False),
    Column("created_at", UTC, nullable=False), Column("enqueued_at", UTC), Column("done_at", UTC),
    Column("attempts", Integer, nullable=False, default=0),
    Index("ix_outbox_pending", "done_at", "enqueued_at"),
)
escalations = Table(
    "escalations", metadata, _pk(), Column("contact", String(80), nullable=False, index=True),
    Column("phone", String(20)), Column("channel", String(16), nullable=False),
    Column("language", String(2), nullable=False), Column("status", String(12), nullable=False, index=True),
    Column("reason", String(32), nullable=False), Column("order_id", ForeignKey("orders.id")),
    Column("assignee_id", ForeignKey("users.id")), Column("created_at", UTC, nullable=False), Column("closed_at", UTC),
)
escalation_messages = Table(
    "escalation_messages", metadata, _pk(),
    Column("escalation_id", ForeignKey("escalations.id"), nullable=False, index=True),
    Column("direction", String(3), nullable=False), Column("author", String(80), nullable=False),
    Column("text", Text, nullable=False), Column("at", UTC, nullable=False),
)


def start_mappers() -> None:
    """Map the domain classes onto the tables, once per process."""
    if mapper_registry.mappers:
        return
    m = mapper_registry.map_imperatively
    m(model.Region, regions)
    m(model.Province, provinces)
    m(model.Commune, communes)
    m(model.Office, offices, properties={"commune": relationship(model.Commune, lazy="joined")})
    _watch_directory()
    m(model.User, users)
    m(model.OrderLine, order_lines)
    m(model.OrderEvent, order_events)
    m(model.Payment, payments)
    m(model.Order, orders, version_id_col=orders.c.version, properties={
        "lines": relationship(model.OrderLine, order_by=order_lines.c.id, cascade="all, delete-orphan"),
        "events": relationship(model.OrderEvent, order_by=order_events.c.id, cascade="all, delete-orphan"),
        "payments": relationship(model.Payment, order_by=payments.c.id, cascade="all, delete-orphan"),
        "office": relationship(model.Office, foreign_keys=[orders.c.office_code]),
    })
    m(model.ComplaintEvent, complaint_events)
    m(model.Complaint, complaints, version_id_col=complaints.c.version, properties={
        "events": relationship(model.ComplaintEvent, order_by=complaint_events.c.id, cascade="all, delete-orphan"),
        "order": relationship(model.Order),
    })
    m(model.CreditEntry, credit_entries)
    m(model.OutboxMessage, outbox)
    m(model.EscalationMessage, escalation_messages)
    m(model.Escalation, escalations, properties={
        "messages": relationship(model.EscalationMessage, order_by=escalation_messages.c.id,
                                 cascade="all, delete-orphan"),
    })


def _watch_directory() -> None:
    """Bump the directory's revision once per flush that inserted, changed or deleted an office."""
    def touched(mapper, connection, office):
        object_session(office).info["directory_changed"] = True

    for name in ("after_insert", "after_update", "after_delete"):
        event.listen(model.Office, name, touched)
    event.listen(Session, "after_flush", _bump_revision)


def _bump_revision(session, flush_context) -> None:
    if session.info.pop("directory_changed", False):
        connection = session.connection()
        bumped = connection.execute(update(directory_revision).values(revision=directory_revision.c.revision + 1))
        if not bumped.rowcount:  # a database whose row was deleted by hand: start counting again
            connection.execute(insert(directory_revision).values(id=1, revision=1))
