"""Who is logged in, for how long, and which role may open which page: checked before every staff view."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for

from orders_core.lifecycle import Role
from orders_core.model import Actor, User

__all__ = [
    "StaffMember", "allow", "public", "services", "load_staff", "start_session", "end_session",
    "end_every_session", "HOME",
    "NAVIGATION", "safe_next", "OFFICE_ROLES", "ORDER_VIEWERS",
]

OFFICE_ROLES = (Role.AGENT, Role.SUPERVISOR)
ORDER_VIEWERS = (Role.AGENT, Role.SUPERVISOR, Role.INSPECTOR, Role.SUPPORT)
# Where each role lands after logging in.
HOME = {
    Role.AGENT: "staff.office.queue", Role.SUPERVISOR: "staff.office.queue",
    Role.INSPECTOR: "staff.inspection.overview", Role.SUPPORT: "staff.support.inbox",
    Role.FINANCE: "staff.finance.overview", Role.ADMIN: "staff.admin.users",
}
# The links of each role's menu: (endpoint, catalog key).
NAVIGATION = {
    Role.AGENT: (("staff.office.queue", "staff.nav.queue"), ("staff.sms_code.sms_code", "privacy.nav.code")),
    Role.SUPERVISOR: (("staff.office.queue", "staff.nav.queue"), ("staff.office.workload", "staff.nav.workload"),
                      ("staff.sms_code.sms_code", "privacy.nav.code")),
    Role.INSPECTOR: (("staff.inspection.overview", "staff.nav.inspection"),
                     ("staff.complaints.queue", "staff.nav.complaints")),
    Role.SUPPORT: (("staff.support.inbox", "staff.nav.escalations"), ("staff.complaints.queue", "staff.nav.complaints"),
                   ("staff.support.lookup", "staff.nav.lookup")),
    Role.FINANCE: (("staff.finance.overview", "staff.nav.finance"), ("staff.cards.reconciliation", "staff.nav.sms"),
                   ("staff.cards.batches", "staff.nav.cards")),
    Role.ADMIN: (("staff.admin.users", "staff.nav.users"), ("staff.admin.offices", "staff.nav.offices")),
}


@dataclass(frozen=True)
class StaffMember:
    """The logged-in staff account, as the views need it."""

    id: int
    username: str
    display_name: str
    role: str
    office_code: str | None
    province_code: str | None
    language: str

    @property
    def actor(self) -> Actor:
        return Actor(str(self.id), self.role, "web", self.office_code, self.province_code)


def services():
    """The composition root of this app."""
    return current_app.extensions["shubbak"]


def allow(*roles: str):
    """Open the view to these roles only: others get 403, anonymous visitors the login page."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if g.staff is None:
                return redirect(url_for("staff.auth.login", next=request.full_path.rstrip("?")))
            if g.staff.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        guarded.staff_roles = frozenset(roles)
        return guarded
    return decorate


def public(view):
    """Mark a view that needs no login (the login page itself, the language switch)."""
    view.staff_public = True
    return view


# Sent by staff.js when a page refreshes its live parts on its own.
REFRESH_HEADER = "X-Shubbak-Refresh"


def load_staff() -> None:
    """Before every staff request: the language, the logged-in account, the idle timeout, and fail-closed views."""
    g.lang, g.staff = session.get("lang", "fr"), None
    if request.endpoint == "staff.static":
        return  # stylesheets and scripts need no account (and no database)
    g.staff = _current_member()
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and not getattr(view, "staff_roles", None) and not getattr(view, "staff_public", False):
        abort(403)  # a staff view without an access rule is closed to everyone


def _current_member() -> StaffMember | None:
    staff_id = session.get("staff_id")
    if staff_id is None:
        return None
    now = services().clock().timestamp()
    if now - session.get("seen", 0) > services().settings.session_idle_minutes * 60:
        end_session()
        flash({"key": "staff.login.idle"}, "info")
        return None
    user = _active_user(staff_id)
    if user is None or session.get("version") != user.session_version:
        end_session()  # disabled or deleted while logged in, or every session of the user ended (logout elsewhere)
        return None
    if request.headers.get(REFRESH_HEADER) != "1":  # a page refreshing itself is not someone at the desk
        session["seen"] = now
    return StaffMember(user.id, user.username, user.display_name, user.role, user.office_code, user.province_code,
                       user.language)


def _active_user(staff_id: int) -> User | None:
    with services().uow() as uow:
        user = uow.get(User, staff_id)
        return user if user is not None and user.active else None


def start_session(user: User) -> None:
    """A fresh session for a user who just logged in (nothing of the anonymous session survives but the language)."""
    lang = session.get("lang")
    session.clear()
    session["staff_id"] = user.id
    session["version"] = user.session_version
    session["seen"] = services().clock().timestamp()
    session["lang"] = lang or user.language
    session.permanent = False


def end_every_session(uow, user_id: int) -> None:
    """End every session of a user at once, on every device: a copied session cookie no longer opens anything."""
    with uow:
        user = uow.get(User, user_id)
        if user is not None:
            user.session_version = (user.session_version or 0) + 1
            uow.commit()


def end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def safe_next(target: str | None, default: str) -> str:
    """Follow a `next` address only inside the staff view (never to another site)."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/") or "\\" in (target or ""):
        return default
    return target
