"""Apply or create migrations from code (the CLI and the tests use this)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

__all__ = ["alembic_config", "upgrade"]

HERE = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, target: str = "heads") -> None:
    """Bring the database to the newest schema (every branch head)."""
    command.upgrade(alembic_config(database_url), target)
