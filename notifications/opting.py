"""STOP and START, read before anything else a citizen writes on SMS or WhatsApp, whatever the conversation.

Plugged in front of every other router of the dialog (by bootstrap): `OptOutKeywords(...)(inbound)` answers
an opt-out or opt-in keyword, and None for anything else. The first STOP is confirmed once, with how to come back
and how to still track an order; a repeated STOP is not answered again. When Twilio's Advanced Opt-Out took the
STOP itself (`OptOutType`), Twilio has confirmed it and blocks our answer: it is recorded, not answered.
"""
from __future__ import annotations

import logging
from typing import Callable

from channels.message import Inbound, Reply
from orders_core.phones import mask_phone
from orders_core.textfold import fold

from .optouts import CHANNELS, opt_in, opt_out

__all__ = ["OptOutKeywords", "STOP_WORDS", "START_WORDS", "keyword_of"]

log = logging.getLogger(__name__)

# Whole messages (folded: no case, accents or hamza) -> the language of the confirmation (None: the contact's).
STOP_WORDS = {
    "stop": None, "stop all": None, "stopall": None, "unsubscribe": "en", "stop sms": None,
    "arret": "fr", "arreter": "fr", "arrete": "fr", "desabonner": "fr", "desinscrire": "fr",
    "توقف": "ar", "وقف": "ar", "اوقف": "ar", "ايقاف": "ar", "الغاء": "ar",
}
START_WORDS = {
    "start": None, "unstop": None, "demarrer": "fr", "reprendre": "fr",
    "ابدا": "ar", "ابدء": "ar", "استئناف": "ar",
}


def keyword_of(text: str) -> tuple[str, str | None] | None:
    """("stop" or "start", the keyword's language) when the whole message is one of the words, else None."""
    folded = fold(text or "")
    if folded in STOP_WORDS:
        return "stop", STOP_WORDS[folded]
    if folded in START_WORDS:
        return "start", START_WORDS[folded]
    return None


class OptOutKeywords:
    """The pre-router: records STOP / START for the message's contact on its channel and confirms it."""

    __name__ = "opt-out keywords"

    def __init__(self, uow: Callable, catalogs, language_of: Callable[[str], str | None] = lambda contact: None):
        self.uow, self.catalogs, self.language_of = uow, catalogs, language_of

    def __call__(self, inbound: Inbound) -> Reply | None:
        found = keyword_of(inbound.text) if inbound.channel in CHANNELS else None
        if found is None:
            return None
        word, language = found
        language = language or self.language_of(inbound.contact) or "fr"
        return self._stop(inbound, language) if word == "stop" else self._start(inbound, language)

    def _stop(self, inbound: Inbound, language: str) -> Reply:
        how = f"keyword:{inbound.text.strip()[:40]}"
        news = opt_out(self.uow(), inbound.contact, inbound.channel, how)
        log.info("%s opted out of %s%s", mask_phone(inbound.contact), inbound.channel, "" if news else " (again)")
        if not news or inbound.extra.get("opt_out_type") == "STOP":
            return Reply("")  # confirmed once already, or by Twilio itself
        return Reply(self.catalogs.text(language, "optout.stopped"))

    def _start(self, inbound: Inbound, language: str) -> Reply:
        back = opt_in(self.uow(), inbound.contact, inbound.channel)
        log.info("%s %s on %s", mask_phone(inbound.contact), "opted back in" if back else "sent START",
                 inbound.channel)
        return Reply(self.catalogs.text(language, "optout.started"))
