"""Printed means working: every command any text tells a citizen to type works when typed exactly as printed.

The catalogs are read, every command found in a citizen-facing text (the printed keyword of an action, with the
`{ref}` that follows it, and a card's PIN where the text says to add it) is filled with real values, sent by SMS
and on WhatsApp, and the answer must be one of the action's own texts. A text printing any other keyword of an
action than its one printed word (dialog.keywords.PRINTED) fails too.
"""
from __future__ import annotations

import re
import string

import pytest

from dialog.flows import registry
from dialog.keywords import PRINTED, KeywordTable
from orders_core.references import format_reference
from orders_core.services import place_order
from orders_core.textfold import fold
from payments_sms import activate_cards, generate_batch
from texts import Catalogs, gsm7_safe
from web.demo import draft

from .conftest import Sms, WhatsApp, guarded, number

__all__ = ["guarded"]

CATALOGS = Catalogs.load()
TABLE = KeywordTable.of(registry().values())
CITIZEN_AREAS = ("dialog.", "notify.", "payments.", "understanding.", "whatsapp.", "common.")
# The texts that may answer each action (catalog key prefixes).
ANSWERS = {
    "order": ("dialog.order.document",),
    "track": ("dialog.track.",),
    "pay": ("payments.premium.quote", "payments.flow.", "payments.nothing_due"),
    "card": ("payments.card.paid", "payments.flow.pin", "payments.flow.which", "payments.flow.reference"),
    "complain": ("dialog.complain.order", "dialog.complain.category"),
    "human": ("dialog.human.opened", "dialog.human.waiting"),
    "language": ("dialog.language.choose",),
    "menu": ("dialog.menu.title",),
    "help": ("dialog.help.sms",),
    "repeat": ("dialog.repeat.",),
    "leave": ("dialog.human.left", "dialog.human.none"),
}
# With a reference typed as printed, the one answer that means it was read (the order awaits payment).
ANSWERS_WITH_REFERENCE = {
    "track": ("dialog.track.awaiting_payment",),
    "pay": ("payments.premium.quote", "payments.flow.method"),
    "card": ("payments.card.paid",),
}


def _token(word: str) -> re.Pattern:
    return re.compile(rf"(?<![\w]){re.escape(word)}(?![\w])")


def printed_commands(lang: str) -> list[tuple[str, str, str]]:
    """(key, action, command template) for every command printed in the citizen texts of `lang`."""
    found = []
    for key in sorted(CATALOGS.keys(lang)):
        if not key.startswith(CITIZEN_AREAS):
            continue
        template = CATALOGS.template(lang, key)
        for action, words in PRINTED.items():
            for match in _token(words[lang]).finditer(template):
                with_ref = template[match.end():].startswith(" {ref}")
                found.append((key, action, words[lang] + (" {ref}" if with_ref else "")))
    return found


def test_the_catalogs_print_commands_in_every_language():
    for lang in ("ar", "fr", "en"):
        actions = {action for _, action, _ in printed_commands(lang)}
        assert {"order", "track", "pay", "card", "human", "help"} <= actions, (lang, actions)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_text_prints_a_keyword_other_than_the_actions_printed_word(lang):
    printed = {words[lang] for words in PRINTED.values()}
    for key in CATALOGS.keys(lang):
        if key.startswith(CITIZEN_AREAS):
            for word in re.findall(r"\b[A-Z]{3,}\b", CATALOGS.template(lang, key)):
                command = TABLE.match(word)
                if command is not None and word not in printed:
                    pytest.fail(f"{lang} {key!r} prints {word!r}, not the printed word of {command.flow!r}")


def _pattern(lang: str, prefixes: tuple[str, ...]) -> list[re.Pattern]:
    """The texts of the keys under `prefixes`, as patterns whose placeholders match any value."""
    patterns = []
    for key in CATALOGS.keys(lang):
        if key.startswith(prefixes):
            template = gsm7_safe(CATALOGS.template(lang, key))
            parts = [re.escape(literal) + (".+?" if field is not None else "")
                     for literal, field, _, _ in string.Formatter().parse(template)]
            patterns.append(re.compile("".join(parts), re.S))
    return patterns


def _answered_by(reply: str, lang: str, action: str, with_reference: bool) -> bool:
    """Whether the reply starts with one of the action's texts (not with a complaint about what was typed)."""
    plain = reply.replace("*", "")  # WhatsApp's bold choice numbers
    keys = ANSWERS_WITH_REFERENCE.get(action, ANSWERS[action]) if with_reference else ANSWERS[action]
    return any(p.match(plain) or p.match(reply) for p in _pattern(lang, keys))


@pytest.fixture
def card_pins(services):
    printed = []
    summary = generate_batch(services.uow(), services.settings.card_pin_secret, 10000, 12, "finance-test",
                             services.settings.card_validity_days, printed.extend)
    activate_cards(services.uow(), batch_id=summary.batch_id)
    return iter([card.pin if hasattr(card, "pin") else card["pin"] for card in printed])


def _typed(command: str, lang: str, reference: str, action: str, pins) -> str:
    typed = command.replace("{ref}", format_reference(reference))
    if action == "card" and "{ref}" in command:
        typed += " " + next(pins)
    return typed


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_printed_command_works_typed_as_printed(lang, channel, services, client, card_pins, guarded):
    commands = sorted({(action, command) for _, action, command in printed_commands(lang)})
    assert commands
    wrong = []
    for action, command in commands:
        phone = number()
        order = place_order(services.uow(), services.settings.prices, draft(phone=phone, language=lang,
                                                                            lines={"extract": 1}))
        citizen = Sms(client, services, phone) if channel == "sms" else WhatsApp(client, services, phone)
        if action != "language":
            citizen.send(PRINTED["language"][lang])  # the citizen's language, as a first message would set it
            citizen.send(str(("fr", "ar", "en").index(lang) + 1))
        typed = _typed(command, lang, order.reference, action, card_pins)
        reply = citizen.send(typed)
        if not _answered_by(reply, lang, action, "{ref}" in command):
            wrong.append(f"{typed!r} -> {reply!r}")
    assert not wrong, "\n".join(wrong)


EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("variant", ["lower case", "eastern digits", "bidi marks", "plus before the PIN"])
def test_a_printed_command_works_in_lower_case_eastern_digits_or_copied_with_its_marks(variant, services, client,
                                                                                       card_pins, guarded):
    for action, lang in (("pay", "fr"), ("track", "en"), ("card", "ar")):
        phone = number()
        order = place_order(services.uow(), services.settings.prices, draft(phone=phone, language=lang,
                                                                            lines={"extract": 1}))
        ref, word = format_reference(order.reference), PRINTED[action][lang]
        pin = next(card_pins) if action == "card" else ""
        typed = {"lower case": f"{word.lower()} {ref} {pin}",
                 "eastern digits": f"{word} {ref.translate(EASTERN)} {pin.translate(EASTERN)}",
                 "bidi marks": f"{word} \u2066{ref}\u2069 {pin}",
                 "plus before the PIN": f"{word} {ref} + {pin}" if pin else f"{word} {ref}"}[variant].strip()
        citizen = Sms(client, services, phone)
        citizen.send(PRINTED["language"][lang])
        citizen.send(str(("fr", "ar", "en").index(lang) + 1))
        reply = citizen.send(typed)
        assert _answered_by(reply, lang, action, True), (typed, reply)
