"""Finance's page: money collected by day, commune, payment means and channel; credits outstanding; CSV exports."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request, url_for

from orders_core.lifecycle import Role
from texts.bidi import isolate

from . import charts, figures
from .access import allow, services
from .presentation import local_today, mad
from .refusals import refused

__all__ = ["bp", "TABLES", "period", "csv_text", "money_text"]

bp = Blueprint("finance", __name__)
# "credits": the period's credit statement; "credit-balances": every account holding credit now, a file at a time.
TABLES = (*figures.REVENUE_DIMENSIONS, "credits", "credit-balances")
_LONGEST = 366  # days one page or export may cover
PAGE_CREDITS = 50  # accounts holding credit listed on the page, the largest balances first
CREDITS_PER_FILE = 1000  # accounts a credits export holds, by account; the next file starts after the last one
STATEMENT = ["account", "opening_mad", "credited_mad", "used_mad", "closing_mad", "last_movement_utc"]


def period() -> tuple[date, date]:
    """The period asked for (`from`, `to` as YYYY-MM-DD), by default the last 30 days; a date at the ends of the
    calendar is refused (Refused: a 400 naming the field), since the period's days could not be counted there."""
    today = local_today()
    last = _date("to") or today
    first = _date("from") or last - timedelta(days=29)
    if first > last or (last - first).days >= _LONGEST:
        first = last - timedelta(days=29)
    return first, last


# Room before the first date for a period's longest span back, and after the last one for the day after the
# period; either way for the period's days as instants in any time zone.
_USABLE = (date.min + timedelta(days=_LONGEST + 1), date.max - timedelta(days=2))
_OUTSIDE_CALENDAR = {"from": "staff.refused.period_from", "to": "staff.refused.period_to"}
# Dates in those texts are isolated left to right: after an Arabic word, 0002-01-03 would read 03-01-0002 (a hyphen
# does not join digits that follow Arabic letters, which texts.bidi leaves as they are).


def _date(name: str) -> date | None:
    text = request.args.get(name)
    try:
        found = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    if found is not None and not _USABLE[0] <= found <= _USABLE[1]:
        raise refused(name, _OUTSIDE_CALENDAR[name], first=isolate(_USABLE[0].isoformat()),
                      last=isolate(_USABLE[1].isoformat()))
    return found


def money_text(centimes: int) -> str:
    """Centimes as a plain dirham amount for spreadsheets: 1234 -> 12.34 (no float on the way)."""
    sign = "-" if centimes < 0 else ""
    whole, cents = divmod(abs(int(centimes)), 100)
    return f"{sign}{whole}.{cents:02d}"


def _cell(value) -> str:
    # A cell starting with = @ + - may run as a formula in a spreadsheet; phone numbers stay as they are.
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not text[1:].replace(".", "").isdigit()):
        return "'" + text
    return text


def csv_text(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _tables(uow, first: date, last: date) -> dict:
    zone = services().settings.timezone
    found = {name: figures.revenue(uow, name, first, last, zone) for name in figures.REVENUE_DIMENSIONS}
    # The page shows the largest balances and the total; every account is in the CSV export.
    found["credits"], found["credits_total"] = figures.credits_outstanding(uow, limit=PAGE_CREDITS)
    return found


@bp.get("/finance")
@allow(Role.FINANCE)
def overview():
    """Revenue tables and a chart of money collected per day; credits owed to citizens."""
    first, last = period()
    with services().uow() as uow:
        tables = _tables(uow, first, last)
    by_day = {row.key: row.amount for row in tables["day"]}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    chart = charts.columns([(d.strftime("%d/%m"), by_day.get(d, 0)) for d in days], fmt=mad)
    total = sum(row.amount for row in tables["means"])
    return render_template("staff/finance.html", tables=tables, chart=chart, first=first, last=last, total=total,
                           per_file=CREDITS_PER_FILE)


@bp.get("/finance/<table>.csv")
@allow(Role.FINANCE)
def export(table: str):
    """One of the finance tables as CSV, amounts in dirhams with two decimals."""
    if table not in TABLES:
        abort(404)
    if table == "credit-balances":
        return _balances_export()
    first, last = period()
    if table == "credits":
        return _credit_statement(first, last)
    with services().uow() as uow:
        rows = figures.revenue(uow, table, first, last, services().settings.timezone)
    body = csv_text([table, "label", "payments", "amount_mad"],
                    [[r.key, r.label, r.payments, money_text(r.amount)] for r in rows])
    return _csv(body, f"shubbak-{table}-{first.isoformat()}-{last.isoformat()}.csv")


def _after() -> str:
    return (request.args.get("after") or "").strip()[:80]


def _credit_statement(first: date, last: date) -> Response:
    """For finance's closing of a period: each account whose credit moved in it, with its balance at the start,
    what was credited and used, and its balance at the end; CREDITS_PER_FILE of them after `?after=`."""
    after = _after()
    with services().uow() as uow:
        rows = figures.credit_movements(uow, first, last, services().settings.timezone, after, CREDITS_PER_FILE)
    body = csv_text(STATEMENT, [[r.account, money_text(r.opening), money_text(r.credited), money_text(r.used),
                                 money_text(r.closing), r.last_at.isoformat()] for r in rows])
    response = _csv(body, f"shubbak-credits-{first.isoformat()}-{last.isoformat()}{'-after' if after else ''}.csv")
    if len(rows) == CREDITS_PER_FILE:
        _link_next(response, "credits", rows[-1].account, **{"from": first.isoformat(), "to": last.isoformat()})
    return response


def _balances_export() -> Response:
    """Accounts holding credit by account, CREDITS_PER_FILE of them after `?after=`; a full file links the next."""
    after = _after()
    with services().uow() as uow:
        rows = figures.credit_balances(uow, after, CREDITS_PER_FILE)
    body = csv_text(["account", "balance_mad", "last_movement_utc"],
                    [[a, money_text(b), at.isoformat()] for a, b, at in rows])
    response = _csv(body, f"shubbak-credit-balances-{local_today().isoformat()}{'-after' if after else ''}.csv")
    if len(rows) == CREDITS_PER_FILE:
        _link_next(response, "credit-balances", rows[-1][0])
    return response


def _link_next(response: Response, table: str, after: str, **period) -> None:
    response.headers["Link"] = f'<{url_for(".export", table=table, after=after, **period)}>; rel="next"'


def _csv(body: str, name: str) -> Response:
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
