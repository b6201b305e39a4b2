"""SHUBBAK_DB_PREPARED_STATEMENTS=off, for a transaction pooler that keeps no prepared statements (PgBouncer before
1.22): psycopg prepares nothing on the server, the card payment's writes included, and cards still pay."""
import pytest

import bootstrap
from orders_core.db import make_engine
from settings import ConfigError, Settings

from .conftest import place, reload
from .test_redemption_cost import _one_connection, redeem

@pytest.fixture(scope="module")
def engine(database_url):
    """The suite's database, through an engine made as the service makes it with the setting off."""
    settings = Settings.from_env({"DATABASE_URL": database_url, "SHUBBAK_DB_PREPARED_STATEMENTS": "off"})
    engine = bootstrap.build(settings, redis_client=object(), understand=None).engine
    yield engine
    engine.dispose()


def _prepared(services) -> int:
    with services.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()


@pytest.mark.postgres
def test_with_prepared_statements_off_cards_pay_and_nothing_is_prepared(services, make_batch):
    orders = [place(services) for _ in range(7)]
    _, cards = make_batch(size=7)
    with _one_connection(services):  # one connection runs every statement 7 times, past psycopg's threshold of 5
        for order, card in zip(orders, cards):
            assert redeem(services, order.reference, card.pin).paid_now
        assert _prepared(services) == 0
    assert {reload(services, order.reference).status for order in orders} == {"received"}


@pytest.mark.postgres
def test_with_the_default_a_statement_run_often_is_prepared(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        for _ in range(6):
            connection.exec_driver_sql("SELECT count(*) FROM orders WHERE id = %(id)s", {"id": 1})
        assert connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar() == 1
    engine.dispose()


def test_the_setting_takes_on_or_off_only():
    with pytest.raises(ConfigError, match="SHUBBAK_DB_PREPARED_STATEMENTS: on or off, not 'no'"):
        Settings.from_env({"SHUBBAK_DB_PREPARED_STATEMENTS": "no"})
