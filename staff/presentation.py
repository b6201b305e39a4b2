"""What templates use to show things: catalog texts, money, local times, references; flash messages by key."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import current_app, flash, g
from markupsafe import Markup

from orders_core.errors import InvalidInput, ShubbakError
from orders_core.references import format_reference

from .access import NAVIGATION, services

__all__ = ["template_tools", "t", "term", "say", "say_error", "reasons", "mad", "local", "local_today",
           "LANGUAGE_NAMES"]

_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en"}
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
# Errors whose message is their own key; any other named error falls back to a generic one.
_KNOWN_ERRORS = frozenset({
    "invalid_input", "illegal_transition", "already_taken", "not_allowed", "concurrent_change", "no_such_office",
    "no_such_order", "check_number", "malformed_reference", "not_found", "no_such_complaint", "not_entitled",
    "no_such_batch", "no_such_cards", "own_account",
})


def t(key: str, /, **values) -> str:
    """The text of a catalog key in the viewer's language."""
    return services().catalogs.text(g.get("lang", "fr"), key, **values)


def term(area: str, value) -> str:
    """The name of a value of the domain (a status, a role, a channel); the raw value when none is written."""
    try:
        return t(f"staff.{area}.{value}")
    except KeyError:
        return str(value)


def mad(centimes: int | None) -> str:
    """Integer centimes as dirhams with two decimals, written the way the viewer's language writes numbers."""
    value = Decimal(int(centimes or 0)) / 100
    return format_decimal(value, format="#,##0.00", locale=_LOCALES.get(g.get("lang"), "fr_MA"))


def local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time shown in the service's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(services().settings.timezone)).strftime(pattern)


def local_today() -> date:
    """Today's date where the service runs."""
    return services().clock().astimezone(ZoneInfo(services().settings.timezone)).date()


def hours(value: float | None) -> str:
    if value is None:
        return ""
    return "< 0.1" if 0 < value < 0.05 else f"{value:.1f}"  # a few minutes are not "0.0 hours"


def ltr(value) -> Markup:
    """A number, reference or phone number kept left to right inside right-to-left text (an HTML isolate): in an
    Arabic page `512 918 855 9` must not read `9 855 918 512`, nor `+212661000002` read `212661000002+`."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(value if value is not None else "")


def isolated_reference(reference: str | None) -> Markup:
    return ltr(format_reference(reference) if reference else "")


def template_tools() -> dict:
    """The names every staff template can use."""
    lang = g.get("lang", "fr")
    staff = g.get("staff")
    return {"t": t, "term": term, "mad": mad, "local": local, "ref": isolated_reference, "ltr": ltr, "hours": hours,
            "lang": lang, "direction": "rtl" if lang == "ar" else "ltr", "staff": staff, "languages": LANGUAGE_NAMES,
            "navigation": [(endpoint, key) for endpoint, key in (NAVIGATION.get(staff.role, ()) if staff else ())
                           if endpoint in current_app.view_functions]}


def say(key: str, category: str = "ok", **values) -> None:
    """Flash a catalog text (rendered in the language of the page that shows it)."""
    flash({"key": key, "values": values}, category)


def say_error(exc: ShubbakError) -> None:
    """Flash a named service error as a sentence; an input error says why each field was refused (see `reasons`)."""
    if isinstance(exc, InvalidInput):
        for key, values in reasons(exc):
            say(key, "error", **values)
        return
    say(f"staff.error.{exc.code if exc.code in _KNOWN_ERRORS else 'error'}", "error")


def reasons(exc: InvalidInput) -> list[tuple[str, dict]]:
    """The catalog keys (and their values) saying why each field of `exc` was refused: the staff view's own reason
    (`staff.refused.*`), else what the field expects (`staff.expected.<field>`), else one text naming the others:
    the order core's refusals are English, for logs and machines."""
    written = services().catalogs.keys(g.get("lang", "fr"))
    found, others = [], []
    for field, problem in exc.problems.items():
        if str(problem).startswith("staff.refused.") and problem in written:
            found.append((problem, getattr(exc, "values", {}).get(field, {})))
        elif f"staff.expected.{field}" in written:
            found.append((f"staff.expected.{field}", {}))
        else:
            others.append(field)
    if others:
        found.append(("staff.error.invalid_input", {"fields": ", ".join(others)}))
    return found
