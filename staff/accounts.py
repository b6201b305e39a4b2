"""Staff accounts after creation (orders_core.services.create_user creates them): role, office, phone, disabling."""
from __future__ import annotations

from dataclasses import dataclass

from orders_core import queries
from orders_core.errors import InvalidInput, NotFound
from orders_core.lifecycle import Role
from orders_core.model import Actor, Province, User
from orders_core.phones import sms_phone
from orders_core.services.users import STAFF_ROLES
from orders_core.validation import LANGUAGES, Problems

from . import queries as staff_queries
from .refusals import OwnAccountKept, Refused, refused

__all__ = ["AccountChange", "change_account", "refresh_password_hash", "list_accounts"]


@dataclass(frozen=True)
class AccountChange:
    """What an administrator may change on an account; None leaves a field as it is."""

    role: str
    office_code: str | None
    province_code: str | None
    phone: str | None
    language: str
    active: bool
    password_hash: str | None = None


def list_accounts(uow, limit: int = 500) -> list[User]:
    with uow:
        return staff_queries.accounts(uow, limit)


def change_account(uow, user_id: int, change: AccountChange, admin: Actor) -> User:
    """Apply an administrator's change to an account, with the same rules as when it was created."""
    problems = _problems(change)
    phone = _phone(change.phone, problems)
    problems.raise_if_any(Refused)
    with uow:
        user = uow.get(User, user_id)
        if user is None:
            raise NotFound(f"no account {user_id!r}")
        if str(user.id) == admin.id and (not change.active or change.role != Role.ADMIN):
            raise OwnAccountKept()
        province = _province(uow, change)  # checked before the account changes: its query would flush a bad office
        user.role, user.office_code, user.phone = str(change.role), change.office_code, phone
        user.province_code = province
        ends_sessions = bool(change.password_hash) or (user.active and not change.active)
        user.language, user.active = change.language, change.active
        if change.password_hash:
            user.password_hash = change.password_hash
        if ends_sessions:  # a new password or a disabled account: every open session of the account ends now
            user.session_version = (user.session_version or 0) + 1
        uow.commit()
        return user


def _province(uow, change: AccountChange) -> str | None:
    """The province an account oversees or works in: the one given, else its office's; both must exist."""
    office = queries.office(uow, change.office_code) if change.office_code else None
    if change.office_code and office is None:
        raise refused("office_code", "staff.refused.no_such_office", code=change.office_code[:20])
    if change.province_code and uow.get(Province, change.province_code) is None:
        raise refused("province_code", "staff.refused.no_such_province", code=change.province_code[:20])
    return change.province_code or (office.commune.province_code if office else None)


def _problems(change: AccountChange) -> Problems:
    problems = Problems()
    problems.check(change.role in STAFF_ROLES, "role", "staff.refused.role")
    problems.check(change.role not in (Role.AGENT, Role.SUPERVISOR) or bool(change.office_code), "office_code",
                   "staff.refused.office_needed")
    problems.check(change.role != Role.INSPECTOR or bool(change.province_code or change.office_code),
                   "province_code", "staff.refused.province_needed")
    problems.check(change.language in LANGUAGES, "language", "staff.refused.language")
    return problems


def _phone(text: str | None, problems: Problems) -> str | None:
    if not text:
        return None
    try:
        return sms_phone(text)  # staff are told of their work by SMS
    except InvalidInput as exc:
        problems.update(exc.problems)
        return None


def refresh_password_hash(uow, user_id: int, password_hash: str) -> None:
    """Store a stronger hash of a password that was just verified (the hashing parameters were raised)."""
    with uow:
        user = uow.get(User, user_id)
        if user is not None:
            user.password_hash = password_hash
            uow.commit()
