"""Wiring of the staff view into the app: session cookie, CSRF, the blueprints, error pages."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from orders_core.errors import InvalidInput, NotFound

from . import admin, agent_code, auth, complaints, finance, inspection, office, support
from .access import load_staff
from .presentation import reasons, template_tools

__all__ = ["register", "cookie_config", "CSRF_EXEMPT_BLUEPRINTS"]

log = logging.getLogger(__name__)
# Machines post to these without a browser session: providers' webhooks, the phone simulator.
# Machine-to-machine endpoints: providers sign or key their calls; the simulator and the benchmark baseline act alike.
CSRF_EXEMPT_BLUEPRINTS = frozenset({"webhooks", "simulator", "bench_baseline"})
_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'self'"


def cookie_config(settings) -> dict:
    """Session cookie flags: never readable by scripts, not sent on cross-site posts, HTTPS-only in production."""
    return {"SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": settings.production, "SESSION_COOKIE_NAME": "shubbak_staff"}


def register(app: Flask) -> None:
    """Register the staff view under /staff, with CSRF protection on every form of the app."""
    app.config.update(cookie_config(app.extensions["shubbak"].settings))
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, so that exemptions go by blueprint name
    csrf = CSRFProtect(app)
    app.before_request(_csrf_unless_exempt(csrf))
    app.register_blueprint(_staff_blueprint())


def _csrf_unless_exempt(csrf: CSRFProtect):
    def check():
        # Exempt by name, so that blueprints registered after this one (or not yet written) are covered.
        if not current_app.config.get("WTF_CSRF_ENABLED", True) or not request.endpoint:
            return
        if (request.blueprint or "").split(".")[0] in CSRF_EXEMPT_BLUEPRINTS:
            return
        csrf.protect()
    return check


def _staff_blueprint() -> Blueprint:
    bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates", static_folder="static")
    bp.before_request(load_staff)
    bp.after_request(_protective_headers)
    bp.context_processor(template_tools)
    for module in (auth, office, inspection, complaints, support, finance, *_card_pages(), admin, agent_code):
        bp.register_blueprint(module.bp)
    bp.register_error_handler(CSRFError, lambda exc: _error_page("csrf", 400))
    bp.register_error_handler(NotFound, lambda exc: _error_page("not_found", 404))
    bp.register_error_handler(InvalidInput, _refused_page)
    for status, name in ((403, "forbidden"), (404, "not_found"), (405, "not_found")):
        bp.register_error_handler(status, lambda exc, name=name, status=status: _error_page(name, status))
    return bp


def _card_pages() -> tuple:
    """The premium-SMS and prepaid-card pages, when the payments package provides their services."""
    try:
        from . import cards
    except ImportError as exc:
        log.warning("reconciliation and card pages are off until payments_sms provides them: %s", exc)
        return ()
    return (cards,)


def _protective_headers(response):
    """Pages of the staff view are never framed, cached or allowed to run scripts from elsewhere."""
    response.headers.setdefault("Content-Security-Policy", _POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.endpoint != "staff.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(name: str, status: int, said: list[tuple[str, dict]] = ()):
    return render_template("staff/error.html", problem=name, reasons=said), status


def _refused_page(exc: InvalidInput):
    """A page (or export) asked with input it refuses: a 400 page saying why, in the reader's language."""
    return _error_page("invalid_input", 400, reasons(exc))
