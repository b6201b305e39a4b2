"""The complaints queue: support's complaints for support, the province's production complaints for its inspector."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from orders_core import queries
from orders_core.errors import ComplaintNotFound, NotAllowed, ShubbakError
from orders_core.lifecycle import Role
from orders_core.model import Actor, Complaint
from orders_core.services import move_complaint
from orders_core.services.complaints import COMPLAINT_TRANSITIONS, can_handle_complaint

from . import queries as staff_queries
from .access import allow, services
from .presentation import say, say_error

__all__ = ["bp", "complaints_for", "OPEN", "CLOSED"]

bp = Blueprint("complaints", __name__)
HANDLERS = (Role.INSPECTOR, Role.SUPPORT)
OPEN = ("open", "in_progress")
CLOSED = ("resolved", "dismissed")
CLOSED_DAYS = 90  # closed complaints listed: those filed within this many days, not the whole history


def complaints_for(uow, actor: Actor, statuses, limit: int = 200, since: datetime | None = None) -> list[Complaint]:
    """The complaints this actor handles, in these statuses (filed since `since`), the oldest first."""
    return staff_queries.complaints(uow, actor.role, actor.province_code, statuses, limit, since)


@bp.get("/complaints")
@allow(*HANDLERS)
def queue():
    """Open complaints (or closed ones, on request) with their transitions."""
    closed = request.args.get("closed") == "1"
    with services().uow() as uow:
        since = uow.now() - timedelta(days=CLOSED_DAYS) if closed else None
        found = complaints_for(uow, g.staff.actor, CLOSED if closed else OPEN, since=since)
        return render_template("staff/complaints.html", complaints=found, closed=closed,
                               transitions=COMPLAINT_TRANSITIONS)


@bp.post("/complaints/<reference>/move")
@allow(*HANDLERS)
def move(reference: str):
    """Take a complaint in hand, resolve or dismiss it."""
    with services().uow() as uow:
        complaint = queries.complaint_by_reference(uow, reference)
        if complaint is None or not can_handle_complaint(g.staff.actor, complaint):
            abort(404)  # another province's complaint is not shown to exist
    try:
        move_complaint(services().uow(), reference, request.form.get("target", ""), g.staff.actor,
                       request.form.get("note"))
    except (ComplaintNotFound, NotAllowed):
        abort(404)
    except ShubbakError as exc:
        say_error(exc)
    else:
        say("staff.done.complaint")
    return redirect(url_for(".queue"))
