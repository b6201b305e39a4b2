"""The credit ledger per account (phone number, or chat id when no phone is known): entries only, balance derived."""
from __future__ import annotations

from dataclasses import dataclass

from .. import queries
from ..errors import InvalidInput
from ..model import CreditEntry
from ..validation import clean_text

__all__ = ["CreditStatement", "credit_statement", "grant_credit"]


@dataclass(frozen=True)
class CreditStatement:
    account: str
    entries: tuple
    balance: int


def credit_statement(uow, account: str) -> CreditStatement:
    """Every entry of an account and the balance they add up to."""
    with uow:
        entries = tuple(queries.credit_entries(uow, account))
        return CreditStatement(account, entries, sum(e.amount for e in entries))


def grant_credit(uow, account: str, amount: int, reason: str) -> CreditEntry:
    """Record a credit given by staff (a goodwill gesture, a refund decided by support)."""
    reason = clean_text(reason, 32)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInput({"amount": f"a positive whole number of centimes, got {amount!r}"})
    if not reason:
        raise InvalidInput({"reason": "say why the credit is given"})
    with uow:
        entry = CreditEntry(account=account, amount=amount, reason=reason, order_id=None, at=uow.now())
        uow.add(entry)
        uow.publish("credit.issued", order_id=None, account=account, amount=amount)
        uow.commit()
        return entry
