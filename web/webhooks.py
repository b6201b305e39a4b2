"""Provider callbacks: `/webhooks/<provider>/<route>` for every (provider, route) of channels.registry's table, in
one generic view: the route's kind (channels.contract.KINDS) says what is done with what its reader returns.

Each callback is checked (403 and nothing happens when the key or signature is wrong), read strictly (400 naming
the missing or malformed fields), deduplicated on the provider's message id, and answered the provider's way.
USSD is answered at once from memory and the database; an SMS or a delivery report is stored in the inbox
(channels.inbox) before its 200, and processed later by an RQ job. No input makes a callback answer 500: anything
unexpected is logged (masked) and answered so that the provider may retry.
"""
from __future__ import annotations

import logging
import re
import traceback
from dataclasses import asdict, replace
from urllib.parse import parse_qsl

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from redis import RedisError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from channels import inbox, registry
from channels.callbacks import Callback
from channels.contract import Route, dedup_key
from channels.dedup import Claim, Once
from channels.message import Inbound, Reply
from dialog import Refused, Seen
from jobs import inbox as inbox_jobs
from notifications.optouts import opt_out
from jobs.conversations import plain
from orders_core.errors import InvalidInput
from orders_core.phones import mask_phone
from orders_core.redaction import code_hash, redact_agent_code, redact_text, seal

__all__ = ["bp", "register", "callback_of", "answer_once", "sealed", "ussd_busy", "is_from_a_phone", "is_ussd",
           "AccessLogRedaction"]

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


def _services():
    return current_app.extensions["shubbak"]


def callback_of(req) -> Callback:
    """The callback as the provider sent it: the configured public URL (never the Host header) + path + query."""
    query = req.query_string.decode("latin-1")
    url = _services().settings.public_base_url.rstrip("/") + req.path + (f"?{query}" if query else "")
    return Callback(url, req.args, req.form, req.headers)


@bp.route("/<provider>/<path:route>", methods=["GET", "POST"])
def callback(provider: str, route: str):
    """Check, read and handle one provider callback, as channels.registry's table says."""
    found = registry.route(provider, route)
    if found is None:
        abort(404)
    module, declared = found
    if request.method not in declared.methods:
        abort(405, valid_methods=declared.methods)
    fields = request.form if request.method == "POST" else _query(declared)
    return _guarded(module, declared, fields)


def _query(declared: Route):
    if not declared.raw_query:
        return request.args
    raw = request.query_string.decode("latin-1")
    return MultiDict(parse_qsl(raw, keep_blank_values=True, encoding="latin-1"))


def _guarded(module, declared: Route, fields):
    kind = declared.kind
    try:
        if not module.authentic(callback_of(request), _services().settings):
            log.warning("refused a %s %s callback: bad or missing key or signature", module.NAME, kind)
            return jsonify(error="forbidden", message="bad or missing key or signature"), 403
        return HANDLERS[kind](_services(), module, declared.read, fields)
    except InvalidInput as exc:
        return jsonify(error="invalid_input", message="missing or malformed fields", fields=exc.problems), 400
    except HTTPException:
        raise  # 4xx the framework decided (a body too large, ...): answered as JSON by web/errors.py
    except Exception as exc:  # never a 500: the provider gets an answer it can live with, the log a masked trace
        log.error("%s %s callback failed: %s at %s", module.NAME, kind, type(exc).__name__, _where(exc))
        if kind == "ussd":  # a USSD screen must answer now: an HTTP error would end the session with a blank screen
            return _plain(_sorry(_services(), module))
        return _unavailable()


def _where(exc: Exception) -> str:
    """Where an exception was raised (file and line), without its message, which may hold a citizen's data."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"


def sealed(inbound: Inbound, secret: str, code_secret: str = "") -> Inbound:
    """The message with every card PIN (and an agent's SMS code) taken out of its text and of every input of its
    USSD session, before anything stores, keys, queues or logs it; the PIN the message brings for this step travels
    in `extra["pin"]` and the code in `extra["agent_code"]`, as keyed hashes only."""
    inputs = tuple(redact_text(typed).text for typed in inbound.inputs)
    if inbound.channel == "ussd":
        found, extra = redact_text(inbound.text), dict(inbound.extra)
    else:
        text, code = redact_agent_code(inbound.text)
        found = redact_text(text)
        extra = dict(inbound.extra) | ({"agent_code": code_hash(code_secret, code)} if code else {})
    if found.pins:
        extra["pin"] = seal(secret, found.pins[0])
    return replace(inbound, text=found.text, inputs=inputs, extra=extra)


def _ussd(services, module, read, fields):
    """A USSD step, answered once: the provider's retry of the step gets the first answer. The step is claimed and
    its answer kept in the dialog's own Redis round trips (channels.dedup.Claim), and let go if it failed."""
    inbound = sealed(read(fields, services.clock()), services.settings.card_pin_secret)
    size = services.settings.ussd_size
    claim = Claim(Once(services.redis), dedup_key(module, inbound), lambda reply: module.render_ussd(reply, size),
                  flood=g.pop("flood_count", None),  # the sender's count, left by web.limits (FLOOD_COUNT)
                  sorry=lambda: _sorry(services, module))
    try:
        services.dialog.handle(inbound, services.surfaces["ussd"], claim=claim)
    except Seen as retry:
        return _plain(retry.answer or _sorry(services, module))
    except Refused as flood:
        return _plain(flood.answer)
    return _plain(claim.answer)


def _ussd_end(services, module, read, fields):
    ended = read(fields)
    key = services.surfaces["ussd"].session_key(Inbound("ussd", module.NAME, "", "", session_id=ended.session_id))
    services.dialog.sessions.drop(key)
    log.info("USSD session ended: %s%s", ended.status or "?", f" ({ended.error[:60]})" if ended.error else "")
    return _plain("")


def _message(services, module, read, fields):
    return answer_once(services, module, read(fields, services.clock()))


def answer_once(services, module, inbound: Inbound) -> Response:
    """Store a message and queue its answer, once per provider message id; a replay gets the same acknowledgement,
    nothing more. Card PINs are taken out first (`sealed`)."""
    inbound = sealed(inbound, services.settings.card_pin_secret, services.settings.secret_key)
    accept(services, dedup_key(module, inbound), inbound.channel,
           lambda uow: inbox.record_message(uow, inbound), plain(inbound))
    return _acknowledged(module)


def _delivery(services, module, read, fields):
    report = read(fields)
    if report is None:  # a status callback with no status at all: nothing to record (as courier)
        log.info("%s status callback without a status: ignored", module.NAME)
        return _acknowledged(module)
    accept(services, (module.NAME, inbox.REPORT, report.provider_message_id, report.provider_status), inbox.REPORT,
           lambda uow: inbox.record_report(uow, report), asdict(report))
    return _acknowledged(module)


def accept(services, key: tuple[str, ...], kind: str, record, carried: dict) -> None:
    """Store a callback in the inbox, then queue its job; once per `key`.

    A callback answered 200 is not sent again, so it must be kept somewhere that outlives a restart: the database
    (Redis may come back empty). With Redis down it is stored and queued later by the inbox's sweep; with the
    database down its job carries it (Redis alone keeps it, as before the inbox). Only when neither store can
    take it is the callback refused, and the provider sends it again. Redis's mark of the ids seen lately spares
    the database a replay; the database's unique key catches those Redis forgot."""
    once = Once(services.redis)
    first = _first_sight(once, key)
    if first is False:
        return
    try:
        inbox_id = record(services.uow())
    except SQLAlchemyError as exc:
        if first is None:
            raise  # neither store: refused, sent again
        _carried(services, once, key, kind, carried, exc)
        return
    except Exception:
        if first:
            once.forget(*key)  # nothing stored: the provider's next copy must go through
        raise
    if inbox_id is not None:
        _queued(services, kind, inbox_id)
    if first:
        _remember(once, key)


def _first_sight(once: Once, key: tuple[str, ...]) -> bool | None:
    """Whether Redis sees `key` for the first time (None: Redis cannot say, it is down)."""
    try:
        return once.claim(*key)[0]
    except RedisError as exc:
        log.warning("%s %s callback: Redis down (%s), deduplicated by the database alone", key[0], key[1],
                    type(exc).__name__)
        return None


def _queued(services, kind: str, inbox_id: int) -> None:
    try:
        inbox_jobs.enqueue(services, kind, inbox_id)
    except Exception as exc:  # stored: the sweep queues it when Redis is back; the provider may have its 200
        log.warning("inbox row %d (%s) stored but not queued (%s): left to the sweep", inbox_id, kind,
                    type(exc).__name__)
        try:
            inbox.not_queued(services.uow(), inbox_id)
        except SQLAlchemyError:
            pass  # still queued on paper: the sweep takes it after inbox_stuck_seconds instead of at once


def _carried(services, once: Once, key: tuple[str, ...], kind: str, carried: dict, cause: Exception) -> None:
    log.warning("%s %s callback not stored (database: %s): its job carries it", key[0], kind, type(cause).__name__)
    try:
        inbox_jobs.carry(services, kind, carried, f"{key[0]} {key[2]}")
    except Exception:
        once.forget(*key)
        raise
    _remember(once, key)


def _remember(once: Once, key: tuple[str, ...]) -> None:
    try:
        once.remember("queued", *key)
    except RedisError:
        pass  # a replay finds the mark pending, waits Once.wait and is acknowledged: the row is stored


def _acknowledged(module) -> Response:
    body, content_type = module.acknowledge()
    return Response(body, 200, content_type=content_type)


def _optout(services, module, read, fields):
    """A provider's notice that a number opted out of our SMS (Africa's Talking's Bulk SMS Opt Out)."""
    phone = read(fields)
    if opt_out(services.uow(), phone, "sms", f"{module.NAME}:optout"):
        log.info("%s: %s opted out of SMS", module.NAME, mask_phone(phone))
    return _acknowledged(module)


# A route's kind (channels.contract.KINDS) -> what the view does with it.
HANDLERS = {"ussd": _ussd, "ussd_end": _ussd_end, "message": _message, "delivery": _delivery, "optout": _optout}


def _plain(body: str) -> Response:
    return Response(body, 200, content_type="text/plain; charset=utf-8")


def ussd_busy(services, provider: str) -> Response:
    """A polite last screen for a USSD step refused (too many steps from one number): the phone shows a screen."""
    return _plain(_sorry(services, registry.providers()[provider]))


def is_from_a_phone(provider: str, route: str) -> bool:
    """Whether a callback carries what a phone sent (a USSD step, an SMS, a WhatsApp message), not a report."""
    found = registry.route(provider, route)
    return found is not None and found[1].kind in ("ussd", "message")


def is_ussd(provider: str, route: str) -> bool:
    found = registry.route(provider, route)
    return found is not None and found[1].kind == "ussd"


def _sorry(services, module) -> str:
    return module.render_ussd(Reply(services.catalogs.text("fr", "common.try_again_later"), end_session=True))


def _unavailable():
    return jsonify(error="unavailable", message="try again later"), 503


class AccessLogRedaction(logging.Filter):
    """Access-log lines (werkzeug, gunicorn) show no webhook `key=`, and no query value that may hold a phone
    number, a PIN or a token (`q=` of the staff lookup, `phone=` of the simulator ...): the value is replaced."""

    _PARAMETERS = ("key", "q", "phone", "from", "to", "text", "token", "pin")
    _VALUE = re.compile(r"([?&](?:%s)=)[^&\s\"']*" % "|".join(_PARAMETERS), re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "=" in message:
            record.msg, record.args = self._VALUE.sub(r"\1[redacted]", message), None
        return True




def register(app) -> None:
    """Register the webhooks, and keep their keys (and phone numbers) out of the access logs of the development and
    gunicorn servers."""
    app.register_blueprint(bp)
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, AccessLogRedaction) for f in logger.filters):
            logger.addFilter(AccessLogRedaction())
