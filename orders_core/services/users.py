"""Staff accounts: roles, offices, provinces, phone numbers. Passwords arrive already hashed."""
from __future__ import annotations

from .. import queries
from ..errors import InvalidInput
from ..lifecycle import Role
from ..model import User
from ..phones import sms_phone
from ..validation import LANGUAGES, Problems, clean_text

__all__ = ["STAFF_ROLES", "create_user"]

STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.INSPECTOR, Role.SUPPORT, Role.FINANCE, Role.ADMIN)


def create_user(uow, username: str, display_name: str, password_hash: str, role: str, *,
                office_code: str | None = None, province_code: str | None = None, phone: str | None = None,
                language: str = "fr") -> User:
    """Create a staff account; office roles need an office, inspectors a province."""
    problems = Problems()
    username = clean_text(username, 64) or ""
    problems.check(username.isascii() and 3 <= len(username) <= 64 and " " not in username, "username",
                   "3 to 64 letters, digits or . _ -")
    problems.check(role in STAFF_ROLES, "role", f"one of {', '.join(STAFF_ROLES)}")
    problems.check(role not in (Role.AGENT, Role.SUPERVISOR) or bool(office_code), "office_code",
                   "agents and supervisors belong to an office")
    problems.check(role != Role.INSPECTOR or bool(province_code), "province_code", "inspectors oversee a province")
    problems.check(language in LANGUAGES, "language", f"one of {', '.join(LANGUAGES)}")
    if phone:
        try:
            phone = sms_phone(phone)  # staff are told of their work by SMS
        except InvalidInput as exc:
            problems.update(exc.problems)
    problems.raise_if_any(InvalidInput)
    with uow:
        if queries.user_by_username(uow, username):
            raise InvalidInput({"username": f"{username!r} is taken"})
        if office_code and queries.office(uow, office_code) is None:
            raise InvalidInput({"office_code": f"no such office: {office_code!r}"})
        user = User(username=username, display_name=clean_text(display_name, 120) or username,
                    password_hash=password_hash, role=str(role), office_code=office_code,
                    province_code=province_code or _province_of(uow, office_code), phone=phone, language=language,
                    active=True, created_at=uow.now())
        uow.add(user)
        uow.commit()
        return user


def _province_of(uow, office_code: str | None) -> str | None:
    office = queries.office(uow, office_code) if office_code else None
    return office.commune.province_code if office else None
