"""The day's money, from the records alone: charges, card redemptions, payments, paid orders, credits, mismatches."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import queries
from .money import mad

__all__ = ["DayReport", "Mismatch", "reconcile_day"]


class Mismatch(str):
    """One record that does not add up: the English sentence the `reconcile` command prints, carrying the catalog
    key (`staff.reconciliation.mismatch.<key>`) and the values a page writes it with in the reader's language
    (amounts in centimes)."""

    key: str
    values: dict

    def __new__(cls, key: str, sentence: str, **values):
        made = super().__new__(cls, sentence)
        made.key, made.values = key, values
        return made


@dataclass(frozen=True)
class DayReport:
    day: date
    charges: list = field(default_factory=list)             # (short code, status, count, amount)
    payments_by_means: list = field(default_factory=list)   # (means, count, amount)
    cards_redeemed: tuple = (0, 0)                          # (count, amount)
    orders_paid: tuple = (0, 0)                             # (count, total)
    credits_issued: int = 0
    credits_used: int = 0
    mismatches: list = field(default_factory=list)          # one sentence each

    def lines(self) -> list[str]:
        """The report as printable lines (amounts in MAD)."""
        out = [f"reconciliation for {self.day.isoformat()}", "premium charges (short code, status, count, MAD):"]
        out += [f"  {code} {status} {n} {mad(amount, 'en')}" for code, status, n, amount in self.charges] or ["  none"]
        out.append("payments (means, count, MAD):")
        out += [f"  {means} {n} {mad(amount, 'en')}" for means, n, amount in self.payments_by_means] or ["  none"]
        out.append(f"card value redeemed: {self.cards_redeemed[0]} redemptions, {mad(self.cards_redeemed[1], 'en')} MAD")
        out.append(f"orders paid: {self.orders_paid[0]}, {mad(self.orders_paid[1], 'en')} MAD")
        out.append(f"credits issued: {mad(self.credits_issued, 'en')} MAD, used: {mad(self.credits_used, 'en')} MAD")
        out.append(f"mismatches: {len(self.mismatches)}")
        out += [f"  {m}" for m in self.mismatches]
        return out


def reconcile_day(uow, day: date, timezone: str = "Africa/Casablanca") -> DayReport:
    """Everything recorded on `day` (a calendar day in `timezone`) and every record that does not add up."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    with uow:
        return DayReport(
            day, charges=queries.charges_by_code(uow, start, end),
            payments_by_means=queries.payments_by_means(uow, start, end),
            cards_redeemed=tuple(queries.cards_redeemed(uow, start, end)),
            orders_paid=tuple(queries.orders_paid(uow, start, end)),
            credits_issued=queries.credits_issued(uow, start, end), credits_used=queries.credits_used(uow, start, end),
            mismatches=_mismatches(uow, start, end))


def _mismatches(uow, start, end) -> list[Mismatch]:
    found = [Mismatch("charge_without_payment",
                      f"charge {i} ({mid}) succeeded for {mad(a, 'en')} MAD without a matching payment",
                      id=i, message_id=mid, amount=a) for i, mid, a in queries.charges_without_payment(uow, start, end)]
    found += [Mismatch("premium_payment_without_charge", f"premium payment {i} ({ref}) has no succeeded charge", id=i,
                       source=ref) for i, ref in queries.premium_payments_without_charge(uow, start, end)]
    found += [Mismatch("redemption_without_payment", f"card redemption {i} of {mad(a, 'en')} MAD without a matching "
                       "payment", id=i, amount=a) for i, a in queries.redemptions_without_payment(uow, start, end)]
    found += [Mismatch("card_payment_without_redemption",
                       f"card payment {i} names redemption {ref}, which does not exist", id=i, source=ref)
              for i, ref in queries.card_payments_without_redemption(uow, start, end)]
    found += [Mismatch("order_not_adding_up", f"order {ref} is paid but its payments apply {mad(got, 'en')} of "
                       f"{mad(total, 'en')} MAD", ref=ref, applied=got, total=total)
              for ref, total, got in queries.paid_orders_not_adding_up(uow, start, end)]
    found += [Mismatch("card_overspent", f"card {serial} paid {mad(s, 'en')} MAD, more than its {mad(v, 'en')}",
                       serial=serial, amount=s, value=v) for serial, v, s in queries.cards_overspent(uow, start, end)]
    return found
