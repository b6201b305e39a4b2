"""RQ jobs of WhatsApp conversations (answer a message, send a message by the 24-hour rule), files sent with a
complaint, and the wiring of WhatsApp and of the NLU (the dialog's `understand` port, SMS and WhatsApp, never
USSD) into the composition root.
"""
from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta, timezone

import rq
from sqlalchemy import func, or_, select

import bootstrap
from channels import whatsapp
from channels.dedup import Once
from channels.message import Inbound, Reply
from channels.records import record_reply
from channels.senders import SendError
from dialog import Surface, embedded_nlu, understanding
from dialog.contacts import WhatsAppId, choose_language, link_whatsapp, whatsapp_reach
from dialog.nlu import calibration
from dialog.nlu_client import NluClient
from jobs.conversations import CHAT_SECONDS, SEND_RETRY, answer_message, dialog_of, plain, send_sms
from orders_core.model import Complaint
from orders_core.phones import country_of
from orders_core.references import format_reference

__all__ = ["SURFACE", "LANGUAGE_BY_COUNTRY", "install", "understanding_of", "install_understanding", "sender_of",
           "enqueue_answer", "answer_whatsapp", "send_whatsapp", "guessed_language"]

log = logging.getLogger(__name__)
SURFACE = Surface(whatsapp.CHANNEL, session_seconds=CHAT_SECONDS)
MEDIA_SECONDS = 3600  # a file sent before its complaint waits this long to be attached to it
_MEDIA = "shubbak:whatsapp:media:"
# A first guess at the language of a number's owner, changeable (LANGUE / language). Morocco has none: the first
# message decides (Arabic script -> Arabic, English words -> English, else French, Darija included). Canada is
# French: its Moroccans live mostly in Quebec.
LANGUAGE_BY_COUNTRY = {
    **dict.fromkeys(("FR", "BE", "CH", "LU", "MC", "CA", "SN", "CI"), "fr"),
    **dict.fromkeys(("US", "GB", "GG", "JE", "IM", "IE", "AU", "NZ"), "en"),
    **dict.fromkeys(("SA", "AE", "QA", "KW", "BH", "OM", "EG", "JO", "LB", "LY", "MR"), "ar"),
}


def install(services) -> None:
    """Wire the WhatsApp sender and the NLU (one line in bootstrap.build)."""
    sender_of(services)
    install_understanding(services, understanding_of(services.settings))


def understanding_of(settings):
    """Rasa when SHUBBAK_NLU_URL is set, the embedded classifier answering while it is down; else the embedded one
    alone (built at the first free text a process sees)."""
    embedded = understanding.understand_with(embedded_nlu.shared().parse, calibration.EMBEDDED_ACCEPT)
    if not settings.nlu_url:
        return embedded
    client = NluClient(settings.nlu_url, timeout=settings.nlu_timeout)
    return understanding.understand_with(client.parse, calibration.RASA_ACCEPT, fallback=embedded)


def install_understanding(services, understand) -> None:
    """Make `understand` the dialog's free-text port, with the flow that handles what it did not understand."""
    services.adapters["understand"] = understand
    flows = [flow for flow in services.adapters.get("dialog_flows", ()) if flow.name != understanding.FLOW]
    services.adapters["dialog_flows"] = [*flows, *understanding.flows(understand)]
    services.adapters.pop("dialog", None)  # built again with the port on first use


def sender_of(services):
    """The WhatsApp sender: Twilio's when configured, else one that records and logs (embedded default)."""
    if "whatsapp_sender" not in services.adapters:
        made = whatsapp.WhatsAppSender.from_settings(services.settings)
        services.adapters["whatsapp_sender"] = made or whatsapp.ConsoleWhatsApp()
    return services.adapters["whatsapp_sender"]


def enqueue_answer(services, inbound: Inbound):
    """Queue `answer_whatsapp` carrying an incoming message itself (high queue: the citizen is waiting)."""
    return services.enqueue(answer_whatsapp, plain(inbound), queue="high",
                            description=f"answer_whatsapp({inbound.provider_message_id})")


def answer_whatsapp(message: int | dict, attempt: int = 1) -> str:
    """Answer one WhatsApp message (its inbox id, or the message carried): link the sender to its contact, run the
    dialog, keep the files sent, queue the reply; say what happened."""
    return answer_message(bootstrap.current(), answer_whatsapp, message, attempt, _answer)


def _answer(services, inbound: Inbound, attempt: int) -> str:
    inbound = _identified(services, inbound)
    media = _keep_media(services, inbound) if attempt == 1 else inbound.extra.get("media") or []
    if media and not inbound.text.strip() and _idle(services, inbound):
        return _queue(services, inbound, Reply(_about_media(services, inbound, media)))
    before = _last_complaint(services, inbound)
    reply = dialog_of(services).handle(inbound, SURFACE)  # Busy: another message of this contact goes first
    if media or _pending(services, inbound):
        _attach_since(services, inbound, before)
    return _queue(services, inbound, reply)


def _identified(services, inbound: Inbound) -> Inbound:
    """The message with its contact's key and linked phone; a first contact gets a guessed language."""
    extra = inbound.extra
    seen = WhatsAppId(extra.get("address") or inbound.contact, inbound.phone, extra.get("wa_id"),
                      extra.get("external_user_id"))
    # The window runs from when the citizen wrote, not from when a (late) worker got to the message.
    reach = link_whatsapp(services.uow(), seen, inbound.received_at or services.clock())
    if reach.language is None:
        guess = understanding.language_of(inbound.text) or guessed_language(reach.phone)
        if guess:
            choose_language(services.uow(), reach.contact, guess)
    return replace(inbound, contact=reach.contact, phone=reach.phone)


def guessed_language(phone: str | None) -> str | None:
    """The likely language of a number's owner, from its country code (None for Morocco and the unknown)."""
    return LANGUAGE_BY_COUNTRY.get(country_of(phone) or "") if phone else None


def _queue(services, inbound: Inbound, reply: Reply) -> str:
    """Queue the reply's sending once, even when this job runs again."""
    text = whatsapp.render(reply)
    if not text:
        return "quiet"
    first, _ = Once(services.redis).claim(whatsapp.CHANNEL, "reply", inbound.provider_message_id or "")
    if not first:
        return "answered already"
    services.enqueue(send_whatsapp, inbound.contact, text, inbound.provider_message_id or "", queue="high",
                     retry=SEND_RETRY, description=f"send_whatsapp({inbound.provider_message_id})")
    return "queued"


def send_whatsapp(contact: str, text: str, key: str, kind: str = "reply", values: dict | None = None) -> str:
    """Send one message to a contact by the 24-hour rule: free-form, else the kind's template, else SMS."""
    services = bootstrap.current()
    reach = whatsapp_reach(services.uow(), contact)
    language = (reach.language if reach else None) or "fr"
    template = whatsapp.template_for(services.settings.twilio_templates, kind, language, values or {})
    path = whatsapp.route(reach.address if reach else None, reach.phone if reach else None,
                          _aware(reach.last_inbound_at) if reach else None, services.clock(),
                          template[0] if template else None)
    if path is None:
        log.warning("WhatsApp message %s: no way to reach its contact", key)
        return "unreachable"
    if path.channel == "sms":
        return _by_sms(services, path.to, text, key)
    return _send(path, text, template[1] if template else {}, sender_of(services))


def _send(path: whatsapp.Route, text: str, variables: dict, sender) -> str:
    """A template, or the text in as many messages as it takes, in order."""
    try:
        if path.content_sid:
            sender.send_template(path.to, path.content_sid, variables)
            return "template"
        for piece in whatsapp.pieces(text):
            sender.send(path.to, piece)
        return "sent"
    except SendError as exc:
        job = rq.get_current_job()
        if exc.retryable and job is not None and job.retries_left:
            raise RuntimeError(f"WhatsApp message not sent yet: {exc.reason}") from None  # RQ tries again
        log.warning("WhatsApp message to %s failed: %s", whatsapp.masked(path.to), exc.reason)
        return "failed"


def _by_sms(services, phone: str, text: str, key: str) -> str:
    """Outside the window with no template: the SMS pipeline (records, providers, retries) takes it."""
    sms_id = record_reply(services.uow(), phone, text, f"whatsapp:{key}")
    if sms_id is None:
        return "answered already"
    services.enqueue(send_sms, sms_id, queue="high", retry=SEND_RETRY)
    return "sms"


def _aware(moment):
    """SQLite keeps no offset: its naive datetimes are UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


# Files sent with a complaint

def _keep_media(services, inbound: Inbound) -> list[dict]:
    """Keep this message's files with the contact's pending ones; all of them, oldest first."""
    key = _MEDIA + inbound.contact
    for item in inbound.extra.get("media") or ():
        services.redis.rpush(key, json.dumps(item))
    if inbound.extra.get("media"):
        services.redis.expire(key, MEDIA_SECONDS)
    return inbound.extra.get("media") or []


def _pending(services, inbound: Inbound) -> list[dict]:
    return [json.loads(raw) for raw in services.redis.lrange(_MEDIA + inbound.contact, 0, -1)]


def _idle(services, inbound: Inbound) -> bool:
    """No conversation under way: a file alone is not an answer to any question."""
    return dialog_of(services).sessions.load(SURFACE.session_key(inbound)) is None


def _about_media(services, inbound: Inbound, media: list[dict]) -> str:
    """Attach files to a complaint filed within the hour, or say they wait for the next one."""
    since = services.clock() - timedelta(seconds=MEDIA_SECONDS)
    with services.uow() as uow:
        recent = uow.one(select(Complaint).where(_mine(inbound), Complaint.created_at >= since)
                         .order_by(Complaint.id.desc()).limit(1))
        reference = recent.reference if recent else None
    language = _language(services, inbound)
    if reference is None:
        return services.catalogs.text(language, "whatsapp.media.kept")
    _attach_since(services, inbound, recent.id - 1)
    return services.catalogs.text(language, "whatsapp.media.attached", ref=format_reference(reference))


def _language(services, inbound: Inbound) -> str:
    reach = whatsapp_reach(services.uow(), inbound.contact)
    return (reach.language if reach else None) or understanding.language_of(inbound.text) or "fr"


def _mine(inbound: Inbound):
    contacts = [c for c in (inbound.contact, inbound.phone) if c]
    return or_(Complaint.contact.in_(contacts), Complaint.phone.in_(contacts))


def _last_complaint(services, inbound: Inbound) -> int:
    with services.uow() as uow:
        return uow.scalar(select(func.coalesce(func.max(Complaint.id), 0)).where(_mine(inbound)))


def _attach_since(services, inbound: Inbound, after_id: int) -> None:
    """Attach the pending files (URL, type) to the contact's newest complaint filed after `after_id`."""
    media = _pending(services, inbound)
    with services.uow() as uow:
        complaint = uow.one(select(Complaint).where(_mine(inbound), Complaint.id > after_id)
                            .order_by(Complaint.id.desc()).limit(1).with_for_update())
        if complaint is None or not media:
            return
        complaint.attachments = [*complaint.attachments, *media][:10]
        uow.commit()
    services.redis.delete(_MEDIA + inbound.contact)
    log.info("complaint %s: %d file(s) attached from WhatsApp", complaint.id, len(media))
