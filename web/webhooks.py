"""Provider callbacks: `POST /webhooks/<provider>/<route>` for every provider in channels.registry.

Each callback is checked (403 and nothing happens when the key or signature is wrong), read strictly (400 naming
the missing or malformed fields), deduplicated on the provider's message id, and answered the provider's way.
USSD is answered at once from memory and the database; an SMS is answered later by an RQ job. No input makes a
callback answer 500: anything unexpected is logged (masked) and answered so that the provider may retry.
"""
from __future__ import annotations

import logging
import re
import traceback
from dataclasses import asdict

from flask import Blueprint, Response, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from channels import ussd
from channels.callbacks import Callback
from channels.dedup import Once
from channels.message import Inbound, Reply
from channels.registry import provider as provider_module
from jobs.conversations import SURFACES, delivery_report, dialog_of, enqueue_answer
from orders_core.errors import InvalidInput

__all__ = ["bp", "register", "callback_of", "QueryKeyRedaction"]

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


def _services():
    return current_app.extensions["shubbak"]


def callback_of(req) -> Callback:
    """The callback as the provider sent it: the configured public URL (never the Host header) + path + query."""
    query = req.query_string.decode("latin-1")
    url = _services().settings.public_base_url.rstrip("/") + req.path + (f"?{query}" if query else "")
    return Callback(url, req.args, req.form, req.headers)


@bp.post("/<provider>/<path:route>")
def callback(provider: str, route: str):
    """Check, read and handle one provider callback."""
    module = provider_module(provider)
    kind = getattr(module, "ROUTES", {}).get(route)
    if kind is None:
        abort(404)
    return _guarded(kind, module)


def _guarded(kind: str, module):
    try:
        if not module.authentic(callback_of(request), _services().settings):
            log.warning("refused a %s %s callback: bad or missing key or signature", module.NAME, kind)
            return jsonify(error="forbidden", message="bad or missing key or signature"), 403
        return HANDLERS[kind](_services(), module)
    except InvalidInput as exc:
        return jsonify(error="invalid_input", message="missing or malformed fields", fields=exc.problems), 400
    except HTTPException:
        raise  # 4xx the framework decided (a body too large, ...): answered as JSON by web/errors.py
    except Exception as exc:  # never a 500: the provider gets an answer it can live with, the log a masked trace
        log.error("%s %s callback failed: %s at %s", module.NAME, kind, type(exc).__name__, _where(exc))
        return FALLBACKS.get(kind, _unavailable)(_services())


def _where(exc: Exception) -> str:
    """Where an exception was raised (file and line), without its message, which may hold a citizen's data."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"


def _ussd(services, module):
    inbound = module.receive_ussd(request.form, services.clock())
    once, key = Once(services.redis), ("ussd", module.NAME, inbound.session_id, inbound.extra["path"])
    first, answer = once.claim(*key)
    if not first:
        return _plain(answer or _sorry(services))
    try:
        body = ussd.render(dialog_of(services).handle(inbound, SURFACES["ussd"]))
    except Exception:
        once.forget(*key)
        raise
    once.remember(body, *key)
    return _plain(body)


def _ussd_end(services, module):
    ended = module.session_ended(request.form)
    dialog_of(services).sessions.drop(SURFACES["ussd"].session_key(Inbound("ussd", module.NAME, "", "",
                                                                            session_id=ended.session_id)))
    log.info("USSD session ended: %s%s", ended.status or "?", f" ({ended.error[:60]})" if ended.error else "")
    return _plain("")


def _sms(services, module):
    inbound = module.receive_sms(request.form, services.clock())
    return answer_once(services, module, "sms", inbound, enqueue_answer)


def answer_once(services, module, kind: str, inbound: Inbound, enqueue) -> Response:
    """Queue the answer once per provider message id; a duplicate gets the same acknowledgement, nothing more."""
    once, key = Once(services.redis), (module.NAME, kind, inbound.provider_message_id)
    first, _ = once.claim(*key)
    if first:
        try:
            enqueue(services, inbound)
        except Exception:
            once.forget(*key)
            raise
        once.remember("queued", *key)
    body, content_type = module.acknowledge()
    return Response(body, 200, content_type=content_type)


def _delivery(services, module):
    report = module.status(request.form)
    once, key = Once(services.redis), (module.NAME, "report", report.provider_message_id, report.provider_status)
    first, _ = once.claim(*key)
    if first:
        services.enqueue(delivery_report, asdict(report), queue="high")
        once.remember("queued", *key)
    body, content_type = module.acknowledge()
    return Response(body, 200, content_type=content_type)


HANDLERS = {"ussd": _ussd, "ussd_end": _ussd_end, "sms": _sms, "delivery": _delivery}


def _plain(body: str) -> Response:
    return Response(body, 200, content_type="text/plain; charset=utf-8")


def _sorry(services) -> str:
    return ussd.render(Reply(services.catalogs.text("fr", "common.try_again_later"), end_session=True))


def _unavailable(services):
    return jsonify(error="unavailable", message="try again later"), 503


# A USSD screen must answer now (an HTTP error would end the session with a blank screen); the others may retry.
FALLBACKS = {"ussd": lambda services: _plain(_sorry(services))}


class QueryKeyRedaction(logging.Filter):
    """Access-log lines (werkzeug, gunicorn) never show a webhook's `key=` query value."""

    _KEY = re.compile(r"([?&]key=)[^&\s\"']*")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "key=" in message:
            record.msg, record.args = self._KEY.sub(r"\1[redacted]", message), None
        return True


def register(app) -> None:
    """Register the webhooks, and keep their keys out of the access logs of the development and gunicorn servers."""
    app.register_blueprint(bp)
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, QueryKeyRedaction) for f in logger.filters):
            logger.addFilter(QueryKeyRedaction())
