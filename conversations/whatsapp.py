"""WhatsApp conversations: answer a message (keeping the files sent with a complaint) and send a message by the
24-hour rule. The same pipeline as SMS (conversations.replies) as far as WhatsApp allows: one answer per message,
a reply sent by a job of its own; outside the window with no template, the SMS pipeline takes the reply."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timezone
from typing import Callable

from channels import whatsapp
from channels.dedup import Once
from channels.message import Inbound, Reply
from channels.records import record_reply
from channels.senders import SendError
from dialog import understanding
from dialog.complaint_files import ComplaintFiles
from dialog.contacts import WhatsAppId, choose_language, guessed_language, link_whatsapp, whatsapp_reach

from .replies import NotSentYet

__all__ = ["answer", "send"]

log = logging.getLogger(__name__)


def answer(services, inbound: Inbound, attempt: int, send_job: Callable, retry=None) -> str:
    """Link the sender to its contact, run the dialog, keep the files sent, queue `send_job` for the reply."""
    inbound = _identified(services, inbound)
    media = _keep_media(services, inbound) if attempt == 1 else inbound.extra.get("media") or []
    if media and not inbound.text.strip() and _idle(services, inbound):
        return _queue(services, inbound, Reply(_about_media(services, inbound, media)), send_job, retry)
    before = _last_complaint(services, inbound)
    # Busy: another message of this contact goes first.
    reply = services.dialog.handle(inbound, services.surfaces[whatsapp.CHANNEL])
    if media or _pending(services, inbound):
        _attach_since(services, inbound, before)
    return _queue(services, inbound, reply, send_job, retry)


def send(services, contact: str, text: str, key: str, kind: str, values: dict | None, retries_left: bool,
         sms_job: Callable, retry=None) -> str:
    """Send one message to a contact by the 24-hour rule: free-form, else the kind's template, else SMS (queueing
    `sms_job`). Raise NotSentYet when a refusal is worth another try and the caller's job has one left."""
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
        return _by_sms(services, path.to, text, key, sms_job, retry)
    return _send(path, text, template[1] if template else {}, services.whatsapp_sender, retries_left)


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


def _queue(services, inbound: Inbound, reply: Reply, send_job: Callable, retry) -> str:
    """Queue the reply's sending once, even when the answering job runs again."""
    text = whatsapp.render(reply)
    if not text:
        return "quiet"
    first, _ = Once(services.redis).claim(whatsapp.CHANNEL, "reply", inbound.provider_message_id or "")
    if not first:
        return "answered already"
    services.enqueue(send_job, inbound.contact, text, inbound.provider_message_id or "", queue="high",
                     retry=retry, description=f"{send_job.__name__}({inbound.provider_message_id})")
    return "queued"


def _send(path: whatsapp.Route, text: str, variables: dict, sender, retries_left: bool) -> str:
    """A template, or the text in as many messages as it takes, in order."""
    try:
        if path.content_sid:
            sender.send_template(path.to, path.content_sid, variables)
            return "template"
        for piece in whatsapp.pieces(text):
            sender.send(path.to, piece)
        return "sent"
    except SendError as exc:
        if exc.retryable and retries_left:
            raise NotSentYet(f"WhatsApp message not sent yet: {exc.reason}") from None
        log.warning("WhatsApp message to %s failed: %s", whatsapp.masked(path.to), exc.reason)
        return "failed"


def _by_sms(services, phone: str, text: str, key: str, sms_job: Callable, retry) -> str:
    """Outside the window with no template: the SMS pipeline (records, providers, retries) takes it."""
    sms_id = record_reply(services.uow(), phone, text, f"whatsapp:{key}")
    if sms_id is None:
        return "answered already"
    services.enqueue(sms_job, sms_id, queue="high", retry=retry)
    return "sms"


def _aware(moment):
    """SQLite keeps no offset: its naive datetimes are UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


# Files sent with a complaint

def _files(services) -> ComplaintFiles:
    return ComplaintFiles(services.uow, services.redis, services.clock)


def _contacts(inbound: Inbound) -> list[str]:
    return [c for c in (inbound.contact, inbound.phone) if c]


def _keep_media(services, inbound: Inbound) -> list[dict]:
    """Keep this message's files with the contact's pending ones."""
    media = inbound.extra.get("media") or []
    _files(services).keep(inbound.contact, media)
    return media


def _pending(services, inbound: Inbound) -> list[dict]:
    return _files(services).pending(inbound.contact)


def _idle(services, inbound: Inbound) -> bool:
    """No conversation under way: a file alone is not an answer to any question."""
    return services.dialog.sessions.load(services.surfaces[whatsapp.CHANNEL].session_key(inbound)) is None


def _about_media(services, inbound: Inbound, media: list[dict]) -> str:
    """Attach files to a complaint filed within the hour, or say they wait for the next one."""
    reference = _files(services).attach_to_recent(inbound.contact, _contacts(inbound))
    language = _language(services, inbound)
    if reference is None:
        return services.catalogs.text(language, "whatsapp.media.kept")
    return services.catalogs.text(language, "whatsapp.media.attached", ref=reference)


def _language(services, inbound: Inbound) -> str:
    reach = whatsapp_reach(services.uow(), inbound.contact)
    return (reach.language if reach else None) or understanding.language_of(inbound.text) or "fr"


def _last_complaint(services, inbound: Inbound) -> int:
    return _files(services).last_complaint(_contacts(inbound))


def _attach_since(services, inbound: Inbound, after_id: int) -> None:
    """Attach the pending files to the contact's newest complaint filed after `after_id`."""
    _files(services).attach_since(inbound.contact, _contacts(inbound), after_id)
