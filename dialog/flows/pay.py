"""Paying from a phone, in a conversation: premium SMS (quote, then YES) or a prepaid card (CARTE <ref> <PIN>).

The one `pay` flow: entries "start" (PAYER <ref> or the menu) and "card" (CARTE <ref> <PIN>); the argument is
what followed the keyword (folded: lower case, ASCII digits). What paying needs beyond the dialog (short codes,
card secret, billing) is `turn.ports.payments`, given by the composition root. Premium SMS needs an incoming SMS
to a premium short code (its linkId); elsewhere (USSD, WhatsApp, a long number) the citizen is told how to pay by
SMS, and may pay by card right there.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from channels.message import Reply
from orders_core.errors import ShubbakError
from orders_core.lifecycle import Status
from orders_core.redaction import CARD_WORDS, PIN_MARK
from orders_core.textfold import fold
from payments_sms import (
    CardNotUsable, confirm_premium_payment, decline_premium_payment, redeem_card, start_premium_payment,
)

from ..formats import mad, shown_reference
from ..keywords import leading_reference, typed_digits
from ..steps import Done, Flow, Go, Keyword, Retry, Step, Turn, choice, numbered
from .track import my_orders, typed_order

__all__ = ["FLOWS", "KEYWORDS", "PaymentPorts", "YES", "NO"]

YES = frozenset({"yes", "ok", "oui", "نعم", "ah", "aah", "iyeh", "wakha", "واخا"})
NO = frozenset({"no", "non", "لا", "la", "lla", "walo"})
REFERENCE, PIN = 10, 15
KEYWORDS = (
    Keyword("pay", "fr", ("payer", "paiement")),
    Keyword("pay", "en", ("pay",)),
    Keyword("pay", "ar", ("ادفع", "دفع", "اداء")),
    Keyword("pay", "fr", ("khlles", "khelles", "nkhelles")),
    # The card command's words are orders_core.redaction's, which takes the PIN out of such a message.
    *(Keyword("pay", lang, words, entry="card") for lang, words in CARD_WORDS.items()),
)
_MARK = fold(PIN_MARK)  # where the webhook took a PIN out, as a keyword's argument reads it
# What a refused card payment is told (by the error's code); a lock and an unusable card have texts of their own.
CARD_REFUSALS = {"check_number": "payments.card.check_number", "wrong_pin": "payments.card.wrong_pin",
                 "card_empty": "payments.card.empty", "nothing_due": "payments.nothing_due",
                 "no_such_order": "dialog.track.unknown"}


@dataclass(frozen=True)
class PaymentPorts:
    """What paying needs beyond the dialog's ports: the card secret and lock-out rules, the short codes, billing."""

    pin_secret: str
    policy: Any  # payments_sms.LockoutPolicy
    short_codes: Mapping[str, Any]  # number -> payments_sms.ShortCode
    default_short_code: str
    bill: Callable[[int], None]  # hand a confirmed charge to the provider (an RQ job)
    timezone: str = "Africa/Casablanca"


class _Pay:
    """The flow's steps; what paying needs is the turn's `ports.payments`."""

    # Which order, and how much it owes

    def start(self, turn: Turn, argument: str):
        if not argument.strip():
            return self._pick(turn)
        chosen = self._chosen(turn, argument, premium=True)
        return Go("reference", note=chosen) if isinstance(chosen, str) else chosen

    def card(self, turn: Turn, argument: str):
        """CARTE [<ref> [<PIN>]]: pay at once with both, ask the PIN with a reference, ask the order without."""
        turn.data["method"] = "card"
        sealed = turn.inbound.extra.get("pin")  # the PIN the webhook took out of the text, hashed
        digits = typed_digits(argument.replace(_MARK, "") if sealed else argument)
        if not digits:
            return self._pick(turn)
        if len(digits) not in ((REFERENCE,) if sealed else (REFERENCE, REFERENCE + PIN)) or not digits.isdigit():
            return Done(turn.say("payments.card.check_number"))
        chosen = self._chosen(turn, digits[:REFERENCE])
        if isinstance(chosen, str):
            return Done(turn.say(chosen))
        if not isinstance(chosen, Go) or (len(digits) == REFERENCE and not sealed):
            return chosen
        return self._redeem(turn, sealed or digits[REFERENCE:], retry=False)

    def _pick(self, turn: Turn):
        turn.data["unpaid"] = my_orders(turn, statuses={Status.AWAITING_PAYMENT})
        return Go("which") if turn.data["unpaid"] else Go("reference")

    def which_prompt(self, turn: Turn) -> Reply:
        return Reply(turn.say("payments.flow.which"),
                     options=numbered(shown_reference(r) for r in turn.data["unpaid"]))

    def which(self, turn: Turn, text: str):
        unpaid = turn.data["unpaid"]
        picked = choice(text, len(unpaid)) if len(text.strip()) < 3 else None
        return self._in_step(self._chosen(turn, unpaid[picked - 1] if picked else text))

    def reference(self, turn: Turn, text: str):
        return self._in_step(self._chosen(turn, text))

    def _in_step(self, outcome):
        return Retry(outcome) if isinstance(outcome, str) else outcome

    def _chosen(self, turn: Turn, typed: str, premium: bool = False):
        """Remember the order and go on (a Go or a Done), or the key saying what is wrong with the reference."""
        found = typed_order(turn, leading_reference(typed)[0],
                            lambda order: (order.reference, order.amount_due, order.status))
        if isinstance(found, str):
            return found
        reference, due, status = found
        if status != Status.AWAITING_PAYMENT or not due:
            return Done(turn.say("payments.nothing_due", ref=shown_reference(reference)))
        turn.data.update(ref=reference, due=due)
        if turn.data.get("method") == "card":
            return Go("pin")
        return self._quote(turn) if premium and self._short_code(turn) else Go("method")

    # How to pay

    def method_prompt(self, turn: Turn) -> Reply:
        code = self._short_code(turn) or turn.ports.payments.short_codes[turn.ports.payments.default_short_code]
        return Reply(turn.say("payments.flow.method", ref=shown_reference(turn.data["ref"]),
                              due=mad(turn.data["due"], turn.lang)),
                     options=numbered((turn.say("payments.flow.by_card"),
                                       turn.say("payments.flow.by_sms", price=mad(code.price, turn.lang)))))

    def method(self, turn: Turn, text: str):
        picked = choice(text, 2)
        if picked == 1:
            return Go("pin")
        if picked == 2:
            if self._short_code(turn):
                return self._quote(turn)
            code = turn.ports.payments.short_codes[turn.ports.payments.default_short_code]
            return Done(turn.say("payments.premium.how", ref=shown_reference(turn.data["ref"]), short_code=code.code,
                                 price=mad(code.price, turn.lang)))
        return Retry("dialog.unknown_choice")

    # Prepaid card

    def ask(self, key: str):
        return lambda turn: Reply(turn.say(key))

    def pin(self, turn: Turn, text: str):
        return self._redeem(turn, turn.inbound.extra.get("pin") or text, retry=True)

    def _redeem(self, turn: Turn, pin: str, retry: bool):
        turn.act()
        try:
            paid = redeem_card(turn.ports.uow(), turn.data["ref"], pin, turn.inbound.phone or turn.inbound.contact,
                               pin_secret=turn.ports.payments.pin_secret, policy=turn.ports.payments.policy,
                               channel=turn.surface.name)
        except ShubbakError as refused:
            return self._refused(turn, refused, retry)
        key = "payments.card.paid_full" if paid.paid_now else "payments.card.paid"
        return Done(turn.say(key, ref=shown_reference(paid.reference), amount=mad(paid.amount, turn.lang),
                             due=mad(paid.due, turn.lang), balance=mad(paid.card_balance, turn.lang)))

    def _refused(self, turn: Turn, refused: ShubbakError, retry: bool):
        until = getattr(refused, "until", None) or getattr(refused, "locked_until", None)
        if until:
            return Done(turn.say("payments.card.locked", time=self._local_time(turn, until)))
        if isinstance(refused, CardNotUsable):
            return Done(turn.say(f"payments.card.{refused.reason}"))
        key = CARD_REFUSALS.get(refused.code, "common.try_again_later")
        if retry and refused.code in ("check_number", "wrong_pin"):
            return Retry(key)  # in the PIN step: type it again
        return Done(turn.say(key, ref=shown_reference(turn.data["ref"])))

    def _local_time(self, turn: Turn, moment: datetime) -> str:
        return moment.astimezone(ZoneInfo(turn.ports.payments.timezone)).strftime("%H:%M")

    # Premium SMS: the quote, then YES

    def _short_code(self, turn: Turn):
        """The premium short code this message was sent to, if it was and its surface takes billed replies."""
        if not turn.surface.billed_replies:
            return None
        return turn.ports.payments.short_codes.get(str(turn.inbound.extra.get("to") or ""))

    def _quote(self, turn: Turn):
        turn.act()
        code, first = self._short_code(turn), (fold(turn.inbound.text or "").split() or [""])[0]
        try:
            quote = start_premium_payment(turn.ports.uow(), turn.data["ref"], self._phone(turn),
                                          turn.inbound.extra.get("link_id"), code, keyword=first, language=turn.lang)
        except ShubbakError as refused:
            return Done(self._premium_refusal(turn, refused))
        turn.data["quote"] = {"due": quote.due, "count": quote.messages, "price": quote.price,
                              "amount": quote.billed_total}
        return Go("confirm")

    def confirm_prompt(self, turn: Turn) -> Reply:
        quote, lang = turn.data["quote"], turn.lang
        credit = quote["amount"] - quote["due"]
        key = "payments.premium.quote_credit" if credit else "payments.premium.quote"
        return Reply(turn.say(key, ref=shown_reference(turn.data["ref"]), due=mad(quote["due"], lang),
                              count=quote["count"], price=mad(quote["price"], lang), amount=mad(quote["amount"], lang),
                              credit=mad(credit, lang)))

    def confirm(self, turn: Turn, text: str):
        word = (fold(text).split() or [""])[0]
        if word not in YES | NO:
            return Retry("payments.flow.yes_no")
        turn.act()
        if word in NO:
            decline_premium_payment(turn.ports.uow(), self._phone(turn))
            return Done(turn.say("payments.premium.declined"))
        try:
            charge_id = confirm_premium_payment(turn.ports.uow(), self._phone(turn), turn.inbound.extra.get("link_id"))
        except ShubbakError as refused:
            return Done(self._premium_refusal(turn, refused))
        turn.ports.payments.bill(charge_id)
        return Done(turn.say("payments.premium.confirmed", ref=shown_reference(turn.data["ref"])))

    def _premium_refusal(self, turn: Turn, refused: ShubbakError) -> str:
        keys = {"nothing_due": "payments.nothing_due", "payment_in_progress": "payments.premium.in_progress",
                "no_pending_payment": "payments.premium.no_pending"}
        return turn.say(keys.get(refused.code, "common.try_again_later"), ref=shown_reference(turn.data["ref"]))

    def _phone(self, turn: Turn) -> str:
        return turn.inbound.phone or turn.inbound.contact


_PAY = _Pay()
_STEPS = {"which": Step(_PAY.which_prompt, _PAY.which),
          "reference": Step(_PAY.ask("payments.flow.reference"), _PAY.reference),
          "method": Step(_PAY.method_prompt, _PAY.method), "pin": Step(_PAY.ask("payments.flow.pin"), _PAY.pin),
          "confirm": Step(_PAY.confirm_prompt, _PAY.confirm)}
FLOWS = (Flow("pay", _STEPS, {"start": _PAY.start, "card": _PAY.card}, KEYWORDS),)
