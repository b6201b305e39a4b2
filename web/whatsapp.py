"""Twilio's WhatsApp callback: `POST /webhooks/twilio/whatsapp`.

Checked like the other Twilio callback (403 and nothing happens on a bad signature, computed over the configured
public URL), read strictly (400 naming the missing fields), deduplicated on `MessageSid`, stored in the inbox
(channels.inbox) and answered with empty TwiML; the reply goes later through the REST API (jobs.whatsapp). No input
makes it answer 500. Status callbacks of WhatsApp messages arrive at `/webhooks/twilio/status` with those of SMS.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from channels import whatsapp
from orders_core.errors import InvalidInput

from .webhooks import answer_once, callback_of

__all__ = ["bp", "register"]

log = logging.getLogger(__name__)
bp = Blueprint("whatsapp_webhook", __name__, url_prefix="/webhooks/twilio")


@bp.post("/whatsapp")
def incoming():
    """Check, read, store and queue one WhatsApp message."""
    services = current_app.extensions["shubbak"]
    try:
        if not whatsapp.authentic(callback_of(request), services.settings):
            log.warning("refused a Twilio WhatsApp callback: bad or missing signature")
            return jsonify(error="forbidden", message="bad or missing signature"), 403
        return _queued(services, whatsapp.receive(request.form, services.clock()))
    except InvalidInput as exc:
        return jsonify(error="invalid_input", message="missing or malformed fields", fields=exc.problems), 400
    except HTTPException:
        raise  # 4xx the framework decided (a body too large, ...)
    except Exception as exc:  # never a 500: Twilio retries a 503; the log gets no message text, no number
        log.error("Twilio WhatsApp callback failed: %s", type(exc).__name__)
        return jsonify(error="unavailable", message="try again later"), 503


def _queued(services, inbound) -> Response:
    """Store the message and queue its answer once per MessageSid; a duplicate gets the same empty TwiML and
    changes nothing."""
    return answer_once(services, whatsapp, inbound)


def register(app) -> None:
    """Register the callback (exempt from the staff view's CSRF check by its blueprint name)."""
    app.register_blueprint(bp)
