"""The inbox: every SMS, WhatsApp message and delivery report answered 200 is stored first, processed once by its
job, and queued again by the sweep when its job was lost (Redis restarted empty, a worker died)."""
import logging
from datetime import timedelta

import pytest
from redis import ConnectionError as RedisDown
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app import create_app
from bootstrap import QUEUES
from channels import inbox, records
from channels.dedup import Once
from channels.orm import inbox as inbox_table
from channels.orm import sms_messages
from dialog.engine import Dialog
from dialog.sessions import Busy
from jobs import inbox as inbox_jobs
from jobs.conversations import REPLY_STUCK, answer_sms, delivery_report, resend_replies
from tests.channels.harness import ENDPOINTS, KEY, PHONE, guarded, post, secured
from tests.whatsapp.conftest import WHATSAPP

__all__ = ["guarded"]  # the harness's fixture, used by name

AT_SMS, AT_REPORT = (next(e for e in ENDPOINTS if e.name == name) for name in ("at-sms", "at-delivery"))
TWILIO_SMS, TWILIO_STATUS = (next(e for e in ENDPOINTS if e.name == name) for name in ("twilio-sms", "twilio-status"))
STORED = [AT_SMS, AT_REPORT, TWILIO_SMS, TWILIO_STATUS, WHATSAPP]
ANSWERED = [AT_SMS, TWILIO_SMS, WHATSAPP]


@pytest.fixture
def client(services):
    return create_app({"services": secured(services)}).test_client()


def rows(services) -> list:
    with services.uow() as uow:
        return uow.session.execute(select(inbox_table).order_by(inbox_table.c.id)).all()


def count(services, table) -> int:
    with services.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(table)).scalar()


def queued(services) -> int:
    return sum(services.queue(name).count for name in QUEUES)


def answers(services, endpoint) -> int:
    """Replies the citizen got: SMS stored to send, or WhatsApp messages the console sender took."""
    if endpoint is WHATSAPP:
        return len(services.whatsapp_sender.sent)
    return len(records.recent(services.uow(), direction="out"))


def drain(services) -> None:
    services.drain()
    failed = {name: services.queue(name).failed_job_registry.get_job_ids() for name in QUEUES}
    assert not any(failed.values()), f"failed jobs: {failed}"


def redis_restarts_empty(services) -> None:
    """What a Redis without persistence keeps across a restart: nothing (this test's own database only)."""
    services.redis.flushdb()


def sweep_later(services, seconds: int | None = None) -> int:
    """Move the clock past the inbox's stale time and run the sweep job, as the periodic clock would."""
    services.clock.advance(seconds=seconds or services.settings.inbox_stuck_seconds + 1)
    return inbox_jobs.sweep_inbox()


@pytest.mark.parametrize("endpoint", STORED, ids=lambda e: e.name)
def test_a_callback_is_stored_before_its_200_and_a_replay_adds_nothing_even_when_redis_forgot_it(
        client, services, guarded, endpoint):
    form = endpoint.form()
    assert post(client, endpoint, form).status_code == 200
    assert len(rows(services)) == 1 and queued(services) == 1
    assert post(client, endpoint, form).status_code == 200  # Redis's mark answers this one
    redis_restarts_empty(services)
    assert post(client, endpoint, form).status_code == 200  # the database's key answers this one
    (row,) = rows(services)
    assert (row.provider, row.attempts, row.done_at) == (endpoint.provider, 1, None)
    assert queued(services) == 0  # the replay queued nothing: the first job was lost with Redis, not replaced


@pytest.mark.parametrize("endpoint", ANSWERED, ids=lambda e: e.name)
def test_a_replayed_message_gets_one_answer(client, services, guarded, endpoint):
    form = endpoint.form()
    for _ in range(3):
        assert post(client, endpoint, form).status_code == 200
    drain(services)
    assert answers(services, endpoint) == 1
    assert [row.done_at is not None for row in rows(services)] == [True]


def test_an_sms_is_stored_once_in_its_conversation_and_the_inbox_keeps_no_number_or_text(client, services,
                                                                                         guarded):
    post(client, AT_SMS, {**AT_SMS.form(), "text": "AIDE svp"})
    (row,) = rows(services)
    written = str(row.payload)
    assert row.sms_id is not None and PHONE[1:] not in written and "AIDE" not in written
    assert row.payload["extra"]["link_id"] == "SampleLinkId123"  # what the reply needs to be billed
    assert [(m["direction"], m["text"]) for m in records.conversation(services.uow(), PHONE)] == [("in", "AIDE svp")]
    drain(services)
    assert [m["direction"] for m in records.conversation(services.uow(), PHONE)] == ["in", "out"]  # not "in" twice


def test_a_whatsapp_message_waits_in_the_payload_and_is_emptied_once_answered(client, services, guarded):
    post(client, WHATSAPP, WHATSAPP.form())
    assert rows(services)[0].payload["contact"] == PHONE
    drain(services)
    (row,) = rows(services)
    assert row.done_at is not None and row.payload is None


@pytest.mark.parametrize("endpoint", ANSWERED, ids=lambda e: e.name)
def test_a_job_run_twice_marks_the_row_done_once_and_answers_once(client, services, guarded, endpoint):
    post(client, endpoint, endpoint.form())
    (row,) = rows(services)
    inbox_jobs.enqueue(services, row.kind, row.id)  # a second copy of the job, as a sweep racing a slow queue
    drain(services)
    assert answers(services, endpoint) == 1
    done_at = rows(services)[0].done_at
    assert done_at is not None and not inbox.mark_done(services.uow(), row.id)
    assert rows(services)[0].done_at == done_at


def test_a_job_run_again_after_its_row_is_done_does_nothing(client, services, guarded):
    post(client, AT_SMS, AT_SMS.form())
    post(client, AT_REPORT, AT_REPORT.form())
    drain(services)
    sms, report = rows(services)
    assert answer_sms(sms.id) == "done already" and delivery_report(report.id) is None
    assert answers(services, AT_SMS) == 1


def test_a_message_being_processed_is_not_taken_by_a_second_job(client, services, guarded):
    post(client, AT_SMS, AT_SMS.form())
    (row,) = rows(services)
    assert inbox.claim_message(services.uow(), row.id).contact == PHONE
    assert inbox.claim_message(services.uow(), row.id) is None  # leased to the first
    services.clock.advance(seconds=inbox.LEASE.total_seconds() + 1)
    assert inbox.claim_message(services.uow(), row.id) is not None  # the first one died: its lease lapsed


@pytest.mark.parametrize("endpoint", STORED, ids=lambda e: e.name)
def test_a_callback_whose_job_was_lost_is_swept_and_processed(client, services, guarded, endpoint):
    post(client, endpoint, endpoint.form())
    redis_restarts_empty(services)
    assert inbox_jobs.sweep_inbox() == 0  # queued a moment ago: maybe only slow
    assert sweep_later(services) == 1
    drain(services)
    (row,) = rows(services)
    assert row.done_at is not None and row.attempts == 2
    if endpoint in ANSWERED:
        assert answers(services, endpoint) == 1
    assert sweep_later(services) == 0


def test_a_row_no_job_finishes_is_given_up_after_the_last_attempt_with_an_error(client, services, guarded,
                                                                                caplog):
    post(client, AT_SMS, AT_SMS.form())
    swept = []
    for _ in range(inbox.MAX_ATTEMPTS + 2):
        redis_restarts_empty(services)  # every job lost
        swept.append(sweep_later(services))
    assert swept == [1] * (inbox.MAX_ATTEMPTS - 1) + [0, 0, 0]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "left for an operator" in errors[0] and "africastalking sms" in errors[0]


def test_with_redis_down_a_message_is_stored_acknowledged_and_queued_by_the_next_sweep(client, services,
                                                                                       guarded, monkeypatch):
    def down(*args, **kwargs):
        raise RedisDown("redis is down")
    monkeypatch.setattr(Once, "claim", down)
    monkeypatch.setattr(services, "enqueue", down)
    form = AT_SMS.form()
    assert post(client, AT_SMS, form).status_code == 200
    assert post(client, AT_SMS, form).status_code == 200  # a replay: the database alone dedups it
    monkeypatch.undo()
    (row,) = rows(services)
    assert (row.enqueued_at, row.attempts) == (None, 0)
    assert inbox_jobs.sweep_inbox() == 1  # never queued: no need to wait for it to look stuck
    drain(services)
    assert answers(services, AT_SMS) == 1 and rows(services)[0].done_at is not None


@pytest.mark.parametrize("endpoint", STORED, ids=lambda e: e.name)
def test_with_the_database_down_the_job_carries_the_callback_and_it_is_processed_once(client, services, guarded,
                                                                                      monkeypatch, endpoint):
    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("no database"))
    monkeypatch.setattr(inbox, "record_message", down)
    monkeypatch.setattr(inbox, "record_report", down)
    form = endpoint.form()
    assert post(client, endpoint, form).status_code == 200
    assert post(client, endpoint, form).status_code == 200  # Redis's mark dedups it meanwhile
    monkeypatch.undo()
    assert rows(services) == [] and queued(services) == 1
    drain(services)
    if endpoint in ANSWERED:
        assert answers(services, endpoint) == 1
    if endpoint in (AT_SMS, TWILIO_SMS):
        assert [m["direction"] for m in records.conversation(services.uow(), PHONE)] == ["in", "out"]


def test_a_busy_contact_puts_the_message_back_and_it_is_answered_after(client, services, guarded, monkeypatch):
    handle, tries = Dialog.handle, []

    def busy_twice(self, inbound, surface):
        tries.append(inbound.provider_message_id)
        if len(tries) <= 2:
            raise Busy()
        return handle(self, inbound, surface)
    monkeypatch.setattr(Dialog, "handle", busy_twice)
    post(client, AT_SMS, AT_SMS.form())
    drain(services)
    assert len(tries) == 3 and answers(services, AT_SMS) == 1 and rows(services)[0].done_at is not None


def test_a_contact_busy_three_times_leaves_the_message_to_the_sweep(client, services, guarded, monkeypatch):
    monkeypatch.setattr(Dialog, "handle", lambda self, inbound, surface: (_ for _ in ()).throw(Busy()))
    post(client, AT_SMS, AT_SMS.form())
    drain(services)
    (row,) = rows(services)
    assert row.done_at is None and row.lease_until is None  # released: not held by a job that gave up
    monkeypatch.undo()
    assert sweep_later(services) == 1
    drain(services)
    assert answers(services, AT_SMS) == 1


def test_a_report_whose_processing_fails_is_released_for_its_retry(client, services, guarded, monkeypatch):
    import jobs.conversations as conversations

    def broken(services, status):
        raise RuntimeError("payments unavailable")
    monkeypatch.setitem(conversations.REPORT_OWNERS, "charge", broken)  # an unknown id may be a charge's
    post(client, AT_REPORT, AT_REPORT.form())
    (row,) = rows(services)
    with pytest.raises(RuntimeError):
        delivery_report(row.id)
    (row,) = rows(services)
    assert row.done_at is None and row.lease_until is None
    monkeypatch.undo()
    assert delivery_report(row.id) is False  # not an SMS of ours, and done now
    assert rows(services)[0].done_at is not None


def test_a_reply_whose_sending_job_was_lost_is_sent_by_the_periodic_resend(client, services, guarded):
    post(client, AT_SMS, AT_SMS.form())
    assert answer_sms(rows(services)[0].id) == "queued"  # the reply is recorded, its sending job queued
    redis_restarts_empty(services)
    assert resend_replies() == 0  # maybe only a slow queue, or a send waiting for its retry
    services.clock.advance(seconds=REPLY_STUCK.total_seconds() + 1)
    assert resend_replies() == 1
    drain(services)
    assert [m["status"] for m in records.recent(services.uow(), direction="out")] == ["sent"]
    services.clock.advance(seconds=REPLY_STUCK.total_seconds() + 1)
    assert resend_replies() == 0


LONG = "x" * 10_000
REFUSED = [
    pytest.param(AT_SMS, {"id": LONG}, "id", id="at-sms: a 10,000-character id"),
    pytest.param(AT_SMS, {"from": LONG}, "from", id="at-sms: a 10,000-character number"),
    pytest.param(AT_SMS, {"to": LONG}, "to", id="at-sms: a 10,000-character short code"),
    pytest.param(AT_SMS, {"text": "y" * 20_001}, "text", id="at-sms: a text beyond any provider's"),
    pytest.param(AT_SMS, {"from": "\x00\xff\xfe<script>"}, "from", id="at-sms: garbage for a number"),
    pytest.param(AT_SMS, {"date": LONG}, "date", id="at-sms: a 10,000-character date"),
    pytest.param(AT_REPORT, {"status": LONG}, "status", id="at-delivery: a 10,000-character status"),
    pytest.param(AT_REPORT, {"id": LONG}, "id", id="at-delivery: a 10,000-character id"),
    pytest.param(TWILIO_SMS, {"MessageSid": LONG}, "MessageSid", id="twilio-sms: a 10,000-character sid"),
    pytest.param(TWILIO_STATUS, {"MessageStatus": LONG}, "MessageStatus", id="twilio-status: a long status"),
    pytest.param(WHATSAPP, {"From": LONG}, "From", id="whatsapp: a 10,000-character address"),
    pytest.param(WHATSAPP, {"NumMedia": "lots"}, "NumMedia", id="whatsapp: garbage for a file count"),
]


@pytest.mark.parametrize(("endpoint", "bad", "field"), REFUSED)
def test_garbage_or_overlong_input_is_a_400_and_stores_nothing(client, services, guarded, endpoint, bad, field):
    response = post(client, endpoint, {**endpoint.form(), **bad})
    assert response.status_code == 400 and field in response.get_json()["fields"]
    assert count(services, inbox_table) == 0 and count(services, sms_messages) == 0 and queued(services) == 0


def test_a_body_that_is_no_form_at_all_is_a_400_and_stores_nothing(client, services, guarded):
    response = client.post(f"{AT_SMS.path}?key={KEY}",
                           data=b"\x00\x01\x02" * 3_000, content_type="application/octet-stream")
    assert response.status_code == 400
    assert count(services, inbox_table) == 0 and queued(services) == 0


def test_done_rows_are_forgotten_after_a_week_and_the_others_kept(client, services, guarded):
    post(client, AT_SMS, AT_SMS.form())
    drain(services)
    post(client, AT_SMS, AT_SMS.form())  # not done: kept whatever its age
    redis_restarts_empty(services)
    services.clock.advance(days=7, seconds=1)
    assert inbox.purge(services.uow()) == 1
    assert [row.done_at for row in rows(services)] == [None]
