"""What offices do to orders: take (one winner), stages, dispatch, rejection with credit, reassignment, tracking."""
import threading

import pytest

from orders_core.errors import (
    AlreadyTaken, IllegalTransition, InvalidInput, NotAllowed, OfficeNotFound, OrderNotFound,
)
from orders_core.services import (
    advance_order, create_user, credit_statement, dispatch_order, order_for_reference, place_order, reassign_order,
    record_payment, reject_order, take_order, tracking_view,
)
from web.demo import draft

BARCODE = "RR123456785MA"
AGENT = OTHER_AGENT = FOREIGN_AGENT = SUPERVISOR = None


@pytest.fixture(autouse=True)
def staff(services):
    """Real accounts: agents of Rabat Agdal-Riyad (42101), one of Casablanca Anfa (14101), a supervisor."""
    global AGENT, OTHER_AGENT, FOREIGN_AGENT, SUPERVISOR
    AGENT, OTHER_AGENT, FOREIGN_AGENT, SUPERVISOR = (
        make_user(services, name, role, office) for name, role, office in (
            ("agent1", "agent", "42101"), ("agent2", "agent", "42101"), ("agent3", "agent", "14101"),
            ("super1", "supervisor", "42101")))


def make_user(services, name, role, office):
    return create_user(services.uow(), name, name, "x", role, office_code=office).as_actor()


@pytest.fixture
def paid(services):
    order = place_order(services.uow(), services.settings.prices, draft(lines={"extract": 1}))
    record_payment(services.uow(), order.reference, order.total, "card", f"pay-{order.reference}")
    return order


def load(services, order):
    with services.uow() as uow:
        found = order_for_reference(uow, order.reference)
        _ = (found.events, found.office.commune, found.payments)
        return found


def test_an_agent_takes_advances_and_dispatches_an_order(services, paid, clock):
    take_order(services.uow(), paid.id, AGENT)
    clock.advance(hours=3)
    advance_order(services.uow(), paid.id, "ready", AGENT)
    dispatch_order(services.uow(), paid.id, "rr 123456785 ma", AGENT)
    order = load(services, paid)
    assert order.status == "dispatched" and order.barcode == BARCODE
    assert [(e.to_status, e.role) for e in order.events][-3:] == [
        ("in_progress", "agent"), ("ready", "agent"), ("dispatched", "agent")]


def test_a_second_agent_taking_the_same_order_is_refused(services, paid):
    take_order(services.uow(), paid.id, AGENT)
    with pytest.raises(AlreadyTaken):
        take_order(services.uow(), paid.id, OTHER_AGENT)


def test_another_office_cannot_see_or_take_the_order(services, paid):
    with pytest.raises(OrderNotFound):
        take_order(services.uow(), paid.id, FOREIGN_AGENT)


def test_an_agent_cannot_advance_an_order_taken_by_a_colleague_but_the_supervisor_can(services, paid):
    take_order(services.uow(), paid.id, AGENT)
    with pytest.raises(NotAllowed):
        advance_order(services.uow(), paid.id, "ready", OTHER_AGENT)
    assert advance_order(services.uow(), paid.id, "ready", SUPERVISOR).status == "ready"


def test_stages_cannot_be_skipped(services, paid):
    with pytest.raises(IllegalTransition):
        advance_order(services.uow(), paid.id, "ready", AGENT)
    with pytest.raises(IllegalTransition):
        dispatch_order(services.uow(), paid.id, BARCODE, AGENT)


@pytest.mark.parametrize("barcode", ["", "RR12345678MA", "RR123456784MA", "1234567890123", "x" * 10000])
def test_a_bad_barcode_is_refused_before_anything_changes(services, paid, barcode):
    take_order(services.uow(), paid.id, AGENT)
    advance_order(services.uow(), paid.id, "ready", AGENT)
    with pytest.raises(InvalidInput):
        dispatch_order(services.uow(), paid.id, barcode, AGENT)
    assert load(services, paid).status == "ready"


def test_a_rejected_paid_order_leaves_its_money_as_credit(services, paid):
    assert reject_order(services.uow(), paid.id, "record_not_found", AGENT) == paid.total
    order = load(services, paid)
    assert order.status == "rejected" and order.rejection_reason == "record_not_found"
    assert credit_statement(services.uow(), "+212612345678").balance == paid.total


def test_rejection_needs_a_known_reason(services, paid):
    with pytest.raises(InvalidInput):
        reject_order(services.uow(), paid.id, "bored", AGENT)


def test_reassignment_moves_the_order_to_the_other_office_as_received(services, paid):
    reassign_order(services.uow(), paid.id, "14101", "record kept in Casablanca", SUPERVISOR)
    order = load(services, paid)
    assert order.status == "received" and order.office_code == "14101"
    assert [e.to_status for e in order.events][-2:] == ["reassigned", "received"]
    with pytest.raises(OrderNotFound):
        take_order(services.uow(), paid.id, AGENT)  # no longer this office's


@pytest.mark.parametrize("office,reason,error", [("14101", "", InvalidInput), ("99999", "why", OfficeNotFound),
                                                 ("42101", "why", InvalidInput)])
def test_reassignment_needs_a_reason_and_another_real_office(services, paid, office, reason, error):
    with pytest.raises(error):
        reassign_order(services.uow(), paid.id, office, reason, SUPERVISOR)


def test_tracking_shows_stages_with_dates_expected_delivery_and_lateness(services, paid, clock):
    # Paid on Monday 23 November 09:00; the office has 3 working days (Thursday 26), post in Morocco 2 more.
    take_order(services.uow(), paid.id, AGENT)
    order = load(services, paid)
    view = tracking_view(order, clock())
    assert [s.status for s in view.stages] == ["paid", "received", "in_progress"]
    assert view.expected_delivery.isoformat() == "2026-11-30" and not view.late
    clock.advance(days=3, minutes=1)
    assert tracking_view(load(services, paid), clock()).late


def test_a_dispatched_order_is_never_late_and_shows_its_barcode(services, paid, clock):
    take_order(services.uow(), paid.id, AGENT)
    advance_order(services.uow(), paid.id, "ready", AGENT)
    dispatch_order(services.uow(), paid.id, BARCODE, AGENT)
    clock.advance(days=30)
    view = tracking_view(load(services, paid), clock())
    assert not view.late and view.barcode == BARCODE


@pytest.mark.postgres
def test_twenty_agents_taking_the_same_order_at_once_one_wins(services, paid):
    agents = [make_user(services, f"racer{i}", "agent", "42101") for i in range(20)]
    barrier = threading.Barrier(20)
    results = []

    def attempt(agent):
        barrier.wait()
        try:
            take_order(services.uow(), paid.id, agent)
            results.append("won")
        except AlreadyTaken as exc:
            results.append(f"refused: {exc}")

    threads = [threading.Thread(target=attempt, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("won") == 1
    assert len([r for r in results if r.startswith("refused: order")]) == 19
    assert [e.to_status for e in load(services, paid).events].count("in_progress") == 1


def test_one_rule_says_which_actions_each_office_member_may_take_on_an_order(services, paid):
    from orders_core.services.office_work import order_actions
    order = load(services, paid)
    assert order_actions(order, "agent", AGENT.id) == {"take": True, "reject": True, "reassign": True}
    assert order_actions(order, "finance", 99) == {}
    take_order(services.uow(), paid.id, AGENT)
    taken = load(services, paid)
    assert order_actions(taken, "agent", AGENT.id) == {"reject": True, "reassign": True, "advance": ["ready"]}
    assert order_actions(taken, "agent", OTHER_AGENT.id) == {"reassign": True}  # not theirs to finish
    assert order_actions(taken, "supervisor", SUPERVISOR.id) == {"reject": True, "reassign": True,
                                                                   "advance": ["ready"]}


def test_the_staff_view_and_the_sms_commands_use_the_service_s_rule():
    import inspect

    from dialog import agent_commands
    from orders_core.services import office_work
    from staff import office
    assert "order_actions" in inspect.getsource(office.available_actions)
    assert "may_act" in inspect.getsource(office_work._check_own)
    assert "OFFICE_ROLES" in inspect.getsource(agent_commands.AgentCommands._run)
