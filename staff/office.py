"""The office's pages: the queue, an order and what may be done to it, the cover sheet, the agents' workload."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from orders_core import queries
from orders_core.errors import InvalidInput, MalformedReference, OrderNotFound, ShubbakError
from orders_core.lifecycle import ACTIVE, Role, Status
from orders_core.services import (
    REJECTION_REASONS, advance_order, dispatch_order, is_late, order_for_reference, order_for_staff, reassign_order,
    reject_order,
    search_offices, take_order, tracking_view,
)
from orders_core.services.office_work import ADVANCE_TARGETS, order_actions
from orders_core.services.tracking import dispatch_deadline

from . import charts, figures
from . import queries as staff_queries
from .access import OFFICE_ROLES, ORDER_VIEWERS, StaffMember, allow, services
from .presentation import local_today, say, say_error

__all__ = ["bp", "ACTIONS", "available_actions"]

bp = Blueprint("office", __name__)
# What the office still has to act on (a returned envelope goes out again); dispatched ones only on request.
IN_HAND = (*ACTIVE, Status.RETURNED)
QUEUE_STAGES = (Status.RECEIVED, Status.IN_PROGRESS, Status.READY, Status.RETURNED, Status.DISPATCHED)
# Each action of the order page: the service call it makes with the posted form.
ACTIONS = {
    "take": lambda uow, order_id, actor, form: take_order(uow, order_id, actor),
    "advance": lambda uow, order_id, actor, form: advance_order(uow, order_id, form["target"], actor,
                                                                form.get("note")),
    "reject": lambda uow, order_id, actor, form: reject_order(uow, order_id, form.get("reason", ""), actor,
                                                              form.get("note")),
    "dispatch": lambda uow, order_id, actor, form: dispatch_order(uow, order_id, form.get("barcode", ""), actor),
    "reassign": lambda uow, order_id, actor, form: reassign_order(uow, order_id, form.get("office_code", "").strip(),
                                                                  form.get("reason", ""), actor),
}
def available_actions(order, member: StaffMember) -> dict:
    """The actions the order page offers this member: {action: True} or {"advance": [targets]}."""
    return order_actions(order, member.role, member.id)


@bp.get("/queue")
@allow(*OFFICE_ROLES)
def queue():
    """The office's orders in hand, late ones first, optionally one stage only."""
    stage = request.args.get("stage") if request.args.get("stage") in QUEUE_STAGES else ""
    with services().uow() as uow:
        now = uow.now()
        orders = queries.office_queue(uow, g.staff.office_code, [stage] if stage else IN_HAND)
        rows = sorted(((o, is_late(o, now), dispatch_deadline(o)) for o in orders),
                      key=lambda row: (not row[1], row[0].paid_at or row[0].created_at, row[0].id))
        return render_template("staff/queue.html", rows=rows, stage=stage, stages=QUEUE_STAGES,
                               names=_agent_names(uow, g.staff.office_code), typed_ref=request.args.get("ref", "")[:40])


def _agent_names(uow, office_code: str) -> dict:
    return staff_queries.agent_names(uow, office_code)


def _visible_order(uow, order_id: int):
    try:
        return order_for_staff(uow, order_id, g.staff.actor)
    except OrderNotFound:
        abort(404)  # another office's order looks exactly like one that does not exist


@bp.get("/orders/<int:order_id>")
@allow(*ORDER_VIEWERS)
def order(order_id: int):
    """One order: what was asked, its stages, payments, and the actions open to the viewer."""
    return _order_page(order_id)


def _order_page(order_id: int, typed: dict | None = None) -> str:
    """The order page; `typed` holds, by action, the values of a form refused, to show them again."""
    office_search = (request.args.get("office_q") or "").strip()[:100]
    matches = search_offices(services().uow(), office_search).items if office_search else ()
    with services().uow() as uow:  # rendered inside, so that the template may read the order's relations
        found = _visible_order(uow, order_id)
        return render_template("staff/order.html", order=found, tracking=tracking_view(found, uow.now()),
                               actions=available_actions(found, g.staff), reasons=REJECTION_REASONS,
                               names=_agent_names(uow, found.office_code), office_search=office_search,
                               matches=matches, typed=typed or {})


@bp.get("/find")
@allow(*OFFICE_ROLES)
def find():
    """An order of the office by its reference (typed with or without spaces): straight to its page."""
    text = (request.args.get("ref") or "").strip()[:40]
    try:
        with services().uow() as uow:
            found = order_for_staff(uow, order_for_reference(uow, text).id, g.staff.actor)
            return redirect(url_for(".order", order_id=found.id))
    except ShubbakError as exc:
        # Another office's order is told apart from none at all by nobody: both are "no such order here".
        say(f"staff.error.{exc.code}" if isinstance(exc, MalformedReference) else "staff.find.none", "error",
            ref=text)
    return redirect(url_for(".queue", ref=text))


@bp.post("/orders/<int:order_id>/<action>")
@allow(*OFFICE_ROLES)
def act(order_id: int, action: str):
    """Take, advance, reject, dispatch or reassign an order of the office."""
    if action not in ACTIONS:
        abort(404)
    form = request.form.to_dict()
    if action == "advance" and form.get("target") not in ADVANCE_TARGETS:
        say("staff.error.invalid_input", "error", fields="target")
        return redirect(url_for(".order", order_id=order_id))
    try:
        ACTIONS[action](services().uow(), order_id, g.staff.actor, form)
    except OrderNotFound:
        abort(404)
    except InvalidInput as exc:
        say_error(exc)
        return _order_page(order_id, typed={action: form}), 422  # the page again, with what was typed
    except ShubbakError as exc:
        say_error(exc)
        return redirect(url_for(".order", order_id=order_id))
    say(f"staff.done.{action}")
    # A reassigned order has left the office: back to the queue.
    return redirect(url_for(".queue") if action == "reassign" else url_for(".order", order_id=order_id))


@bp.get("/orders/<int:order_id>/cover")
@allow(*OFFICE_ROLES)
def cover(order_id: int):
    """A printable cover sheet to go with the documents into the sealed envelope's file."""
    with services().uow() as uow:
        return render_template("staff/cover.html", order=_visible_order(uow, order_id))


@bp.get("/workload")
@allow(Role.SUPERVISOR)
def workload():
    """What each agent of the office holds, and the office's orders per day."""
    settings = services().settings
    with services().uow() as uow:
        now = uow.now()
        people = figures.workload(uow, g.staff.office_code, now - timedelta(days=7))
        waiting = queries.office_count(uow, g.staff.office_code, [Status.RECEIVED])
        today = local_today()
        per_day = figures.orders_per_day(uow, [g.staff.office_code], today - timedelta(days=13), today,
                                         settings.timezone)
    chart = charts.columns([(d.strftime("%d/%m"), n) for d, n in per_day])
    return render_template("staff/workload.html", people=people, waiting=waiting, chart=chart)
