"""Free text understood by an NLU model (SMS and WhatsApp only, never USSD): intents -> the flows they open."""
from __future__ import annotations

from .keywords import Command
from .ports import Intent

__all__ = ["INTENTS", "MIN_CONFIDENCE", "command_for"]

MIN_CONFIDENCE = 0.6  # below it the bot falls back to its short help rather than guess
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


def command_for(intent: Intent | None) -> Command | None:
    """The flow an understood intent opens, with its entities (reference, PIN) as the argument."""
    if intent is None or intent.confidence < MIN_CONFIDENCE or intent.name not in INTENTS:
        return None
    flow, entry = INTENTS[intent.name]
    entities = intent.entities or {}
    argument = " ".join(str(entities[name]) for name in ("order_ref", "pin") if entities.get(name))
    return Command(flow, entry, None, argument)
