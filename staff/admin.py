"""The administrator's pages: staff accounts and the network of offices."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from orders_core.errors import NotFound, ShubbakError
from orders_core.lifecycle import Role
from orders_core.model import Office, User
from orders_core.services import create_user
from orders_core.services.users import STAFF_ROLES
from orders_core.validation import LANGUAGES

from .access import allow, services
from .accounts import AccountChange, change_account, list_accounts
from .network import OfficeDetails, change_office, create_office, list_offices
from .passwords import hash_password
from .presentation import say, say_error
from .refusals import refused

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")
MIN_PASSWORD = 10


def _form(name: str) -> str | None:
    return (request.form.get(name) or "").strip() or None


def _new_password(required: bool = False) -> str | None:
    """The password typed in the form (None when left empty), refused when too short to be one."""
    password = request.form.get("password") or ""
    if (password or required) and len(password) < MIN_PASSWORD:
        raise refused("password", "staff.refused.password_short", n=MIN_PASSWORD)
    return password or None


@bp.get("/users")
@allow(Role.ADMIN)
def users():
    """Every staff account, and the form to create one."""
    return render_template("staff/users.html", users=list_accounts(services().uow()), roles=STAFF_ROLES,
                           language_codes=LANGUAGES)


@bp.post("/users")
@allow(Role.ADMIN)
def create():
    """Create a staff account."""
    try:
        password = _new_password(required=True)
        create_user(services().uow(), request.form.get("username", ""), request.form.get("display_name", ""),
                    hash_password(password), request.form.get("role", ""), office_code=_form("office_code"),
                    province_code=_form("province_code"), phone=_form("phone"),
                    language=request.form.get("language", "fr"))
    except ShubbakError as exc:
        say_error(exc)
    else:
        say("staff.done.user_created")
    return redirect(url_for(".users"))


@bp.get("/users/<int:user_id>")
@allow(Role.ADMIN)
def user(user_id: int):
    """One account's role, office, phone number and state."""
    with services().uow() as uow:
        found = uow.get(User, user_id)
    if found is None:
        abort(404)
    return render_template("staff/user.html", user=found, roles=STAFF_ROLES, language_codes=LANGUAGES)


@bp.post("/users/<int:user_id>")
@allow(Role.ADMIN)
def change(user_id: int):
    """Change an account's role, office, phone number, language, password, or disable it."""
    try:
        password = _new_password()
        change_account(services().uow(), user_id, AccountChange(
            role=request.form.get("role", ""), office_code=_form("office_code"), province_code=_form("province_code"),
            phone=_form("phone"), language=request.form.get("language", "fr"),
            active=request.form.get("active") == "1", password_hash=hash_password(password) if password else None,
        ), g.staff.actor)
    except NotFound:
        abort(404)
    except ShubbakError as exc:
        say_error(exc)
    else:
        say("staff.done.saved")
    return redirect(url_for(".user", user_id=user_id))


@bp.get("/offices")
@allow(Role.ADMIN)
def offices():
    """Offices by code or name, a page at a time, and the form to add one."""
    text, page = (request.args.get("q") or "").strip()[:60], max(request.args.get("page", 1, type=int), 1)
    found, total = list_offices(services().uow(), text, page)
    return render_template("staff/offices.html", offices=found, total=total, q=text, page=page)


def _details() -> OfficeDetails:
    return OfficeDetails(name_fr=request.form.get("name_fr", ""), name_ar=request.form.get("name_ar", ""),
                         service_days=request.form.get("service_days", 0, type=int),
                         active=request.form.get("active", "1") == "1",
                         arrondissement_fr=_form("arrondissement_fr"), arrondissement_ar=_form("arrondissement_ar"))


@bp.post("/offices")
@allow(Role.ADMIN)
def add_office():
    """Add an office to a commune."""
    try:
        office = create_office(services().uow(), request.form.get("code", ""), request.form.get("commune_code", ""),
                               _details())
    except ShubbakError as exc:
        say_error(exc)
        return redirect(url_for(".offices"))
    say("staff.done.saved")
    return redirect(url_for(".office", code=office.code))


@bp.get("/offices/<code>")
@allow(Role.ADMIN)
def office(code: str):
    """One office: names, service level, open or closed."""
    with services().uow() as uow:
        found = uow.get(Office, code)
        if found is None:
            abort(404)
        return render_template("staff/office.html", office=found)


@bp.post("/offices/<code>")
@allow(Role.ADMIN)
def edit_office(code: str):
    """Rename an office, change its service level, open or close it."""
    try:
        change_office(services().uow(), code, _details())
    except NotFound:
        abort(404)
    except ShubbakError as exc:
        say_error(exc)
    else:
        say("staff.done.saved")
    return redirect(url_for(".office", code=code))
