"""The daily late lists cost a constant number of statements however many supervisors there are (issue 17):
the day's keys are read in one query and every office's waiting orders in another."""
from datetime import datetime, timezone

import notifications
from tests.notifications.conftest import messages, paid_order, staff_user
from tests.statements import statements


def run(services, notifier) -> int:
    with statements(services) as seen:
        notifications.late_reports(services.uow(), notifier)
    return len(seen)


def supervisors(services, first: int, last: int) -> None:
    for n in range(first, last):
        staff_user(services, f"super{n}", "supervisor", phone=f"+2126610001{n:02d}")


def test_a_run_with_nothing_late_costs_the_same_for_one_supervisor_or_five(services, notifier, clock):
    paid_order(services)  # not late yet
    supervisors(services, 0, 1)
    one = run(services, notifier)
    supervisors(services, 1, 5)
    assert run(services, notifier) == one
    assert messages(services, kind="late_orders") == []


def test_a_run_after_the_day_s_lists_costs_the_same_for_one_supervisor_or_five(services, notifier, clock):
    paid_order(services)
    supervisors(services, 0, 1)
    clock.at = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)  # Friday: a day late
    run(services, notifier)
    again_one = run(services, notifier)
    supervisors(services, 1, 5)
    run(services, notifier)  # the four new supervisors get theirs, one transaction each
    assert len(messages(services, kind="late_orders")) == 5
    assert run(services, notifier) == again_one
