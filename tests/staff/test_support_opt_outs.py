"""Support sees a citizen's opt-outs (when and how) and the notifications not sent because of them."""
from jobs import notifications as notification_jobs
from notifications.optouts import opt_out

from .conftest import CITIZEN


def notify_everything(services) -> None:
    for _ in range(3):  # what the periodic tick does: dispatch the outbox, then run the queued jobs
        services.enqueue(notification_jobs.dispatch_outbox)
        services.drain()


def test_lookup_by_phone_shows_the_opt_out_and_the_suppressed_notices(services, people, logged_in, world):
    opt_out(services.uow(), CITIZEN, "sms", "keyword:STOP")
    notify_everything(services)
    html = logged_in("support").page("/staff/lookup?q=06 12 34 56 78")
    assert 'id="opt-outs"' in html and "désabonné depuis" in html and "keyword:STOP" in html
    assert 'class="suppressed"' in html


def test_a_conversation_shows_the_citizen_s_opt_out(services, people, logged_in, world):
    opt_out(services.uow(), CITIZEN, "sms", "twilio:21610")
    html = logged_in("support").page(f"/staff/escalations/{world.escalation.id}")
    assert "twilio:21610" in html and "Désabonnements" in html


def test_no_opt_out_shows_nothing(services, people, logged_in, world):
    assert 'id="opt-outs"' not in logged_in("support").page("/staff/lookup?q=06 12 34 56 78")
