"""Agents get a digest of newly paid orders (at most one per 15 minutes), supervisors a daily list of late
orders, inspectors the complaints assigned to them: all with a moved clock."""
from datetime import datetime, timezone

import pytest

from jobs import notifications as jobs
from orders_core.references import format_reference
from orders_core.services import file_complaint, take_order
from tests.notifications.conftest import deliver, messages, paid_order, staff_user
from web.demo import DEMO_PHONE

AGENT_PHONE, OTHER_PHONE, FOREIGN_PHONE, SUPERVISOR_PHONE = (
    "+212661000011", "+212661000012", "+212661000013", "+212661000014")


@pytest.fixture
def agents(services):
    """Two agents with phones at Rabat Agdal-Riyad (42101), one without, one at Casablanca Anfa (14101)."""
    return {
        "agent1": staff_user(services, "agent1", "agent", phone=AGENT_PHONE),
        "agent2": staff_user(services, "agent2", "agent", phone=OTHER_PHONE, language="ar"),
        "nophone": staff_user(services, "agent3", "agent"),
        "foreign": staff_user(services, "agent4", "agent", office="14101", phone=FOREIGN_PHONE),
    }


def digest_run(services):
    services.enqueue(jobs.agent_digests)
    deliver(services)


def digests(services, phone):
    return [m for m in messages(services, kind="agent_digest") if m.recipient == phone]


def test_paid_orders_reach_their_office_s_agents_in_one_digest_each(services, notifier, agents):
    first, second = paid_order(services), paid_order(services)
    digest_run(services)
    [digest] = digests(services, AGENT_PHONE)
    assert digest.status == "sent" and "2 demande(s)" in digest.text
    assert format_reference(first.reference) in digest.text and format_reference(second.reference) in digest.text
    [arabic] = digests(services, OTHER_PHONE)
    assert "شباك: 2" in arabic.text
    assert digests(services, FOREIGN_PHONE) == []
    assert len(messages(services, kind="agent_digest")) == 2  # the agent without a phone gets nothing


def test_an_agent_gets_at_most_one_digest_per_quarter_hour_with_only_what_is_new(services, notifier, agents,
                                                                                   clock):
    paid_order(services)
    digest_run(services)
    clock.advance(minutes=5)
    later = paid_order(services)
    digest_run(services)
    assert len(digests(services, AGENT_PHONE)) == 1
    clock.advance(minutes=9, seconds=59)
    digest_run(services)
    assert len(digests(services, AGENT_PHONE)) == 1
    clock.advance(seconds=1)
    digest_run(services)
    first, second = digests(services, AGENT_PHONE)
    assert "1 demande(s)" in second.text and format_reference(later.reference) in second.text
    clock.advance(hours=1)
    digest_run(services)
    assert len(digests(services, AGENT_PHONE)) == 2  # nothing new, nothing sent


def test_an_order_taken_before_the_digest_is_left_out(services, notifier, agents):
    taken, waiting = paid_order(services), paid_order(services)
    take_order(services.uow(), taken.id, agents["agent1"].as_actor())
    digest_run(services)
    [digest] = digests(services, AGENT_PHONE)
    assert format_reference(waiting.reference) in digest.text
    assert format_reference(taken.reference) not in digest.text


def test_a_digest_lists_five_references_and_counts_them_all(services, notifier, agents):
    for _ in range(7):
        paid_order(services)
    digest_run(services)
    [digest] = digests(services, AGENT_PHONE)
    assert "7 demande(s)" in digest.text and digest.text.endswith("...") and digest.segments == 1


def test_no_digest_at_night_and_one_in_the_morning_for_the_whole_night(services, notifier, agents, clock):
    clock.at = datetime(2026, 11, 23, 21, 0, tzinfo=timezone.utc)  # 22:00 in Casablanca
    for _ in range(3):
        paid_order(services)
        clock.advance(hours=2)
        digest_run(services)
    assert digests(services, AGENT_PHONE) == []
    clock.at = datetime(2026, 11, 24, 7, 0, tzinfo=timezone.utc)  # 08:00
    digest_run(services)
    [digest] = digests(services, AGENT_PHONE)
    assert "3 demande(s)" in digest.text and digest.status == "sent"


@pytest.fixture
def supervisor(services):
    return staff_user(services, "super1", "supervisor", phone=SUPERVISOR_PHONE)


def late_run(services):
    services.enqueue(jobs.late_reports)
    deliver(services)


def test_a_supervisor_gets_the_late_orders_once_a_day(services, notifier, supervisor, clock):
    order = paid_order(services)  # paid Monday 09:00 UTC; the office has 3 working days to dispatch
    late_run(services)
    assert messages(services, kind="late_orders") == []
    clock.at = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)  # Friday 10:00 local: a day late
    late_run(services)
    clock.advance(hours=3)
    late_run(services)
    [report] = messages(services, kind="late_orders")
    assert report.recipient == SUPERVISOR_PHONE and report.status == "sent"
    assert "1 demande(s) en retard" in report.text and format_reference(order.reference) in report.text
    clock.advance(days=1)
    late_run(services)
    assert len(messages(services, kind="late_orders")) == 2  # Saturday's list: still late


def test_the_late_list_waits_for_the_configured_morning_hour(services, notifier, supervisor, clock):
    paid_order(services)
    clock.at = datetime(2026, 11, 27, 7, 29, tzinfo=timezone.utc)  # 08:29 local, the list is due at 08:30
    late_run(services)
    assert messages(services, kind="late_orders") == []
    clock.advance(minutes=1)
    late_run(services)
    assert len(messages(services, kind="late_orders")) == 1


def test_no_list_when_nothing_is_late(services, notifier, supervisor, clock):
    paid_order(services)
    clock.advance(days=1)
    late_run(services)
    assert messages(services, kind="late_orders") == []


def test_only_the_inspectors_of_the_complaint_s_province_are_told(services, notifier):
    staff_user(services, "insp-rabat", "inspector", office=None, phone="+212661000021", province_code="421")
    staff_user(services, "insp-casa", "inspector", office=None, phone="+212661000022", province_code="141")
    order = paid_order(services)
    file_complaint(services.uow(), DEMO_PHONE, "not_received", "Rien reçu", language="fr", channel="sms",
                   order_reference=order.reference, phone=DEMO_PHONE)
    file_complaint(services.uow(), DEMO_PHONE, "payment", "Payé deux fois", language="fr", channel="sms",
                   order_reference=order.reference, phone=DEMO_PHONE)  # support's, not an inspector's
    deliver(services)
    assert [m.recipient for m in messages(services, audience="inspector")] == ["+212661000021"]
