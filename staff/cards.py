"""Finance's pages for paying without a card: the day's premium-SMS reconciliation and prepaid-card batches."""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from orders_core.errors import ShubbakError
from orders_core.lifecycle import Role
from payments_sms import activate_cards, block_cards, generate_batch, reconcile_day
from payments_sms.cards import MAX_BATCH
from payments_sms.pins import format_pin

from . import queries
from .access import allow, services
from .finance import csv_text, money_text
from .presentation import local_today, mad, say, say_error, t
from .refusals import refused

__all__ = ["bp", "CARD_VALUES", "batch_overview"]

bp = Blueprint("cards", __name__)
CARD_VALUES = (2000, 5000, 10000)  # DOMAIN.md: cards of 20, 50 and 100 MAD
WEB_BATCH_LIMIT = min(MAX_BATCH, 20_000)  # what one web request generates in reasonable time
BATCHES_PER_PAGE = 20  # the newest first; older ones a page further (?before=<the last batch shown>)


def batch_overview(uow, before: int | None = None, limit: int = BATCHES_PER_PAGE) -> list[dict]:
    """A page of batches, the newest first (those before batch `before`), with how many of their cards are printed,
    active or blocked."""
    return queries.card_batches_page(uow, before, limit)


@bp.get("/finance/cards")
@allow(Role.FINANCE)
def batches():
    """Card batches: generate one (its PIN file is downloaded once), activate or block cards."""
    before = request.args.get("before", type=int)
    with services().uow() as uow:
        found = batch_overview(uow, before, BATCHES_PER_PAGE)
    older = found[-1]["id"] if len(found) == BATCHES_PER_PAGE else None
    return render_template("staff/cards.html", batches=found, values=CARD_VALUES, limit=WEB_BATCH_LIMIT,
                           older=older)


@bp.post("/finance/cards/generate")
@allow(Role.FINANCE)
def generate():
    """Generate a batch and hand its printer file over, once: the PINs are stored nowhere in clear."""
    value, size = request.form.get("value", type=int), request.form.get("size", type=int)
    if value not in CARD_VALUES or size is None or not 0 < size <= WEB_BATCH_LIMIT:
        say("staff.error.invalid_input", "error", fields="value, size")
        return redirect(url_for(".batches"))
    settings, out = services().settings, io.StringIO()

    def write(printed):
        out.write(csv_text(["serial", "pin", "value_mad", "expires_on"],
                           [[c.serial, format_pin(c.pin), money_text(c.value), c.expires_at.date().isoformat()]
                            for c in printed]))
    summary = generate_batch(services().uow(), settings.card_pin_secret, value, size, g.staff.username,
                             settings.card_validity_days, write)
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="shubbak-cards-batch-{summary.batch_id}.csv"',
        "Cache-Control": "no-store"})


def _selection() -> dict:
    """The cards a form names: a whole batch, or a range of serials."""
    batch_id = request.form.get("batch_id", type=int)
    first, last = (request.form.get("first") or "").strip(), (request.form.get("last") or "").strip()
    if batch_id is None and not first:
        raise refused("batch_id", "staff.refused.batch_or_serial")
    return {"batch_id": batch_id, "first": first or None, "last": last or None}


@bp.post("/finance/cards/activate")
@allow(Role.FINANCE)
def activate():
    """Activate cards when they are handed to the sellers."""
    try:
        count = activate_cards(services().uow(), **_selection())
    except ShubbakError as exc:
        say_error(exc)
    else:
        say("staff.done.activated", count=count)
    return redirect(url_for(".batches"))


@bp.post("/finance/cards/block")
@allow(Role.FINANCE)
def block():
    """Block lost or withdrawn cards."""
    try:
        count = block_cards(services().uow(), request.form.get("reason", ""), **_selection())
    except ShubbakError as exc:
        say_error(exc)
    else:
        say("staff.done.blocked", count=count)
    return redirect(url_for(".batches"))


def _day() -> date:
    try:
        return date.fromisoformat(request.args.get("day") or "")
    except ValueError:
        return local_today()  # today, as the page's title says; any other day is one pick away


@bp.get("/finance/reconciliation")
@allow(Role.FINANCE)
def reconciliation():
    """One day's premium charges, card redemptions and payments, and every record that does not add up."""
    day = _day()
    report = reconcile_day(services().uow(), day, services().settings.timezone)
    return render_template("staff/reconciliation.html", report=report, day=day,
                           mismatches=[mismatch_text(m) for m in report.mismatches])


_AMOUNTS = frozenset({"amount", "applied", "total", "value"})


def mismatch_text(mismatch) -> str:
    """A mismatch written in the reader's language, amounts in dirhams."""
    values = {name: mad(v) if name in _AMOUNTS else v for name, v in mismatch.values.items()}
    return t(f"staff.reconciliation.mismatch.{mismatch.key}", **values)


@bp.get("/finance/reconciliation.csv")
@allow(Role.FINANCE)
def reconciliation_csv():
    """The day's reconciliation as CSV: one row per figure, then one per mismatch."""
    day = _day()
    report = reconcile_day(services().uow(), day, services().settings.timezone)
    rows = [["charge", code, status, n, money_text(amount)] for code, status, n, amount in report.charges]
    rows += [["payment", means, "", n, money_text(amount)] for means, n, amount in report.payments_by_means]
    rows += [["cards_redeemed", "", "", report.cards_redeemed[0], money_text(report.cards_redeemed[1])],
             ["orders_paid", "", "", report.orders_paid[0], money_text(report.orders_paid[1])],
             ["credits_issued", "", "", "", money_text(report.credits_issued)],
             ["credits_used", "", "", "", money_text(report.credits_used)]]
    rows += [["mismatch", mismatch_text(mismatch), "", "", ""] for mismatch in report.mismatches]  # as on the page
    return Response(csv_text(["kind", "key", "status", "count", "amount_mad"], rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="shubbak-reconciliation-{day}.csv"'})
