"""The flows ask the surface what it can do (a flag), never which channel it is: a new surface with the flags of
SMS is answered as SMS is, whatever its name."""
import itertools
from dataclasses import replace

from channels.message import Inbound
from tests.payments_sms.conftest import place

from .conftest import PHONE

_ids = itertools.count(1)


def said(services, lang: str, key: str, **values) -> str:
    return services.catalogs.text(lang, key, **values)


def sms(text: str) -> Inbound:
    return Inbound("sms", "africastalking", PHONE, text, phone=PHONE, provider_message_id=f"surface-{next(_ids)}",
                   extra={"to": "1919", "link_id": f"link-{next(_ids)}"})


def test_a_premium_quote_goes_where_the_surface_takes_billed_replies_whatever_its_name(services):
    order = place(services)
    local = replace(services.surfaces["sms"], name="local-sms")
    assert local.billed_replies and "2 SMS" in services.dialog.handle(sms(f"PAYER {order.reference}"), local).text
    plain = replace(services.surfaces["sms"], name="plain-sms", billed_replies=False)
    answer = services.dialog.handle(sms(f"PAYER {order.reference}"), plain)
    assert "2 SMS" not in answer.text and answer.options  # how to pay: by card, or by SMS to the short code


def test_asking_for_a_person_says_where_the_answer_will_come_from_the_surface(services):
    by_sms = services.dialog.handle(sms("AGENT"), replace(services.surfaces["whatsapp"], answers_by_sms=True))
    assert by_sms.text == said(services, "fr", "dialog.human.opened_sms")
    services.dialog.handle(sms("QUITTER"), services.surfaces["sms"])
    here = services.dialog.handle(sms("AGENT"), replace(services.surfaces["sms"], answers_by_sms=False))
    assert here.text == said(services, "fr", "dialog.human.opened")
