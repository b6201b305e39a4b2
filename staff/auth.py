"""Logging in and out, and choosing the language of the staff view."""
from __future__ import annotations

import logging

from flask import Blueprint, g, make_response, redirect, render_template, request, session, url_for

from orders_core import queries
from orders_core.model import User
from orders_core.validation import LANGUAGES

from .access import HOME, allow, end_every_session, end_session, public, safe_next, services, start_session
from .accounts import refresh_password_hash
from .lockout import LoginGuard
from .passwords import decoy_hash, hash_password, needs_rehash, verify_password
from .presentation import say

__all__ = ["bp", "login_guard", "too_many_logins"]

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)


def login_guard() -> LoginGuard:
    """The lock-out of this request's client address (web.limits slows a much-failed account down as a whole)."""
    svc = services()
    return LoginGuard(svc.redis, svc.clock, svc.settings.staff_lockout_failures, svc.settings.staff_lockout_minutes,
                      address=request.remote_addr or "")


def too_many_logins():
    """The login page, saying to wait (the rate limits' answer)."""
    return make_response(_refused("privacy.login.slow", 429))


@bp.get("/")
@allow(*HOME)
def home():
    """Send a logged-in member to their role's first page."""
    return redirect(url_for(HOME[g.staff.role]))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The login form; a good password opens a fresh session, repeated bad ones lock the account."""
    if request.method == "GET":
        return render_template("staff/login.html", next=request.args.get("next", ""))
    username = (request.form.get("username") or "").strip()[:64]
    guard = login_guard()
    if guard.locked_until(username):
        log.warning("login refused: account locked")
        return _refused("staff.login.locked", 429)
    user = _checked_user(username, request.form.get("password") or "")
    if user is None:
        locked = guard.failed(username)
        log.info("login failed%s", " and locked the account" if locked else "")
        return _refused("staff.login.locked" if locked else "staff.login.failed", 401)
    guard.succeeded(username)
    start_session(user)
    return redirect(safe_next(request.form.get("next"), url_for(HOME[user.role])))


def _checked_user(username: str, password: str) -> User | None:
    with services().uow() as uow:
        user = queries.user_by_username(uow, username) if username else None
    if user is None or not user.active:
        verify_password(decoy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        refresh_password_hash(services().uow(), user.id, hash_password(password))
    return user


def _refused(key: str, status: int):
    return render_template("staff/login.html", problem=key, next=request.form.get("next", "")), status


@bp.post("/logout")
@allow(*HOME)
def logout():
    """End the session, and every other session of this account (a cookie copied before logout opens nothing)."""
    end_every_session(services().uow(), g.staff.id)
    end_session()
    say("staff.login.logged_out")
    return redirect(url_for("staff.auth.login"))


@bp.post("/language")
@public
def language():
    """Switch the language of the staff view, staying on the same page."""
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("staff.auth.login")))
