"""The transition table: every allowed move is allowed, every other one refused with a named error."""
import itertools

import pytest

from orders_core.errors import IllegalTransition
from orders_core.lifecycle import TRANSITIONS, Role, Status, allowed_targets, check_transition
from orders_core.model import Actor, Order

TRIPLES = list(itertools.product(Status, Status, Role))
ALLOWED = [(f, t, r) for f, t, r in TRIPLES if r in TRANSITIONS.get((f, t), ())]
REFUSED = [(f, t, r) for f, t, r in TRIPLES if r not in TRANSITIONS.get((f, t), ())]


def test_the_table_is_the_lifecycle_of_the_domain():
    main_path = ["awaiting_payment", "paid", "received", "in_progress", "ready", "dispatched", "delivered"]
    for a, b in zip(main_path, main_path[1:]):
        assert (Status(a), Status(b)) in TRANSITIONS
    for side in [("received", "rejected"), ("in_progress", "rejected"), ("received", "reassigned"),
                 ("reassigned", "received"), ("dispatched", "returned"), ("awaiting_payment", "cancelled"),
                 ("received", "cancelled"), ("awaiting_payment", "expired")]:
        assert tuple(map(Status, side)) in TRANSITIONS
    assert (Status.IN_PROGRESS, Status.CANCELLED) not in TRANSITIONS  # the citizen may cancel only before
    assert len(ALLOWED) + len(REFUSED) == len(Status) ** 2 * len(Role)


@pytest.mark.parametrize("current,target,role", ALLOWED)
def test_allowed_transition_moves_the_order_and_records_an_event(current, target, role):
    order = Order(status=current.value, office_code="42101", events=[])
    event = order.move(target, Actor("7", role, "web"), at="now", note="n")
    assert order.status == target
    assert (event.from_status, event.to_status, event.role, event.note) == (current, target, role, "n")
    assert order.events == [event]


@pytest.mark.parametrize("current,target,role", REFUSED)
def test_refused_transition_raises_and_changes_nothing(current, target, role):
    order = Order(status=current.value, office_code="42101", events=[])
    with pytest.raises(IllegalTransition):
        order.move(target, Actor("7", role, "web"), at="now")
    assert order.status == current and order.events == []


def test_allowed_targets_lists_what_a_role_may_do():
    assert allowed_targets(Status.IN_PROGRESS, Role.AGENT) == [Status.READY, Status.REJECTED, Status.REASSIGNED]
    assert allowed_targets(Status.IN_PROGRESS, Role.CITIZEN) == []
    with pytest.raises(IllegalTransition):
        check_transition("delivered", "paid", "system")
