"""The phone simulator (opt-in: SHUBBAK_SIMULATOR=1, never in production): dial the USSD code, send SMS, see every
reply.

It posts to the same webhooks, with the same form fields as Africa's Talking and Twilio, adding the URL key or
the signature when they are configured, so that what it shows is what a real phone would get.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, current_app, jsonify, render_template, request
from twilio.request_validator import RequestValidator

from channels import records, twilio
from orders_core.errors import InvalidInput
from orders_core.phones import normalise_phone

__all__ = ["bp", "register", "ussd_form", "sms_form"]

bp = Blueprint("simulator", __name__, url_prefix="/simulator", template_folder="templates",
               static_folder="static/simulator", static_url_path="/static")
DEFAULT_PHONE = "+212612345678"


def _services():
    return current_app.extensions["shubbak"]


@bp.get("/")
def page():
    """The simulator page."""
    settings = _services().settings
    return render_template("simulator/index.html", code=settings.at_ussd_code, phone=DEFAULT_PHONE,
                           short_code=settings.at_short_code)


def ussd_form(phone: str, session_id: str, path: str, code: str) -> dict:
    """What Africa's Talking posts for one USSD step."""
    return {"sessionId": session_id, "serviceCode": code, "phoneNumber": phone, "networkCode": "60400",
            "text": path}


def sms_form(provider: str, phone: str, text: str, to: str) -> dict:
    """What Africa's Talking or Twilio posts for one incoming SMS."""
    if provider == twilio.NAME:
        return {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": "ACsimulator", "From": phone, "To": to,
                "Body": text, "NumMedia": "0", "NumSegments": "1"}
    return {"from": phone, "to": to, "text": text, "id": "sim-" + secrets.token_hex(8), "networkCode": "60400",
            "date": _services().clock().strftime("%Y-%m-%d %H:%M:%S")}


@bp.post("/ussd")
def ussd_step():
    """One USSD step: {phone, session, path} -> the webhook's answer."""
    body = request.get_json(silent=True) or {}
    session_id = str(body.get("session") or "sim-" + secrets.token_hex(8))[:100]
    form = ussd_form(str(body.get("phone") or DEFAULT_PHONE), session_id, str(body.get("path") or ""),
                     _services().settings.at_ussd_code)
    answer = _post("africastalking", "/webhooks/africastalking/ussd", form)
    return jsonify(session=session_id, status=answer.status_code, answer=answer.get_data(as_text=True))


@bp.post("/sms")
def sms_in():
    """One SMS from the phone: {phone, text, provider} -> the webhook's status (the reply comes later)."""
    body = request.get_json(silent=True) or {}
    provider = twilio.NAME if body.get("provider") == twilio.NAME else "africastalking"
    settings = _services().settings
    to = (settings.twilio_sms_from or "+15005550006") if provider == twilio.NAME else settings.at_short_code
    form = sms_form(provider, str(body.get("phone") or DEFAULT_PHONE), str(body.get("text") or ""), to)
    path = f"/webhooks/{provider}/sms"
    answer = _post(provider, path, form)
    return jsonify(status=answer.status_code, answer=answer.get_data(as_text=True))


@bp.get("/messages")
def messages():
    """The conversation of one number, and every outgoing SMS recorded (what the console sender "sent")."""
    uow = _services().uow
    try:
        phone = normalise_phone(request.args.get("phone") or DEFAULT_PHONE)
    except InvalidInput:
        phone = None
    conversation = records.conversation(uow(), phone) if phone else []
    return jsonify(phone=phone, conversation=[_shown(m) for m in conversation],
                   outgoing=[_shown(m) for m in records.recent(uow(), 30)])


def _shown(message: dict) -> dict:
    keep = ("id", "direction", "contact", "text", "segments", "encoding", "provider", "provider_message_id",
            "status", "detail")
    return {**{k: message[k] for k in keep}, "at": message["created_at"].isoformat()}


def _post(provider: str, path: str, form: dict):
    """Post to the app's own webhook (in-process, as the provider would over HTTP), signed as configured."""
    settings, headers = _services().settings, {}
    if provider == "africastalking" and settings.at_webhook_keys:
        path += "?key=" + settings.at_webhook_keys[0]
    if provider == twilio.NAME and settings.twilio_auth_token:
        url = settings.public_base_url.rstrip("/") + path
        headers[twilio.SIGNATURE_HEADER] = RequestValidator(settings.twilio_auth_token).compute_signature(url, form)
    # The test client runs the real request pipeline in this process: no socket, no port to know.
    return current_app.test_client().post(path, data=form, headers=headers)


def register(app) -> None:
    """Serve the simulator when SHUBBAK_SIMULATOR=1 (`./dev run` sets it); production refuses to start with it."""
    # It posts to the webhooks with the real keys and signs as Twilio, and answers without a login: off by default.
    if app.extensions["shubbak"].settings.simulator_enabled:
        app.register_blueprint(bp)
