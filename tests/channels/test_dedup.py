"""Once only: the first sight of a provider message id is processed, a copy gets the first answer."""
from datetime import timedelta

from channels.dedup import Once


def test_the_first_copy_is_processed_and_a_later_one_gets_its_answer(redis_conn):
    once = Once(redis_conn)
    assert once.claim("africastalking", "ATXid_1") == (True, "")
    once.remember("CON Menu", "africastalking", "ATXid_1")
    assert once.claim("africastalking", "ATXid_1") == (False, "CON Menu")
    assert once.claim("twilio", "ATXid_1") == (True, "")


def test_a_copy_arriving_while_the_first_is_answered_waits_then_gets_nothing_rather_than_a_second_run(redis_conn):
    once = Once(redis_conn, wait=0.1)
    once.claim("x")
    assert once.claim("x") == (False, "")


def test_a_forgotten_claim_lets_the_provider_retry_after_a_failure(redis_conn):
    once = Once(redis_conn)
    once.claim("x")
    once.forget("x")
    assert once.claim("x") == (True, "")


def test_ids_are_remembered_for_48_hours(redis_conn):
    once = Once(redis_conn, hold=timedelta(hours=48))
    once.claim("x")
    ttl = redis_conn.ttl(once._name(("x",)))
    assert 47 * 3600 < ttl <= 48 * 3600
