"""Commands: `flask --app app migrate | seed-offices | create-user | seed-demo`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from migrations.run import upgrade
from orders_core.errors import InvalidInput
from orders_core.services import create_user, seed_directory
from staff.passwords import hash_password

from . import demo


def _services():
    return current_app.extensions["shubbak"]


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply every database migration."""
    upgrade(_services().settings.database_url)
    click.echo("database is up to date")


@click.command("seed-offices")
@with_appcontext
def seed_offices_command():
    """Load the office directory from orders_core/data/directory.yaml (insert or update)."""
    count = seed_directory(_services().uow())
    click.echo(f"{count} offices in the directory")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", required=True, help="agent, supervisor, inspector, support, finance or admin")
@click.option("--name", "display_name", default="", help="name shown in the staff view")
@click.option("--office", "office_code", default=None, help="office code (agents and supervisors)")
@click.option("--province", "province_code", default=None, help="province code (inspectors)")
@click.option("--phone", default=None, help="phone number, for SMS notifications and SMS commands")
@click.password_option()
def create_user_command(username, role, display_name, office_code, province_code, phone, password):
    """Create a staff account."""
    try:
        user = create_user(_services().uow(), username, display_name or username, hash_password(password), role,
                           office_code=office_code, province_code=province_code, phone=phone)
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"created {user.role} {user.username}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create demo staff (one per role, passwords printed) and sample orders in every state; safe to repeat."""
    services = _services()
    seed_directory(services.uow())
    for line in demo.seed(services):
        click.echo(line)


def register(app) -> None:
    for command in (migrate_command, seed_offices_command, create_user_command, seed_demo_command):
        app.cli.add_command(command)
