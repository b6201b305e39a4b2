"""The day's money, from the records alone: charges, card redemptions, payments, paid orders, credits, mismatches."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, func, select

from orders_core.orm import credit_entries, orders, payments

from .billing import MEANS as PREMIUM
from .money import mad
from .orm import card_redemptions, cards, premium_charges
from .redemption import MEANS as CARD

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
        rows = lambda stmt: list(uow.session.execute(stmt))  # noqa: E731 - read-only queries of this report
        return DayReport(
            day, charges=_charges(rows, start, end), payments_by_means=_payments(rows, start, end),
            cards_redeemed=tuple(rows(_within(select(func.count(), func.coalesce(func.sum(
                card_redemptions.c.amount), 0)), card_redemptions.c.at, start, end))[0]),
            orders_paid=tuple(rows(_within(select(func.count(), func.coalesce(func.sum(orders.c.total), 0)),
                                           orders.c.paid_at, start, end))[0]),
            credits_issued=_credits(uow, start, end, credit_entries.c.amount > 0),
            credits_used=-_credits(uow, start, end, credit_entries.c.amount < 0),
            mismatches=_mismatches(rows, start, end))


def _within(stmt, column, start, end):
    return stmt.where(column >= start, column < end)


def _charges(rows, start, end) -> list:
    c = premium_charges.c
    stmt = _within(select(c.short_code, c.status, func.count(), func.coalesce(func.sum(c.amount), 0)), c.created_at,
                   start, end)
    return [tuple(r) for r in rows(stmt.group_by(c.short_code, c.status).order_by(c.short_code, c.status))]


def _payments(rows, start, end) -> list:
    p = payments.c
    stmt = _within(select(p.means, func.count(), func.sum(p.amount)), p.at, start, end)
    return [tuple(r) for r in rows(stmt.group_by(p.means).order_by(p.means))]


def _credits(uow, start, end, condition) -> int:
    stmt = _within(select(func.coalesce(func.sum(credit_entries.c.amount), 0)), credit_entries.c.at, start, end)
    return int(uow.scalar(stmt.where(condition)))


def _mismatches(rows, start, end) -> list[str]:
    found = []
    for check in (_charges_without_payment, _premium_payments_without_charge, _redemptions_without_payment,
                  _card_payments_without_redemption, _paid_orders_not_adding_up, _cards_overspent):
        found += check(rows, start, end)
    return found


def _charges_without_payment(rows, start, end) -> list[str]:
    c, p = premium_charges.c, payments.c
    stmt = _within(select(c.id, c.provider_message_id, c.amount).outerjoin(payments, and_(
        p.means == PREMIUM, p.source_ref == c.provider_message_id)), c.final_at, start, end)
    stmt = stmt.where(c.status == "succeeded").where((p.id.is_(None)) | (p.amount != c.amount))
    return [Mismatch("charge_without_payment",
                     f"charge {i} ({mid}) succeeded for {mad(a, 'en')} MAD without a matching payment",
                     id=i, message_id=mid, amount=a) for i, mid, a in rows(stmt)]


def _premium_payments_without_charge(rows, start, end) -> list[str]:
    c, p = premium_charges.c, payments.c
    stmt = _within(select(p.id, p.source_ref).outerjoin(premium_charges, and_(
        c.provider_message_id == p.source_ref, c.status == "succeeded")), p.at, start, end)
    stmt = stmt.where(p.means == PREMIUM, c.id.is_(None))
    return [Mismatch("premium_payment_without_charge", f"premium payment {i} ({ref}) has no succeeded charge", id=i,
                     source=ref) for i, ref in rows(stmt)]


def _redemptions_without_payment(rows, start, end) -> list[str]:
    r, p = card_redemptions.c, payments.c
    stmt = _within(select(r.id, r.amount).outerjoin(payments, and_(
        p.means == CARD, p.source_ref == cast(r.id, String))), r.at, start, end)
    stmt = stmt.where((p.id.is_(None)) | (p.amount != r.amount))
    return [Mismatch("redemption_without_payment",
                     f"card redemption {i} of {mad(a, 'en')} MAD without a matching payment",
                     id=i, amount=a) for i, a in rows(stmt)]


def _card_payments_without_redemption(rows, start, end) -> list[str]:
    r, p = card_redemptions.c, payments.c
    named = rows(_within(select(p.id, p.source_ref), p.at, start, end).where(p.means == CARD))
    # The redemptions are looked up by their key; casting every id to text would read them all.
    ids = {int(ref) for _, ref in named if ref.isdigit()}
    found = {str(i) for (i,) in rows(select(r.id).where(r.id.in_(ids)))} if ids else set()
    return [Mismatch("card_payment_without_redemption",
                     f"card payment {i} names redemption {ref}, which does not exist",
                     id=i, source=ref) for i, ref in named if ref not in found]


def _paid_orders_not_adding_up(rows, start, end) -> list[str]:
    o, p = orders.c, payments.c
    applied = select(func.coalesce(func.sum(p.applied), 0)).where(p.order_id == o.id).scalar_subquery()
    stmt = _within(select(o.reference, o.total, applied), o.paid_at, start, end).where(applied != o.total)
    return [Mismatch("order_not_adding_up", f"order {ref} is paid but its payments apply {mad(got, 'en')} of "
                     f"{mad(total, 'en')} MAD", ref=ref, applied=got, total=total) for ref, total, got in rows(stmt)]


def _cards_overspent(rows, start, end) -> list[str]:
    """Cards redeemed on the day whose redemptions, over all time, add up to more than their value."""
    r, k = card_redemptions.c, cards.c
    redeemed = _within(select(r.card_id), r.at, start, end)
    spent = func.sum(r.amount)
    stmt = (select(k.serial, k.value, spent).join(card_redemptions, r.card_id == k.id).where(k.id.in_(redeemed))
            .group_by(k.serial, k.value).having(spent > k.value))
    return [Mismatch("card_overspent", f"card {serial} paid {mad(s, 'en')} MAD, more than its {mad(v, 'en')}",
                     serial=serial, amount=s, value=v) for serial, v, s in rows(stmt)]
