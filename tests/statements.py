"""Counting what a piece of code asks the database: the SQL statements run while inside (BEGIN and friends
included), for the tests that hold a path to its cost."""
from contextlib import contextmanager

from sqlalchemy import event

__all__ = ["statements"]


@contextmanager
def statements(services):
    """The SQL statements `services.engine` runs while inside, as a list filled as they run."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(services.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", note)
