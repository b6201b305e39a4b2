"""A USSD step through Africa's Talking's webhook costs two Redis round trips: the provider's request id is claimed
with the conversation's lock and read, and its answer remembered with the session's write; a replay of the same
request still gets the first answer and changes nothing."""
import pytest

from app import create_app
from dialog.engine import Dialog
from tests.channels.harness import USSD, guarded, post, secured

__all__ = ["guarded"]


@pytest.fixture
def client(services):
    return create_app({"services": secured(services)}).test_client()


@pytest.fixture
def round_trips(services, monkeypatch):
    """Count the round trips to the services' Redis: one per command sent alone, one per pipeline executed (on a
    Redis with Lua; the fallback release of a Redis without it is left out)."""
    redis, trips = services.redis, []
    send, make_pipeline = redis.execute_command, redis.pipeline

    def command(*args, **options):
        # Without Lua (the embedded substitute) the lock is released by a GET and a DEL of its own: not counted.
        if not str(args[1] if len(args) > 1 else "").startswith("shubbak:dialog:lock:"):
            trips.append(args[0])
        return send(*args, **options)

    def pipeline(*args, **options):
        made = make_pipeline(*args, **options)
        execute = made.execute

        def counted(*a, **k):
            trips.append("pipeline")
            return execute(*a, **k)
        made.execute = counted
        return made
    monkeypatch.setattr(redis, "execute_command", command)
    monkeypatch.setattr(redis, "pipeline", pipeline)
    return trips


@pytest.fixture
def limiter_trips(client, monkeypatch):
    """Count the round trips of the webhook flood limiter's own Redis client (none on the in-memory store)."""
    from web.limits import LIMITER
    storage, trips = client.application.extensions[LIMITER].limiter.storage, []
    if hasattr(storage, "get_connection"):
        connection = storage.get_connection()
        send = connection.execute_command
        monkeypatch.setattr(connection, "execute_command", lambda *a, **k: trips.append(a[0]) or send(*a, **k))
    return trips


def _at(form: dict, *typed: str) -> dict:
    """Africa's Talking's callback for a step: the whole path typed so far in `text`."""
    return {**form, "text": "*".join(typed)}


def test_a_ussd_step_costs_two_redis_round_trips_dedup_included(client, services, guarded, round_trips):
    form = USSD.form()
    assert post(client, USSD, _at(form)).get_data(as_text=True).startswith("CON ")
    round_trips.clear()
    chose = post(client, USSD, _at(form, "1")).get_data(as_text=True)
    assert chose.startswith("CON ") and len(round_trips) == 2, round_trips
    round_trips.clear()
    assert post(client, USSD, _at(form, "1", "1")).get_data(as_text=True).startswith("CON ")
    assert len(round_trips) == 2, round_trips


# On the in-process substitute the limits are counted in memory, outside the dialog: nothing travels with the claim.
@pytest.mark.redis
def test_the_flood_count_travels_in_the_dialogs_round_trips(client, services, guarded, round_trips,
                                                            limiter_trips):
    form = USSD.form()
    post(client, USSD, _at(form))
    services.redis.delete(*services.redis.keys("*shubbak:limit*"))
    round_trips.clear()
    assert post(client, USSD, _at(form, "1")).get_data(as_text=True).startswith("CON ")
    assert len(round_trips) == 2 and limiter_trips == [], (round_trips, limiter_trips)
    assert services.redis.keys("*shubbak:limit*")  # the step was counted, in the dialog's own round trips


def test_a_replayed_step_gets_the_first_answer_and_the_session_moves_once(client, services, guarded):
    form = USSD.form()
    post(client, USSD, _at(form))
    first = post(client, USSD, _at(form, "1"))
    stored = services.redis.get(f"shubbak:dialog:ussd:{form['sessionId']}")
    again = post(client, USSD, _at(form, "1"))
    assert (again.status_code, again.get_data()) == (first.status_code, first.get_data())
    assert services.redis.get(f"shubbak:dialog:ussd:{form['sessionId']}") == stored
    # the next step is answered from where the first copy left the session (the order menu's documents)
    assert post(client, USSD, _at(form, "1", "1")).get_data(as_text=True) != first.get_data(as_text=True)


def test_a_step_that_failed_is_answered_politely_and_its_retry_goes_through(client, services, guarded,
                                                                           monkeypatch):
    form = USSD.form()
    post(client, USSD, _at(form))
    handle = Dialog.handle

    def broken(self, inbound, surface, **options):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(Dialog, "handle", broken)
    assert post(client, USSD, _at(form, "1")).get_data(as_text=True).startswith("END ")
    monkeypatch.setattr(Dialog, "handle", handle)
    assert post(client, USSD, _at(form, "1")).get_data(as_text=True).startswith("CON ")
    assert not services.redis.keys("shubbak:dialog:lock:*")


def test_a_step_refused_while_another_holds_the_session_lets_its_retry_through(client, services, guarded):
    form = USSD.form()
    post(client, USSD, _at(form))
    lock = f"shubbak:dialog:lock:ussd:{form['sessionId']}"
    services.redis.set(lock, "someone else", ex=30)
    services.dialog.sessions.wait = 0.1
    assert post(client, USSD, _at(form, "1")).get_data(as_text=True).startswith("END ")
    services.redis.delete(lock)
    assert post(client, USSD, _at(form, "1")).get_data(as_text=True).startswith("CON ")


def test_a_copy_arriving_while_the_first_is_answered_leaves_its_lock_alone_and_gets_its_answer_after(services):
    from channels.dedup import Claim, Once
    from channels.message import Reply
    from dialog import Seen, Session, SessionStore

    store, once = SessionStore(services.redis, prefix="test:claims:"), Once(services.redis, wait=0.1)

    def claim():
        return Claim(once, ("ussd", "africastalking", "ATUid_copy", "1"), lambda reply: "CON " + reply.text)
    first = claim()
    with store.hold("ussd:ATUid_copy", "+1", claim=first) as held:
        with pytest.raises(Seen) as copy:
            with store.hold("ussd:ATUid_copy", "+1", claim=claim()):
                pass
        assert copy.value.answer == ""  # still being answered: nothing to give yet, and no second run
        assert services.redis.get("test:claims:lock:ussd:ATUid_copy") is not None  # the first's lock is kept
        held.keep(Session("ussd:ATUid_copy"), 60)
        first.answered(Reply("Menu"))
    with pytest.raises(Seen) as later:
        with store.hold("ussd:ATUid_copy", "+1", claim=claim()):
            pass
    assert later.value.answer == "CON Menu"
    assert services.redis.get("test:claims:lock:ussd:ATUid_copy") is None  # taken for the copy, then let go


def test_a_rate_limit_store_that_fails_never_refuses_a_step(client, guarded, monkeypatch, caplog):
    from web.limits import LIMITER, FloodCount

    def down(*args, **kwargs):
        raise ConnectionError("the limits store is down")
    monkeypatch.setattr(client.application.extensions[LIMITER].limiter, "hit", down)  # the in-memory store
    # On Redis the count travels with the step's claim: its script fails there, the claim and the step go on.
    monkeypatch.setattr(FloodCount, "count_in", lambda self, pipe: pipe.eval("return redis.error_reply('down')", 0))
    assert post(client, USSD, USSD.form()).get_data(as_text=True).startswith("CON ")
    assert "webhook rate limit not counted (" in caplog.text


def test_a_flooded_step_is_refused_politely_and_leaves_no_lock_and_no_claim(services):
    from dataclasses import replace as changed
    services.settings = changed(services.settings, webhook_phone_limit="2 per minute")
    client = create_app({"services": secured(services)}).test_client()
    form = USSD.form()
    answers = [post(client, USSD, _at(form, *["1"] * n)).get_data(as_text=True) for n in range(3)]
    assert [a[:4] for a in answers] == ["CON ", "CON ", "END "]
    assert not services.redis.keys("shubbak:dialog:lock:*")
    assert len(services.redis.keys("shubbak:once:*")) == 2  # the two steps answered; the refused one let go


def test_a_step_whose_answer_cannot_be_rendered_keeps_its_session_and_its_retry_changes_nothing(
        client, services, guarded, round_trips, monkeypatch):
    from channels import africastalking
    form = USSD.form()
    session = f"shubbak:dialog:ussd:{form['sessionId']}"
    post(client, USSD, _at(form))
    shown, render, broken = services.redis.get(session), africastalking.render_ussd, []

    def broken_once(reply, *args, **options):
        if not broken:
            broken.append(reply)
            raise ValueError("a screen that cannot be rendered")
        return render(reply, *args, **options)
    monkeypatch.setattr(africastalking, "render_ussd", broken_once)
    round_trips.clear()
    sorry = post(client, USSD, _at(form, "1")).get_data(as_text=True)
    assert sorry.startswith("END ") and len(round_trips) == 2, (sorry, round_trips)
    moved = services.redis.get(session)
    assert moved != shown  # what the step did (it may have placed an order) is where its session says
    again = post(client, USSD, _at(form, "1")).get_data(as_text=True)
    assert again == sorry and services.redis.get(session) == moved  # the retry does not run the step again
