"""Rate limits (Flask-Limiter, counted in Redis so that every web process sees the same counts; in memory on the
embedded default): staff logins per client address, webhook floods per phone number, the simulator.

Counters are keyed on a keyed hash of a phone number, never the number itself: Redis keys are stored data too.
Over a limit a person is told so (429 with a message) and a USSD phone gets a polite `END` screen.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, Response, current_app, g, jsonify, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from limits import parse_many

__all__ = ["install", "phone_key", "FloodCount", "LIMITER", "FLOOD_COUNT"]

log = logging.getLogger(__name__)
LIMITER = "limiter"  # app.extensions key
# flask.g key: a USSD step's FloodCount, left for the webhook to send with the step's claim (web.webhooks._ussd).
FLOOD_COUNT = "flood_count"
# The field holding the sender, by provider (Africa's Talking USSD and SMS, Twilio SMS and WhatsApp, Kannel).
_SENDER_FIELDS = ("phoneNumber", "from", "From")


def install(app: Flask) -> Limiter:
    """Bind a limiter to this app (one per app, no client made at import) and put the limits on their views."""
    settings = app.extensions["shubbak"].settings
    limiter = Limiter(get_remote_address, app=app, storage_uri=settings.redis_url or "memory://",
                      key_prefix="shubbak:limit", strategy="moving-window", swallow_errors=True,
                      headers_enabled=False)
    app.extensions[LIMITER] = limiter
    _limit_webhooks(app, limiter, settings.webhook_phone_limit)
    _limit(app, limiter, "staff.auth.login", settings.login_limit, methods=["POST"], on_breach=_login_breach)
    _limit(app, limiter, "staff.auth.login", settings.login_slow_limit, methods=["POST"], key_func=_account_key,
           on_breach=_login_breach, exempt_when=lambda: not _account_under_attack())
    for endpoint in [e for e in app.view_functions if e.startswith("simulator.") and e != "simulator.static"]:
        _limit(app, limiter, endpoint, settings.simulator_limit, on_breach=_json_breach)
    return limiter


def _limit(app: Flask, limiter: Limiter, endpoint: str, value: str, **options) -> None:
    view = app.view_functions.get(endpoint)
    if view is not None:  # a blueprint not registered in this app (the simulator outside development)
        app.view_functions[endpoint] = limiter.limit(value, **options)(view)


def _limit_webhooks(app: Flask, limiter: Limiter, value: str) -> None:
    """Webhook floods per phone number, counted with the limiter's own strategy and storage but outside
    Flask-Limiter's request hooks, which resolve every limit of the app twice a request: on a USSD step that
    bookkeeping cost more CPU than the count itself. The webhooks are left out of those hooks.

    When the limits are in Redis, a USSD step is counted with its claim, in the dialog's first round trip: a USSD
    callback refused before the dialog (a bad key, a form that cannot be read) is therefore not counted against
    its number's flood limit, whereas in memory (and for every other webhook) a callback from a phone is counted
    before the view, refused or not. Such callbacks run no step and touch no session; they cost a request each."""
    view = app.view_functions.get("webhooks.callback")
    if view is None:
        return
    items = parse_many(value)
    limiter.request_filter(lambda: request.endpoint == "webhooks.callback")

    @functools.wraps(view)
    def limited(*args, **kwargs):
        if _countable_with_the_claim(limiter):  # a USSD step: counted in the dialog's first Redis round trip
            setattr(g, FLOOD_COUNT, _flood_count(limiter, items))
            return view(*args, **kwargs)
        refused = _flood(limiter, items)
        return refused if refused is not None else view(*args, **kwargs)
    app.view_functions["webhooks.callback"] = limited


@dataclass(frozen=True)
class FloodCount:
    """One sender's webhook flood count, queued in another's Redis round trip (a USSD step's claim: with the
    dialog's lock, channels.dedup.Claim) instead of one of its own: the same moving-window script and keys as the
    limiter's, so that a number's USSD steps and SMS count against the same limits."""

    script: str  # the limits library's moving-window Lua script
    windows: tuple  # (Redis key, limits.RateLimitItem) for each limit
    refuse: Callable[[object], str]  # the answer to a step over a limit

    def count_in(self, pipe) -> None:
        now = time.time()
        for key, item in self.windows:
            pipe.eval(self.script, 1, key, now, item.amount, item.get_expiry(), 1)

    def refusal(self, replies: list) -> str | None:
        """The answer refusing the step when a window is full (None: under every limit, or not counted)."""
        failed = next((reply for reply in replies if isinstance(reply, Exception)), None)
        if failed is not None:  # as Flask-Limiter's swallow_errors: a storage fault never refuses a citizen
            log.warning("webhook rate limit not counted (%s)", type(failed).__name__)
            return None
        over = next((item for (_, item), acquired in zip(self.windows, replies) if not acquired), None)
        return None if over is None else self.refuse(over)


def _countable_with_the_claim(limiter: Limiter) -> bool:
    """A USSD step whose counts live in Redis: the dialog's first round trip reaches the same server."""
    from web.webhooks import is_ussd
    args = request.view_args or {}
    return (limiter.enabled and hasattr(limiter.limiter.storage, "lua_acquire_moving_window")
            and is_ussd(args.get("provider", ""), args.get("route", "")))


def _flood_count(limiter: Limiter, items) -> FloodCount | None:
    key = _sender_key()
    if not key:
        return None
    storage = limiter.limiter.storage
    windows = tuple((storage.prefixed_key(item.key_for("shubbak:limit", key, "webhooks.callback")), item)
                    for item in items)
    return FloodCount(storage.lua_acquire_moving_window.script, windows, _ussd_breach)


def _ussd_breach(limit) -> str:
    log.warning("webhook flood from one number refused (%s)", limit)
    from web.webhooks import ussd_busy
    return ussd_busy(current_app.extensions["shubbak"], request.view_args["provider"]).get_data(as_text=True)


def _flood(limiter: Limiter, items) -> Response | None:
    """The answer to a callback over its number's limit (None: under it, or not from a phone, or not counted)."""
    if not limiter.enabled:
        return None
    key = _sender_key() if _from_a_phone() else ""
    if not key:
        return None
    try:
        over = next((item for item in items if not limiter.limiter.hit(item, "shubbak:limit", key,
                                                                       "webhooks.callback")), None)
    except Exception as exc:  # as Flask-Limiter's swallow_errors: a storage fault never refuses a citizen
        log.warning("webhook rate limit not counted (%s)", type(exc).__name__)
        return None
    return None if over is None else _webhook_breach(over)


def phone_key(secret: str, phone: str) -> str:
    """What a phone number is counted under: a keyed hash (Redis keys hold no whole number)."""
    return hmac.new(secret.encode(), b"limit:" + phone.encode(), hashlib.sha256).hexdigest()[:32]


def _from_a_phone() -> bool:
    """A message or USSD step a phone sent (delivery reports and session ends come from the provider: a Twilio
    status callback's `From` is our own number, and must never be counted as a flood)."""
    from web.webhooks import is_from_a_phone
    args = request.view_args or {}
    return is_from_a_phone(args.get("provider", ""), args.get("route", ""))


def _sender_key() -> str:
    values = request.values
    sender = next((values.get(name) for name in _SENDER_FIELDS if values.get(name)), "")
    if not sender:
        return ""
    return "phone:" + phone_key(current_app.extensions["shubbak"].settings.secret_key, sender.strip()[:64])


def _account_key() -> str:
    return "account:" + _typed_username()


def _typed_username() -> str:
    return (request.form.get("username") or "").strip().lower()[:64]


def _account_under_attack() -> bool:
    """Many failed logins on this account, from anywhere: its logins are slowed down (never locked)."""
    from staff.auth import login_guard
    settings = current_app.extensions["shubbak"].settings
    return login_guard().account_failures(_typed_username()) >= settings.login_account_failures


def _webhook_breach(limit) -> Response:
    log.warning("webhook flood from one number refused (%s)", limit)
    from web.webhooks import is_ussd, ussd_busy
    args = request.view_args or {}
    if is_ussd(args.get("provider", ""), args.get("route", "")):  # a USSD phone shows a screen, not an HTTP error
        return ussd_busy(current_app.extensions["shubbak"], args["provider"])
    return _json_breach(limit)


def _json_breach(limit: RequestLimit) -> Response:
    response = jsonify(error="too_many_requests", message="too many requests: wait a moment, then try again")
    response.status_code = 429
    return response


def _login_breach(limit: RequestLimit) -> Response:
    from staff.auth import too_many_logins  # the login page, in the visitor's language
    log.warning("staff logins from one address slowed down (%s)", limit.limit)
    return too_many_logins()
