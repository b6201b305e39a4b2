"""A provider's request claimed with the conversation's lock (dialog.sessions.SessionStore.hold): when Redis fails
while claiming, only a claim this request made is let go; a retry's failure never frees the first copy's claim,
or the provider's next retry would run the step again (a second order at confirmation)."""
import pytest
from redis.exceptions import ConnectionError as RedisDown, ResponseError

from channels.dedup import Claim, Once
from dialog import SessionStore

KEY = ("ussd", "africastalking", "ATUid_claims", "1")


@pytest.fixture
def store(services):
    return SessionStore(services.redis, prefix="test:claims:")


@pytest.fixture
def once(services):
    return Once(services.redis, wait=0.1)


def _claim(once) -> Claim:
    return Claim(once, KEY, lambda reply: "CON " + reply.text)


def _failing_pipelines(monkeypatch, store, *faults):
    """The store's pipelines, the n-th run with `faults[n]`: None runs it as it is, an int replaces that reply
    with an error, an exception class makes the whole run raise."""
    make, runs = store.redis.pipeline, iter(faults)

    def pipeline(*args, **options):
        made = make(*args, **options)
        execute = made.execute

        def run(*a, **k):
            fault = next(runs, None)
            if isinstance(fault, type):
                raise fault("Redis went away")
            replies = execute(*a, **k)
            if fault is not None:
                replies[fault] = ResponseError("Redis went away")
            return replies
        made.execute = run
        return made
    monkeypatch.setattr(store.redis, "pipeline", pipeline)


def _first_copy_answered(once) -> Claim:
    first = _claim(once)
    once.redis.set(first.name, b"CON Menu", ex=60)
    return first


def _hold_fails(store, claim, error) -> None:
    """A step of the session with `claim` that fails with `error` on its way in or out."""
    with pytest.raises(error):
        with store.hold("ussd:ATUid_claims", "+1", claim=claim):
            pass


def test_a_retry_whose_session_read_fails_leaves_the_first_copys_claim(services, store, once, monkeypatch):
    first = _first_copy_answered(once)
    _failing_pipelines(monkeypatch, store, -1)  # the claim refused, then the escalation mark's read fails
    _hold_fails(store, _claim(once), ResponseError)
    assert services.redis.get(first.name) == b"CON Menu"


def test_a_retry_that_cannot_let_its_lock_go_leaves_the_first_copys_claim(services, store, once, monkeypatch):
    first = _first_copy_answered(once)
    _failing_pipelines(monkeypatch, store, None, RedisDown)  # claimed before; the unlock's run fails
    _hold_fails(store, _claim(once), RedisDown)
    assert services.redis.get(first.name) == b"CON Menu"


def test_a_retry_that_cannot_read_the_first_answer_leaves_the_first_copys_claim(services, store, once,
                                                                                 monkeypatch):
    first = _first_copy_answered(once)

    def down(self):
        raise RedisDown("Redis went away")
    monkeypatch.setattr(Claim, "first_answer", down)
    _hold_fails(store, _claim(once), RedisDown)
    assert services.redis.get(first.name) == b"CON Menu"


def test_a_first_copy_whose_session_read_fails_lets_its_claim_go_for_the_retry(services, store, once, monkeypatch):
    first = _claim(once)
    _failing_pipelines(monkeypatch, store, -1)
    _hold_fails(store, first, ResponseError)
    assert services.redis.get(first.name) is None  # nothing was done: the provider's retry goes through
