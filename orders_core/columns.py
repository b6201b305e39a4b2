"""The shared MetaData, column types and database-error reading every package's tables use (no domain imports:
channels may use it)."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import BigInteger, DateTime, Integer, MetaData
from sqlalchemy.types import TypeDecorator

__all__ = ["metadata", "UtcDateTime", "UTC", "Id", "duplicate_key"]

# Names for constraints, so that migrations are the same on PostgreSQL and SQLite.
metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, also on SQLite (which keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware UTC")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


UTC = UtcDateTime()
Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys


def duplicate_key(exc) -> bool:
    """Whether an IntegrityError is a unique or primary key violated (PostgreSQL's SQLSTATE 23505, SQLite's
    "UNIQUE constraint failed"), rather than another integrity error (a missing row referred to, a NULL)."""
    state = getattr(exc.orig, "sqlstate", None)
    return state == "23505" if state is not None else "UNIQUE constraint failed" in str(exc.orig)
