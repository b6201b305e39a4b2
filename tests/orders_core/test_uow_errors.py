"""What a failed commit is reported as: a lost race (duplicate key, stale version) is ConcurrentChange, which
callers answer politely; any other integrity error is a bug and must not be disguised as a race."""
from datetime import datetime, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from orders_core.errors import ConcurrentChange
from orders_core.model import User

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def add_user(new_uow, username: str, office_code: str | None = None) -> None:
    """One user added through the unit of work: the rows are written at commit."""
    with new_uow() as uow:
        uow.add(User(username=username, display_name=username, password_hash="x", role="agent",
                     office_code=office_code, language="fr", active=True, created_at=AT))
        uow.commit()


def test_a_duplicate_key_is_a_concurrent_change(uow):
    add_user(uow, "amina")
    with pytest.raises(ConcurrentChange):
        add_user(uow, "amina")


def test_a_reference_to_a_missing_row_is_not_a_concurrent_change(uow):
    with pytest.raises(IntegrityError) as raised:
        add_user(uow, "karim", office_code="99999")
    assert not isinstance(raised.value, ConcurrentChange)


def test_a_failed_commit_leaves_the_unit_of_work_usable(uow):
    with pytest.raises(IntegrityError):
        add_user(uow, "karim", office_code="99999")
    add_user(uow, "karim")


def _usernames(new_uow) -> list[str]:
    from sqlalchemy import select
    with new_uow() as uow:
        return list(uow.session.scalars(select(User.username)))


@pytest.mark.postgres
def test_a_standalone_unit_of_work_keeps_each_statement_even_when_it_is_not_committed(uow):
    from sqlalchemy import insert

    from orders_core.orm import metadata
    users = metadata.tables["users"]
    with uow().standalone() as standalone:  # autocommit: no BEGIN and no ROLLBACK round trips on PostgreSQL
        standalone.session.execute(insert(users).values(username="salma", display_name="salma", password_hash="x",
                                                        role="agent", language="fr", active=True, created_at=AT))
    assert _usernames(uow) == ["salma"]


def test_standalone_lasts_one_block_and_a_plain_unit_of_work_still_rolls_back(uow):
    from sqlalchemy import insert

    from orders_core.orm import metadata
    users = metadata.tables["users"]
    reused = uow()
    with reused.standalone():
        pass
    with reused:
        reused.session.execute(insert(users).values(username="omar", display_name="omar", password_hash="x",
                                                    role="agent", language="fr", active=True, created_at=AT))
    assert _usernames(uow) == []
