"""Commands: `flask --app app reconcile --day D` and `flask --app app cards generate | activate | block`."""
from __future__ import annotations

import csv
import os
from datetime import date
from decimal import Decimal, InvalidOperation

import click

from orders_core.errors import InvalidInput, NotFound

from .cards import activate_cards, block_cards, generate_batch
from .pins import format_pin
from .reconciliation import reconcile_day

__all__ = ["register", "write_print_file"]

FIELDS = ("batch", "serial", "pin", "value_mad", "expires")


def write_print_file(path: str, printed) -> None:
    """Write the printer's CSV, readable by its owner only; an existing file is never overwritten."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        for card in printed:
            writer.writerow((card.batch_id, card.serial, format_pin(card.pin), f"{Decimal(card.value) / 100:g}",
                             card.expires_at.date().isoformat()))


def _centimes(text: str) -> int:
    try:
        amount = Decimal(text) * 100
    except InvalidOperation:
        raise click.BadParameter(f"an amount in MAD such as 20 or 50, got {text!r}") from None
    if amount != amount.to_integral_value() or amount <= 0:
        raise click.BadParameter(f"a positive amount in MAD with at most two decimals, got {text!r}")
    return int(amount)


def _selection(batch, first, last) -> dict:
    if batch is None and first is None:
        raise click.UsageError("name a batch (--batch) or a serial range (--from, --to)")
    return {"batch_id": batch, "first": first, "last": last}


def services():
    """The composition root of the app the command runs in (Flask's ScriptInfo loads it; no Flask import here)."""
    return click.get_current_context().find_root().obj.load_app().extensions["shubbak"]


@click.command("reconcile")
@click.option("--day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="the day, e.g. 2026-11-23")
def reconcile_command(day):
    """Print one day's charges, card redemptions, payments, paid orders, credits, and every mismatch."""
    report = reconcile_day(services().uow(), date.fromordinal(day.toordinal()), services().settings.timezone)
    for line in report.lines():
        click.echo(line)
    if report.mismatches:
        raise SystemExit(1)


@click.group("cards")
def cards_group():
    """Prepaid card batches: generate (the printer's CSV, once), activate, block."""


@cards_group.command("generate")
@click.option("--value", required=True, help="value of each card in MAD: 20, 50, 100 ...")
@click.option("--count", "size", required=True, type=int, help="how many cards")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="the printer's CSV (new file)")
@click.option("--by", "created_by", default=lambda: os.environ.get("USER", "cli"), help="who generates it")
def generate_command(value, size, output, created_by):
    """Generate a batch of printed (inactive) cards and write their PINs to a new CSV, once."""
    if os.path.exists(output):
        raise click.UsageError(f"{output!r} exists: the PIN file is written once, to a new file")
    settings = services().settings
    try:
        summary = generate_batch(services().uow(), settings.card_pin_secret, _centimes(value), size, created_by,
                                 settings.card_validity_days, lambda printed: write_print_file(output, printed))
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"batch {summary.batch_id}: {summary.size} cards of {value} MAD, serials {summary.first_serial}"
               f"..{summary.last_serial}, expire {summary.expires_at.date().isoformat()}; PINs in {output}")


@cards_group.command("activate")
@click.option("--batch", type=int)
@click.option("--from", "first")
@click.option("--to", "last")
def activate_command(batch, first, last):
    """Activate the printed cards of a batch or serial range (when they are distributed)."""
    try:
        count = activate_cards(services().uow(), **_selection(batch, first, last))
    except (InvalidInput, NotFound) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{count} cards activated")


@cards_group.command("block")
@click.option("--batch", type=int)
@click.option("--from", "first")
@click.option("--to", "last")
@click.option("--reason", required=True, help="lost, stolen, withdrawn ...")
def block_command(batch, first, last, reason):
    """Block the cards of a batch or serial range: they pay nothing from now on."""
    try:
        count = block_cards(services().uow(), reason, **_selection(batch, first, last))
    except (InvalidInput, NotFound) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{count} cards blocked")


def register(app) -> None:
    """Add the payment commands to a Flask app."""
    app.cli.add_command(reconcile_command)
    app.cli.add_command(cards_group)
