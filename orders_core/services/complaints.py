"""Complaints: filed by citizens about an order or not, handled by support or the province's inspector."""
from __future__ import annotations

from .. import complaint_queries, queries
from ..errors import ComplaintNotFound, IllegalTransition, InvalidInput, NotAllowed, OrderNotFound
from ..lifecycle import Role
from ..model import Actor, Complaint, ComplaintEvent
from ..validation import LANGUAGES, Problems, clean_text
from .ordering import order_for_reference

__all__ = ["CATEGORIES", "COMPLAINT_TRANSITIONS", "file_complaint", "move_complaint", "can_handle_complaint",
           "last_complaint_id", "recent_complaint", "attach_files", "ATTACHMENT_LIMIT"]

CATEGORIES = ("late", "not_received", "wrong_data", "payment", "rejected", "other")
# Complaints about producing the document go to the inspector of the office's province.
_INSPECTOR_CATEGORIES = frozenset({"late", "not_received", "wrong_data", "rejected"})
COMPLAINT_TRANSITIONS = {
    "open": ("in_progress", "resolved", "dismissed"),
    "in_progress": ("resolved", "dismissed"),
}
TEXT_LIMIT = 2000
ATTACHMENT_LIMIT = 10  # files kept with one complaint


def file_complaint(uow, contact: str, category: str, text: str, *, language: str, channel: str,
                   order_reference: str | None = None, phone: str | None = None,
                   attachments: list | None = None) -> Complaint:
    """Record a complaint and route it; a citizen may complain only about their own orders."""
    problems = Problems()
    problems.check(category in CATEGORIES, "category", f"one of {', '.join(CATEGORIES)}")
    body = clean_text(text, TEXT_LIMIT)
    problems.check(body is not None, "text", "say what went wrong")
    problems.check(language in LANGUAGES, "language", f"one of {', '.join(LANGUAGES)}")
    problems.raise_if_any(InvalidInput)
    with uow:
        order = _own_order(uow, order_reference, [contact, phone]) if order_reference else None
        complaint = Complaint(
            reference=uow.fresh_reference(Complaint, "9"), order_id=order.id if order else None, contact=contact,
            phone=phone, language=language, channel=channel, category=category, text=body[:TEXT_LIMIT],
            status="open", attachments=list(attachments or [])[:ATTACHMENT_LIMIT], created_at=uow.now(),
            resolution_note=None,
            **_route(category, order),
        )
        complaint.events = [ComplaintEvent(from_status=None, to_status="open", actor_id=contact, role=Role.CITIZEN,
                                           channel=channel, at=uow.now(), note=None)]
        uow.add(complaint)
        uow.flush()
        uow.publish("complaint.filed", complaint_id=complaint.id, reference=complaint.reference,
                    assignee_role=complaint.assignee_role, province_code=complaint.province_code)
        uow.commit()
        return complaint


def _own_order(uow, reference: str, contacts: list):
    order = order_for_reference(uow, reference)
    if order.requester_contact not in contacts and order.requester_phone not in contacts:
        raise OrderNotFound(reference)
    return order


def _route(category: str, order) -> dict:
    if order is not None and category in _INSPECTOR_CATEGORIES:
        return {"assignee_role": Role.INSPECTOR.value, "province_code": order.office.commune.province_code}
    province = order.office.commune.province_code if order is not None else None
    return {"assignee_role": Role.SUPPORT.value, "province_code": province}


def can_handle_complaint(actor: Actor, complaint: Complaint) -> bool:
    """Support handles support's complaints; an inspector, those of their own province."""
    if actor.role == Role.SUPPORT:
        return complaint.assignee_role == Role.SUPPORT
    if actor.role == Role.INSPECTOR:
        return complaint.assignee_role == Role.INSPECTOR and complaint.province_code == actor.province_code
    return False


def move_complaint(uow, reference: str, target: str, actor: Actor, note: str | None = None) -> Complaint:
    """Take a complaint in hand, resolve or dismiss it (a note is required to close it)."""
    with uow:
        complaint = queries.complaint_by_reference(uow, reference)
        if complaint is None:
            raise ComplaintNotFound(reference)
        if not can_handle_complaint(actor, complaint):
            raise NotAllowed(f"complaint {reference} is not yours to handle")
        if target not in COMPLAINT_TRANSITIONS.get(complaint.status, ()):
            raise IllegalTransition(complaint.status, target, actor.role)
        note = clean_text(note, TEXT_LIMIT)
        if target in ("resolved", "dismissed") and not note:
            raise InvalidInput({"note": "say how the complaint was resolved or why it is dismissed"})
        complaint.events.append(ComplaintEvent(from_status=complaint.status, to_status=target, actor_id=actor.id,
                                               role=actor.role, channel=actor.channel, at=uow.now(), note=note))
        complaint.status = target
        complaint.assignee_id = int(actor.id) if str(actor.id).isdigit() else complaint.assignee_id
        if target in ("resolved", "dismissed"):
            complaint.resolution_note = note
        uow.publish("complaint.status_changed", complaint_id=complaint.id, reference=reference, to_status=target)
        uow.commit()
        return complaint


def last_complaint_id(uow, contacts: list[str]) -> int:
    """The id of the newest complaint filed from any of these contacts (0: none yet)."""
    with uow:
        return complaint_queries.last_complaint_id(uow, [c for c in contacts if c])


def recent_complaint(uow, contacts: list[str], since) -> tuple[int, str] | None:
    """The id and reference of the newest complaint filed from these contacts since `since`, if any."""
    with uow:
        found = complaint_queries.newest_complaint(uow, [c for c in contacts if c], since=since)
        return (found.id, found.reference) if found else None


def attach_files(uow, contacts: list[str], after_id: int, files: list[dict]) -> int | None:
    """Attach files (URL, type) to the newest complaint of these contacts filed after `after_id`; its id, or None
    when there is no such complaint or no file."""
    with uow:
        complaint = complaint_queries.newest_complaint(uow, [c for c in contacts if c], after_id=after_id, lock=True)
        if complaint is None or not files:
            return None
        complaint.attachments = [*complaint.attachments, *files][:ATTACHMENT_LIMIT]
        uow.commit()
        return complaint.id
