"""The phone simulator (opt-in: SHUBBAK_SIMULATOR=1, never in production): one phone per number, every channel.

A citizen's phone has a USSD dialer with the session's transcript, an SMS thread and a WhatsApp chat; an agent's
phone has its SMS thread. What the phones send goes to the same webhooks, with the same form fields as Africa's
Talking and Twilio (the URL key or the signature added when configured). What they receive is what the sandbox
delivered to them (channels.handset): replies, notifications, billed premium messages, templates, support answers.
"""
from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from twilio.request_validator import RequestValidator

from channels import records, twilio
from channels.whatsapp import PREFIX
from notifications.lookup import kinds_by_provider_id
from orders_core import queries
from orders_core.errors import InvalidInput
from orders_core.phones import normalise_phone
from payments_sms.sandbox import OUTCOMES, SUCCESS, outcome_key

__all__ = ["bp", "register", "ussd_form", "sms_form", "whatsapp_form"]

bp = Blueprint("simulator", __name__, url_prefix="/simulator", template_folder="templates",
               static_folder="static/simulator", static_url_path="/static")
DEFAULT_PHONE = "+212612345678"
LANGUAGES = ("fr", "ar", "en")
USSD_EVENTS = "/webhooks/africastalking/ussd/events"
# Catalog keys of the sandbox's outcomes: Africa's Talking's CamelCase words in snake case.
OUTCOME_KEYS = {word: re.sub(r"(?<!^)(?=[A-Z])", "_", word).lower() for word in OUTCOMES}


def _services():
    return current_app.extensions["shubbak"]


def _phone(value) -> str:
    """The E.164 number typed for a phone, or a 400 saying what is expected."""
    try:
        return normalise_phone(str(value or DEFAULT_PHONE))
    except InvalidInput:
        abort(400, description="phone: a mobile number such as +212612345678 or 0612345678")


@bp.get("/")
def page():
    """The simulator page, in the language asked for (?lang=ar|fr|en)."""
    services = _services()
    lang = request.args.get("lang") if request.args.get("lang") in LANGUAGES else "fr"
    texts = {key.split(".", 1)[1]: services.catalogs.template(lang, key)
             for key in services.catalogs.keys(lang) if key.startswith("simulator.")}
    return render_template("simulator/index.html", code=services.settings.at_ussd_code, phone=DEFAULT_PHONE,
                           short_code=services.settings.at_short_code, agent_phone=_agent_phone(services) or "",
                           lang=lang, rtl=lang == "ar", t=texts, outcomes=OUTCOMES, outcome_keys=OUTCOME_KEYS,
                           languages=LANGUAGES)


def _agent_phone(services) -> str | None:
    """The first active agent with a phone (the demo agent's): the agent's phone starts on that number."""
    with services.uow() as uow:
        return queries.first_agent_phone(uow)


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


def whatsapp_form(phone: str, text: str, to: str) -> dict:
    """What Twilio posts for one incoming WhatsApp message."""
    return {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": "ACsimulator", "From": PREFIX + phone,
            "To": PREFIX + to, "Body": text, "NumMedia": "0", "WaId": phone.lstrip("+"), "ProfileName": "Simulator"}


@bp.post("/ussd")
def ussd_step():
    """One USSD step: {phone, session, path} -> the webhook's answer; both ends go in the phone's transcript."""
    body = request.get_json(silent=True) or {}
    phone, path = _phone(body.get("phone")), str(body.get("path") or "")
    session_id = str(body.get("session") or "sim-" + secrets.token_hex(8))[:100]
    handset = _services().handset
    typed = path.rsplit("*", 1)[-1] if body.get("session") else _services().settings.at_ussd_code
    handset.record(phone, "ussd", "in", "typed", typed, session=session_id)
    answer = _post("africastalking", "/webhooks/africastalking/ussd",
                   ussd_form(phone, session_id, path, _services().settings.at_ussd_code))
    screen = answer.get_data(as_text=True)
    handset.record(phone, "ussd", "out", "screen", screen, session=session_id)
    return jsonify(session=session_id, status=answer.status_code, answer=screen)


@bp.post("/ussd/end")
def ussd_hang_up():
    """The phone hangs up: Africa's Talking's end-of-session notification goes to the events webhook."""
    body = request.get_json(silent=True) or {}
    phone, session_id = _phone(body.get("phone")), str(body.get("session") or "")[:100]
    if not session_id:
        abort(400, description="session: the USSD session to end")
    form = {"sessionId": session_id, "serviceCode": _services().settings.at_ussd_code, "networkCode": "60400",
            "phoneNumber": phone, "status": "Incomplete", "cost": "KES 0.0000", "durationInMillis": "0",
            "hopsCount": "1", "input": str(body.get("path") or ""), "lastAppResponse": "",
            "errorMessage": "", "date": _services().clock().strftime("%Y-%m-%d %H:%M:%S")}
    answer = _post("africastalking", USSD_EVENTS, form)
    _services().handset.record(phone, "ussd", "in", "hangup", "", session=session_id)
    return jsonify(status=answer.status_code)


@bp.post("/sms")
def sms_in():
    """One SMS from the phone: {phone, text, provider} -> the webhook's status (the reply comes later)."""
    body = request.get_json(silent=True) or {}
    provider = twilio.NAME if body.get("provider") == twilio.NAME else "africastalking"
    settings, phone, text = _services().settings, _phone(body.get("phone")), str(body.get("text") or "")
    to = (settings.twilio_sms_from or "+15005550006") if provider == twilio.NAME else settings.at_short_code
    _services().handset.record(phone, "sms", "in", "typed", text)
    answer = _post(provider, f"/webhooks/{provider}/sms", sms_form(provider, phone, text, to))
    return jsonify(status=answer.status_code, answer=answer.get_data(as_text=True))


@bp.post("/whatsapp")
def whatsapp_in():
    """One WhatsApp message from the phone: {phone, text} -> the webhook's status (the reply comes later)."""
    body = request.get_json(silent=True) or {}
    settings, phone, text = _services().settings, _phone(body.get("phone")), str(body.get("text") or "")
    to = (settings.twilio_whatsapp_from or "+14155238886").removeprefix(PREFIX)
    _services().handset.record(phone, "whatsapp", "in", "typed", text)
    answer = _post(twilio.NAME, "/webhooks/twilio/whatsapp", whatsapp_form(phone, text, to))
    return jsonify(status=answer.status_code)


@bp.post("/billing")
def choose_billing():
    """Choose how the sandbox biller answers this number's premium messages: {phone, outcome}."""
    body = request.get_json(silent=True) or {}
    phone, outcome = _phone(body.get("phone")), str(body.get("outcome") or SUCCESS)
    if outcome not in OUTCOMES:
        abort(400, description=f"outcome: one of {', '.join(OUTCOMES)}")
    _services().redis.set(outcome_key(phone), outcome, ex=24 * 3600)
    return jsonify(phone=phone, outcome=outcome)


@bp.get("/feed")
def feed():
    """A phone's messages after id `after`, each on its channel; notifications named by their kind."""
    services = _services()
    phone, after = _phone(request.args.get("phone")), request.args.get("after", "0")
    rows = services.handset.messages(phone, int(after) if after.isdigit() else 0)
    kinds = kinds_by_provider_id(services.engine, [r["provider_message_id"] for r in rows if r["provider_message_id"]])
    chosen = services.redis.get(outcome_key(phone))
    return jsonify(phone=phone, billing=(chosen.decode() if isinstance(chosen, bytes) else chosen) or SUCCESS,
                   messages=[_message(row, kinds) for row in rows])


def _message(row: dict, kinds: dict) -> dict:
    kind, text = kinds.get(row["provider_message_id"], (None, None))
    return {"id": row["id"], "channel": row["channel"], "direction": row["direction"],
            "kind": row["kind"] if kind is None or row["kind"] != "reply" else "notification",
            "notification": kind, "text": row["text"], "shown": text if row["kind"] == "template" else None,
            "session": row["session"], "at": row["created_at"].isoformat()}


@bp.get("/messages")
def messages():
    """The SMS conversation of one number, and every outgoing SMS recorded (the SMS pipeline's own record)."""
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
    services = app.extensions["shubbak"]
    if not services.settings.production:
        services.web_app = app  # the sandbox posts its provider reports through this app
    # It posts to the webhooks with the real keys and signs as Twilio, and answers without a login: off by default.
    if services.settings.simulator_enabled:
        app.register_blueprint(bp)
