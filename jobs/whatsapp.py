"""RQ jobs of WhatsApp conversations: answer a message, send a message by the 24-hour rule. The work is
conversations.whatsapp's; the services come from the composition root (bootstrap)."""
from __future__ import annotations

import rq

import bootstrap
from channels.message import Inbound
from conversations import whatsapp
from conversations.replies import answer_once
from jobs.conversations import SEND_RETRY, plain, send_sms

__all__ = ["enqueue_answer", "answer_whatsapp", "send_whatsapp"]


def enqueue_answer(services, inbound: Inbound):
    """Queue `answer_whatsapp` carrying an incoming message itself (high queue: the citizen is waiting)."""
    return services.enqueue(answer_whatsapp, plain(inbound), queue="high",
                            description=f"answer_whatsapp({inbound.provider_message_id})")


def answer_whatsapp(message: int | dict, attempt: int = 1) -> str:
    """Answer one WhatsApp message (its inbox id, or the message carried); say what happened."""
    return answer_once(bootstrap.current(), answer_whatsapp, message, attempt, _answer)


def _answer(services, inbound: Inbound, attempt: int) -> str:
    return whatsapp.answer(services, inbound, attempt, send_whatsapp, retry=SEND_RETRY)


def send_whatsapp(contact: str, text: str, key: str, kind: str = "reply", values: dict | None = None) -> str:
    """Send one message to a contact by the 24-hour rule: free-form, else the kind's template, else SMS."""
    job = rq.get_current_job()
    return whatsapp.send(bootstrap.current(), contact, text, key, kind, values,
                         retries_left=bool(job and job.retries_left), sms_job=send_sms, retry=SEND_RETRY)
