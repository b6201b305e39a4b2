"""Support's pages: the escalation inbox, a conversation with its reply box, and order lookup."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from notifications.optouts import opt_outs_of, suppressed_of
from orders_core import queries
from orders_core.errors import InvalidInput, MalformedReference, NotFound, OrderNotFound, ShubbakError
from orders_core.lifecycle import Role
from notifications import WHATSAPP
from orders_core.model import Escalation
from orders_core.phones import normalise_phone
from orders_core.references import to_ascii_digits
from orders_core.services import (
    add_escalation_message, close_escalation, order_for_reference,
)

from . import queries as staff_queries
from .access import allow, services
from .presentation import say, say_error

__all__ = ["bp", "find_orders"]

bp = Blueprint("support", __name__)


@bp.get("/escalations")
@allow(Role.SUPPORT)
def inbox():
    """Open conversations handed over by the bot, the longest waiting first."""
    with services().uow() as uow:
        rows = staff_queries.open_escalations(uow, limit=200)
        return render_template("staff/inbox.html", rows=rows)


@bp.get("/escalations/<int:escalation_id>")
@allow(Role.SUPPORT)
def conversation(escalation_id: int):
    """A conversation's transcript, the citizen's recent orders and credit, and the reply box."""
    with services().uow() as uow:
        escalation = uow.get(Escalation, escalation_id)
        if escalation is None:
            abort(404)
        contacts = [c for c in (escalation.contact, escalation.phone) if c]
        orders = queries.orders_of_contact(uow, contacts, limit=5)
        balance = uow.credit_balance(escalation.phone or escalation.contact)
        return render_template("staff/conversation.html", escalation=escalation, orders=orders, balance=balance,
                               sent_on=replies_sent_on(uow, escalation.contact), **_opt_outs(uow, contacts))


def replies_sent_on(uow, contact: str) -> dict[int, str]:
    """The channel each support reply to this contact really went out on (WhatsApp, or SMS: by fail-over too), by
    transcript message id; a reply not sent yet is not in it."""
    rows = staff_queries.support_replies(uow, contact)
    return {payload["message_id"]: WHATSAPP if provider == WHATSAPP else (channel if not provider else "sms")
            for payload, provider, channel in rows if provider or channel}


@bp.post("/escalations/<int:escalation_id>/reply")
@allow(Role.SUPPORT)
def reply(escalation_id: int):
    """Send a reply: it is published to the outbox and goes out on the citizen's channel."""
    try:
        add_escalation_message(services().uow(), escalation_id, "out", g.staff.username, request.form.get("text", ""))
    except NotFound:
        abort(404)
    except ShubbakError as exc:
        say_error(exc)
    else:
        say("staff.done.reply")
    return redirect(url_for(".conversation", escalation_id=escalation_id))


@bp.post("/escalations/<int:escalation_id>/close")
@allow(Role.SUPPORT)
def close(escalation_id: int):
    """Close a conversation: the bot answers this citizen again."""
    try:
        close_escalation(services().uow(), escalation_id, g.staff.username)
    except NotFound:
        abort(404)
    say("staff.done.close")
    return redirect(url_for(".inbox"))


def find_orders(uow, text: str) -> tuple[list, str | None, str | None]:
    """Orders matching a typed reference or phone number; the phone found, and the key of what went wrong."""
    # References start with 1 to 9; a number starting with 0 or + is a phone number (06..., 07..., +33...).
    if to_ascii_digits(text).lstrip()[:1] in ("0", "+"):
        return _orders_of_phone(uow, text)
    try:
        return [order_for_reference(uow, text)], None, None
    except OrderNotFound:
        return [], None, "staff.error.no_such_order"
    except MalformedReference:
        pass  # not ten digits: perhaps a phone number
    except ShubbakError as exc:
        return [], None, f"staff.error.{exc.code}"
    return _orders_of_phone(uow, text)


def _orders_of_phone(uow, text: str) -> tuple[list, str | None, str | None]:
    try:
        phone = normalise_phone(to_ascii_digits(text))
    except InvalidInput:
        return [], None, "staff.lookup.not_understood"
    return queries.orders_of_contact(uow, [phone], limit=20), phone, None


@bp.route("/lookup", methods=("GET", "POST"))
@allow(Role.SUPPORT)
def lookup():
    """Find orders by reference (with or without spaces) or by the citizen's phone number."""
    # The form posts, so that a phone number searched for never sits in a URL (access logs, proxies, history);
    # `?q=` still opens a reference from a link, and the access log masks it (web.webhooks.AccessLogRedaction).
    text = ((request.form if request.method == "POST" else request.args).get("q") or "").strip()[:40]
    with services().uow() as uow:
        orders, phone, problem = find_orders(uow, text) if text else ([], None, None)
        return render_template("staff/lookup.html", q=text, orders=orders, phone=phone, problem=problem,
                               credit=uow.credit_balance(phone) if phone else None, **_opt_outs(uow, [phone]))


def _opt_outs(uow, contacts) -> dict:
    """What support sees of a citizen's opt-outs: each channel's standing, and the notifications not sent."""
    return {"opt_outs": opt_outs_of(uow, contacts), "suppressed": suppressed_of(uow, contacts)}
