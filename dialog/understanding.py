"""Free text understood by an NLU model (SMS and WhatsApp only, never USSD): intents -> the flows they open.

When the model is sure, its intent opens a flow (with the reference, PIN, document and copies it found); when it is
sure the message is about something the service does not do (another paper, a bill, small talk), the bot says what
it can do and offers a person. When it is unsure, the bot asks which of the likely things was meant; when it cannot
be asked (no model answered), the bot says it did not understand and shows the menu, rather than guess. A second
misunderstanding in a row offers a person. How sure is sure depends on the model (dialog.nlu.calibration).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable

from channels.message import Reply

from .contacts import choose_language
from .flows.menu import MAIN
from .keywords import Command, bare_reference
from .nlu.calibration import OUT_OF_SCOPE
from .ports import Intent, Understand
from .steps import Done, Enter, Flow, Go, Retry, Step, Turn, choice, numbered

__all__ = ["INTENTS", "MIN_CONFIDENCE", "LIKELY", "FLOW", "Understood", "command_for", "understand_with",
           "language_of", "flows"]

log = logging.getLogger(__name__)
MIN_CONFIDENCE = 0.6  # below it the bot asks what was meant rather than guess (for a model without its own)
LIKELY = 0.1  # an intent this likely is offered in the clarifying question
FLOW = "understanding"  # the flow below: clarifying question, "not understood" menu, offer of a person
# Intent name (dialog/nlu/data) -> (flow, entry).
INTENTS = {
    "order": ("order", "start"),
    "track": ("track", "start"),
    "complain": ("complain", "start"),
    "help": ("help", "start"),
    "greet": ("help", "start"),
    "human": ("human", "start"),
    "change_language": ("language", "start"),
    "pay_sms": ("pay", "start"),
    "pay_card": ("pay", "card"),
}
# Intent -> its label in the main menu, for the clarifying question (intents sharing a label are offered once).
LABELS = {"order": "dialog.menu.order", "track": "dialog.menu.track", "complain": "dialog.menu.complain",
          "pay_sms": "dialog.menu.pay", "pay_card": "dialog.menu.pay", "human": "dialog.menu.human",
          "help": "dialog.menu.help", "greet": "dialog.menu.help", "change_language": "dialog.menu.language"}
DOCUMENTS = ("extract", "full_copy")
LANGUAGES = ("fr", "ar", "en")


@dataclass(frozen=True)
class Understood(Intent):
    """An intent with what else the model said: the ranking of intents, the text's language, whether it answered,
    and how sure this model must be for its intent to be taken."""

    ranking: tuple = ()
    lang: str | None = None
    reached: bool = True  # False: the model could not be asked (down, slow, broken)
    accept_at: float = MIN_CONFIDENCE


def understand_with(parse: Callable[[str], object], accept_at: float = MIN_CONFIDENCE,
                    fallback: Understand | None = None) -> Understand:
    """The dialog's `understand` port over an NLU's `parse` (dialog.nlu_client.NluClient.parse,
    dialog.embedded_nlu.EmbeddedClassifier.parse), sure from `accept_at`; `fallback` answers when it cannot."""
    def understand(text: str) -> Understood:
        """What `text` means to the model, with its language; `reached=False` when no model could say."""
        found = parse(text)
        if found is None:
            return fallback(text) if fallback else Understood("", 0.0, None, reached=False, lang=language_of(text))
        return Understood(found.intent, found.confidence, dict(found.entities), tuple(found.ranking),
                          language_of(text), accept_at=accept_at)
    return understand


def command_for(intent: Intent | None) -> Command:
    """The flow an understood intent opens; the clarifying question when unsure; the menu when not understood."""
    lang = getattr(intent, "lang", None)
    if intent is None or not getattr(intent, "reached", True):
        return Command(FLOW, "unheard", lang)
    sure = intent.confidence >= getattr(intent, "accept_at", MIN_CONFIDENCE)
    if sure and intent.name in INTENTS:
        return _confident(intent, lang)
    if sure and intent.name == OUT_OF_SCOPE:
        return Command(FLOW, OUT_OF_SCOPE, lang)
    likely = _likely(intent)
    return Command(FLOW, "clarify", lang, " ".join(likely)) if likely else Command(FLOW, "unheard", lang)


def _confident(intent: Intent, lang: str | None) -> Command:
    entities = intent.entities or {}
    if intent.name == "order" and entities.get("doc_type") in DOCUMENTS:
        return Command(FLOW, "order", lang, f"{entities['doc_type']} {entities.get('copies', '')}".strip())
    if intent.name == "change_language" and entities.get("language") in LANGUAGES:
        return Command(FLOW, "language", lang, entities["language"])
    flow, entry = INTENTS[intent.name]
    argument = " ".join(str(entities[name]) for name in ("order_ref", "pin") if entities.get(name))
    return Command(flow, entry, lang, argument)


def _likely(intent: Intent) -> list[str]:
    """Up to three intents worth offering, most likely first, one per menu label."""
    ranking = getattr(intent, "ranking", ()) or ((intent.name, intent.confidence),)
    likely, labels = [], set()
    for name, confidence in ranking:
        if name in LABELS and confidence >= LIKELY and LABELS[name] not in labels:
            likely.append(name)
            labels.add(LABELS[name])
    return likely[:3]


# The language a text is written in, as far as a few words tell: Arabic script, or English / French words.
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ENGLISH = frozenset("i my the want where is please hello hi need birth certificate speak talk person help pay "
                     "card what can you thanks thank order status copy complaint language".split())
_FRENCH = frozenset("je veux mon ma mes est ou suis bonjour une un de la le les pour avec parler commande demande "
                    "merci svp vous extrait acte naissance aide payer carte langue reclamation salut".split())
_DARIJA = frozenset("bghit fin dyali wach m3a chi 3afak salam wesh kifach fen bgheet talab".split())


def language_of(text: str) -> str | None:
    """Arabic for Arabic script, English or French by their words (French for Latin-script Darija), else None."""
    if _ARABIC.search(text or ""):
        return "ar"
    words = re.findall(r"[a-z0-9']+", (text or "").lower()[:500])
    english = sum(word in _ENGLISH for word in words)
    french = sum(word in _FRENCH or word in _DARIJA for word in words)
    if english > french:
        return "en"
    return "fr" if french else None


# The flow of misunderstandings

def _clarify_prompt(turn: Turn) -> Reply:
    labels = [turn.say(LABELS[name]) for name in turn.data["likely"]] + [turn.say("understanding.menu")]
    return Reply(turn.say("understanding.clarify"), options=numbered(labels))


def _unheard_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("understanding.not_understood"), options=numbered(turn.say(key) for key, _, _ in MAIN))


def _elsewhere_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("nlu.out_of_scope"),
                 options=numbered((turn.say("understanding.yes_human"), turn.say("understanding.no_menu"))))


def _offer_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("understanding.offer_human"),
                 options=numbered((turn.say("understanding.yes_human"), turn.say("understanding.no_menu"))))


class _Listener:
    """The steps' answers; a text that is not a choice is understood again, and a second miss offers a person."""

    def __init__(self, understand: Understand):
        self.understand = understand

    def clarified(self, turn: Turn, text: str):
        """One of the likely things, or the menu."""
        likely = turn.data["likely"]
        picked = choice(text, len(likely) + 1)
        if picked is None:
            return self.again(turn, text)
        return Enter(*INTENTS[likely[picked - 1]]) if picked <= len(likely) else Go("main", "menu")

    def picked(self, turn: Turn, text: str):
        """A choice of the main menu."""
        picked = choice(text, len(MAIN))
        if picked is None:
            return self.again(turn, text)
        _, flow, entry = MAIN[picked - 1]
        return Enter(flow, entry)

    def offered(self, turn: Turn, text: str):
        """A person, the menu, or words understood at last."""
        picked = choice(text, 2)
        if picked is not None:
            return Enter("human") if picked == 1 else Go("main", "menu")
        heard = self.heard(text)
        return Retry("dialog.unknown_choice") if heard is None else Enter(heard.flow, heard.entry, heard.argument)

    def again(self, turn: Turn, text: str):
        """A second message not understood: offer a person; understood this time: go where it says."""
        heard = self.heard(text)
        return Go("human") if heard is None else Enter(heard.flow, heard.entry, heard.argument)

    def heard(self, text: str) -> Command | None:
        """What a text asks for when the model is sure of it (or it is a bare reference), else None."""
        found = bare_reference(text)
        if found is not None or not text.strip():
            return found
        try:
            command = command_for(self.understand(text[:500]))
        except Exception as exc:  # a failing model is one more misunderstanding, never an error
            log.warning("NLU failed: %s", type(exc).__name__)
            return None
        return None if command.flow == FLOW and command.entry in ("clarify", "unheard") else command


def _clarify(turn: Turn, argument: str):
    turn.data["likely"] = [name for name in argument.split() if name in LABELS][:3]
    return Go("clarify") if turn.data["likely"] else Go("unheard")


def _order(turn: Turn, argument: str):
    """An order whose document (and copies) the citizen already named: the order flow starts further on."""
    words = argument.split()
    document, copies = words[0], words[1] if len(words) > 1 else ""
    turn.data.update(docs=[document], lines={}, copy_index=0)
    if copies.isdigit() and 1 <= int(copies) <= 10:
        turn.data.update(lines={document: int(copies)}, copy_index=1)
        return Go("office", "order")
    return Go("copies", "order")


def _language(turn: Turn, argument: str):
    turn.session.lang = argument
    choose_language(turn.ports.uow(), turn.inbound.contact, argument)
    return Done(turn.say("dialog.language.saved") + "\n" + turn.say("dialog.help.short"))


def flows(understand: Understand) -> tuple[Flow, ...]:
    """The misunderstanding flow, understanding again with `understand`; registered with the `understand` port."""
    listener = _Listener(understand)
    steps = {"clarify": Step(_clarify_prompt, listener.clarified), "unheard": Step(_unheard_prompt, listener.picked),
             "human": Step(_offer_prompt, listener.offered), OUT_OF_SCOPE: Step(_elsewhere_prompt, listener.offered)}
    entries = {"start": lambda turn, argument: Go("unheard"), "unheard": lambda turn, argument: Go("unheard"),
               "clarify": _clarify, "order": _order, "language": _language,
               OUT_OF_SCOPE: lambda turn, argument: Go(OUT_OF_SCOPE)}
    return (Flow(FLOW, steps, entries),)
