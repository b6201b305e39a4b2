"""Placing, paying, expiring, cancelling orders against a real database."""
import pytest
from sqlalchemy import select

from orders_core import queries
from orders_core.errors import BadCheckDigit, InvalidInput, NotEntitled, OrderNotFound
from orders_core.lifecycle import Role
from orders_core.model import Actor, Delivery, Holder, OutboxMessage
from orders_core.references import check_digit
from orders_core.uow import UnitOfWork
from orders_core.services import (
    cancel_order, credit_statement, expire_unpaid, order_for_reference, place_order, record_payment,
)
from web.demo import draft

CITIZEN = Actor("+212612345678", Role.CITIZEN, "sms")


def place(services, **changes):
    changes.setdefault("lines", {"extract": 1})  # 20 MAD
    return place_order(services.uow(), services.settings.prices, draft(**changes))


def reload(services, reference):
    with services.uow() as uow:
        order = order_for_reference(uow, reference)
        _ = (order.events, order.payments, order.lines, order.office)
        return order


def outbox_topics(services):
    with services.uow() as uow:
        return [m.topic for m in uow.all(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_placed_order_is_priced_referenced_and_waits_for_payment(services):
    order = place(services, lines={"extract": 2, "full_copy": 1})
    stored = reload(services, order.reference)
    assert stored.status == "awaiting_payment"
    assert stored.total == 1000 + 3 * 500 + 500
    assert stored.copies == {"extract": 2, "full_copy": 1}
    assert stored.office_code == "42101"
    assert (stored.expires_at - stored.created_at).total_seconds() == 72 * 3600
    assert outbox_topics(services) == ["order.placed"]


def test_full_payment_moves_the_order_to_the_office(services):
    order = place(services)
    outcome = record_payment(services.uow(), order.reference, order.total, "card", "card-1")
    stored = reload(services, order.reference)
    assert outcome.paid_now and outcome.due == 0
    assert stored.status == "received" and stored.paid_at is not None
    assert [e.to_status for e in stored.events] == ["paid", "received"]


def test_partial_payments_accumulate_and_excess_becomes_credit(services):
    order = place(services)  # 2000
    first = record_payment(services.uow(), order.reference, 1000, "premium_sms", "msg-1")
    assert (first.applied, first.due, first.paid_now) == (1000, 1000, False)
    second = record_payment(services.uow(), order.reference, 1500, "premium_sms", "msg-2")
    assert (second.applied, second.credited, second.paid_now) == (1000, 500, True)
    assert credit_statement(services.uow(), "+212612345678").balance == 500


def test_the_same_payment_recorded_twice_counts_once(services):
    order = place(services)
    record_payment(services.uow(), order.reference, 1000, "premium_sms", "msg-1")
    again = record_payment(services.uow(), order.reference, 1000, "premium_sms", "msg-1")
    assert again.duplicate and reload(services, order.reference).paid_amount == 1000


def test_paying_an_order_twice_leaves_a_credit_used_by_the_next_order(services):
    order = place(services)
    record_payment(services.uow(), order.reference, order.total, "card", "a")
    record_payment(services.uow(), order.reference, order.total, "card", "b")
    assert credit_statement(services.uow(), "+212612345678").balance == order.total
    following = place(services)
    assert reload(services, following.reference).status == "received"
    statement = credit_statement(services.uow(), "+212612345678")
    assert statement.balance == 0 and [e.amount for e in statement.entries] == [2000, -2000]


def test_an_unpaid_order_expires_after_72_hours_and_partial_money_becomes_credit(services, clock):
    order = place(services)
    record_payment(services.uow(), order.reference, 1000, "premium_sms", "m1")
    clock.advance(hours=71, minutes=59)
    assert expire_unpaid(services.uow()) == 0
    clock.advance(minutes=1)
    assert expire_unpaid(services.uow()) == 1
    assert reload(services, order.reference).status == "expired"
    assert credit_statement(services.uow(), "+212612345678").balance == 1000


def test_a_citizen_cancels_only_their_own_order_before_work_starts(services):
    order = place(services)
    with pytest.raises(OrderNotFound):
        cancel_order(services.uow(), order.reference, CITIZEN, ["+212699999999"])
    assert cancel_order(services.uow(), order.reference, CITIZEN, ["+212612345678"]) == 0
    assert reload(services, order.reference).status == "cancelled"


@pytest.mark.parametrize("relation,ok", [("self", True), ("parent", True), ("grandparent", True), ("child", True),
                                         ("spouse", True), ("guardian", True), ("authorised", True), ("other", False)])
def test_the_full_copy_goes_only_to_entitled_requesters(services, relation, ok):
    if ok:
        assert place(services, lines={"full_copy": 1}, requester_relation=relation).total > 0
    else:
        with pytest.raises(NotEntitled):
            place(services, lines={"full_copy": 1}, requester_relation=relation)


def test_anyone_may_order_a_summary_extract(services):
    assert place(services, lines={"extract": 1}, requester_relation="other").status == "awaiting_payment"


BAD_DRAFTS = [
    ({"office_code": "99999"}, "office_code"), ({"act_number": "abc"}, "act_number"),
    ({"act_number": "123456789"}, "act_number"), ({"record_year": 1850}, "record_year"),
    ({"record_year": 2999}, "record_year"), ({"year_calendar": "julian"}, "year_calendar"),
    ({"record_year": 1500, "year_calendar": "hijri"}, "record_year"), ({"holder": Holder()}, "holder"),
    ({"holder": Holder(family_name_latin="x" * 81, first_name_latin="y")}, "family_name_latin"),
    ({"requester_phone": "12"}, "requester_phone"), ({"requester_relation": "cousin"}, "requester_relation"),
    ({"language": "de"}, "language"), ({"channel": "fax"}, "channel"),
    ({"delivery": Delivery(zone="MA", country="FR", address="1 rue X", city="Paris")}, "delivery_country"),
    ({"delivery": Delivery(zone="abroad", country="ZZ", address="1 rue X", city="Paris")}, "delivery_country"),
    ({"delivery": Delivery(zone="MA", country="MA", address="", city="Rabat")}, "delivery_address"),
    ({"lines": {"extract": 11}}, "lines.extract"),
]


@pytest.mark.parametrize("changes,field", BAD_DRAFTS)
def test_bad_drafts_name_the_field_and_write_nothing(services, changes, field):
    with pytest.raises(InvalidInput) as caught:
        place(services, **changes)
    assert field in caught.value.problems
    with services.uow() as uow:
        assert queries.latest_order_of_contact(uow, ["+212612345678"]) is None


def test_hijri_years_are_accepted_and_stored_with_their_calendar(services):
    order = place(services, record_year="١٤٠٥", year_calendar="hijri")
    stored = reload(services, order.reference)
    assert (stored.record_year, stored.year_calendar) == (1405, "hijri")


def test_an_order_abroad_pays_postage_abroad(services):
    order = place(services, delivery=Delivery(zone="abroad", country="FR", address="3 rue de Lyon", city="Paris"))
    assert order.price_postage == 3000


def test_lookup_distinguishes_typos_from_unknown_references(services):
    order = place(services)
    typo = order.reference[:-1] + str((int(order.reference[-1]) + 1) % 10)
    with services.uow() as uow:
        with pytest.raises(BadCheckDigit):
            order_for_reference(uow, typo)
        with pytest.raises(OrderNotFound):
            order_for_reference(uow, "123456789" + check_digit("123456789"))


def test_a_reference_drawn_twice_is_drawn_again_and_the_credit_still_pays(services):
    draws = iter([0] * 9 + [0] * 9 + [1] * 9)  # the first order's reference, the same again, then another
    scripted = UnitOfWork(services.uow().session_factory, services.clock, randbelow=lambda n: next(draws))
    first = place_order(scripted, services.settings.prices, draft(lines={"extract": 1}))
    record_payment(services.uow(), first.reference, 2 * first.total, "card", "a")  # one total left as credit
    following = place_order(scripted, services.settings.prices, draft(lines={"extract": 1}))
    assert (first.reference, following.reference) == ("100000000" + check_digit("100000000"),
                                                      "211111111" + check_digit("211111111"))
    assert reload(services, following.reference).status == "received"
    assert credit_statement(services.uow(), "+212612345678").balance == 0


def test_a_placed_order_is_written_with_its_lines_and_announced_once(services):
    from tests.statements import statements
    with statements(services) as seen:
        order = place(services, lines={"extract": 2, "full_copy": 1}, requester_relation="self")
    placed = reload(services, order.reference)
    assert {line.document: line.copies for line in placed.lines} == {"extract": 2, "full_copy": 1}
    assert placed.version == 1 and placed.total == order.total
    with services.uow() as uow:
        announced = [m.payload for m in uow.all(select(OutboxMessage).where(OutboxMessage.topic == "order.placed"))]
    assert announced == [{"order_id": order.id, "reference": order.reference, "total": order.total}]
    writes = [s for s in seen if s.lstrip().upper().startswith(("INSERT", "WITH"))]
    # PostgreSQL: the order, its lines and its announcement in one statement; SQLite: one each.
    assert len(writes) == (1 if services.engine.dialect.name == "postgresql" else 3), writes
