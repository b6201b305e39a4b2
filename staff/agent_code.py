"""An agent's SMS code: set in the staff view, stored as a keyed hash, asked of every SMS command
(dialog.agent_commands), so that a spoofed sender number acts on nothing."""
from __future__ import annotations

import re

from flask import Blueprint, g, redirect, render_template, request, url_for

from orders_core.lifecycle import Role
from orders_core.model import User
from orders_core.redaction import code_hash

from .access import allow, services
from .presentation import say

__all__ = ["bp", "set_agent_code", "CODE"]

bp = Blueprint("sms_code", __name__)
CODE = re.compile(r"[0-9]{4,8}")


def set_agent_code(uow, user_id: int, code: str, secret: str) -> None:
    """Store the keyed hash of a new code (the code itself is never stored)."""
    with uow:
        uow.get(User, user_id).agent_code_hash = code_hash(secret, code)
        uow.commit()


@bp.route("/sms-code", methods=("GET", "POST"))
@allow(Role.AGENT, Role.SUPERVISOR)
def sms_code():
    """Set the code an agent's SMS commands need."""
    if request.method == "POST":
        code = (request.form.get("code") or "").strip()
        if not CODE.fullmatch(code):
            say("privacy.code.invalid", "error")
        else:
            set_agent_code(services().uow(), g.staff.id, code, services().settings.secret_key)
            say("privacy.code.saved")
        return redirect(url_for(".sms_code"))
    with services().uow() as uow:
        has_code = bool(uow.get(User, g.staff.id).agent_code_hash)
    return render_template("staff/sms_code.html", has_code=has_code, hours=services().settings.agent_code_hours)
