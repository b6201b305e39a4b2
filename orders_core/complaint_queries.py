"""Queries of complaints by the contact that filed them (persistence side: SQL lives here, not in services)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from .model import Complaint

__all__ = ["newest_complaint", "last_complaint_id"]


def _filed_by(contacts: list[str]):
    return or_(Complaint.contact.in_(contacts), Complaint.phone.in_(contacts))


def newest_complaint(uow, contacts: list[str], *, since: datetime | None = None, after_id: int = 0,
                     lock: bool = False) -> Complaint | None:
    """The newest complaint filed from any of these contacts, after `since` and after the id `after_id`."""
    statement = select(Complaint).where(_filed_by(contacts), Complaint.id > after_id)
    if since is not None:
        statement = statement.where(Complaint.created_at >= since)
    statement = statement.order_by(Complaint.id.desc()).limit(1)
    return uow.one(statement.with_for_update() if lock else statement)


def last_complaint_id(uow, contacts: list[str]) -> int:
    """The id of the newest complaint filed from these contacts, 0 when none."""
    return uow.scalar(select(func.coalesce(func.max(Complaint.id), 0)).where(_filed_by(contacts)))
