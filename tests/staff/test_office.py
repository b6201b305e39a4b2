"""The office's pages: the queue late first, an agent's journey, rejection, reassignment, cover sheet, workload."""
import re

import pytest
from sqlalchemy import event, select

from orders_core.model import CreditEntry, Order, OutboxMessage

from .conftest import NEIGHBOUR_OFFICE, paid_order

BARCODE = "RR123456785MA"


def load(services, order_id):
    with services.uow() as uow:
        return uow.get(Order, order_id)


def queue_references(html: str) -> list[str]:
    return re.findall(r'data-reference="(\d+)"', html)


def test_the_queue_shows_late_orders_first(services, people, logged_in, clock):
    early = paid_order(services)
    clock.advance(days=5)  # Monday to Saturday: `early` has used its three working days
    recent = paid_order(services)
    html = logged_in("agent").page("/staff/queue")
    assert queue_references(html) == [early.reference, recent.reference]
    late_row = html[html.index(f'data-reference="{early.reference}"') - 30:][:200]
    assert 'class="late"' in late_row


def statements_of(services, work) -> int:
    """How many SQL statements `work` sent to the database."""
    sent = []
    note = lambda *args: sent.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(services.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(services.engine, "before_cursor_execute", note)
    return len(sent)


def test_the_queue_reads_the_same_number_of_statements_for_two_orders_as_for_eight(services, people, logged_in):
    desk = logged_in("agent")
    for _ in range(2):
        paid_order(services)
    with_two = statements_of(services, lambda: desk.page("/staff/queue"))
    for _ in range(6):
        paid_order(services)
    page = []
    with_eight = statements_of(services, lambda: page.append(desk.page("/staff/queue")))
    assert len(queue_references(page[0])) == 8 and with_eight == with_two


def test_the_queue_filters_by_stage_and_hides_other_offices(services, people, logged_in, world):
    desk = logged_in("agent")
    desk.post(f"/staff/orders/{world.own.id}/take")
    other = paid_order(services)
    assert queue_references(desk.page("/staff/queue?stage=in_progress")) == [world.own.reference]
    assert queue_references(desk.page("/staff/queue?stage=received")) == [other.reference]
    everything = queue_references(desk.page("/staff/queue"))
    assert world.foreign.reference not in everything and world.neighbour.reference not in everything


def test_an_agent_takes_advances_and_dispatches_with_a_barcode(services, people, logged_in, world, clock):
    desk = logged_in("agent")
    page = desk.page(f"/staff/orders/{world.own.id}")
    assert 'id="take"' in page and 'id="dispatch"' not in page
    assert desk.post(f"/staff/orders/{world.own.id}/take").location.endswith(f"/staff/orders/{world.own.id}")
    clock.advance(minutes=20)
    desk.post(f"/staff/orders/{world.own.id}/advance", {"target": "ready"})
    page = desk.page(f"/staff/orders/{world.own.id}")
    assert 'id="dispatch"' in page and "Étape enregistrée." in page
    desk.post(f"/staff/orders/{world.own.id}/dispatch", {"barcode": "rr 123456785 ma"})
    order = load(services, world.own.id)
    assert (order.status, order.barcode, order.agent_id) == ("dispatched", BARCODE, people["agent"].id)
    with services.uow() as uow:
        moves = [m.payload["to_status"] for m in uow.all(select(OutboxMessage).order_by(OutboxMessage.id))
                 if m.topic == "order.status_changed" and m.payload["order_id"] == world.own.id]
    assert moves[-3:] == ["in_progress", "ready", "dispatched"]


def test_a_wrong_barcode_is_refused_saying_what_a_barcode_looks_like_and_keeping_what_was_typed(
        services, people, logged_in, world):
    desk = logged_in("agent")
    desk.post(f"/staff/orders/{world.own.id}/take")
    desk.post(f"/staff/orders/{world.own.id}/advance", {"target": "ready"})
    answer = desk.post(f"/staff/orders/{world.own.id}/dispatch", {"barcode": "RR123456789MA"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'role="status">Code-barres du recommandé : 2 lettres, 9 chiffres, 2 lettres (ex. RR123456785MA)' in html
    assert 'value="RR123456789MA"' in html and "Vérifiez ces champs" not in html
    assert load(services, world.own.id).status == "ready"


def test_an_agent_finds_an_order_of_the_office_by_its_reference_typed_with_spaces(people, logged_in, world):
    typed = " ".join(world.own.reference[i:i + 3] for i in range(0, 10, 3))
    answer = logged_in("agent").get(f"/staff/find?ref={typed}")
    assert answer.status_code == 302 and answer.location.endswith(f"/staff/orders/{world.own.id}")


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_another_office_s_order_is_not_found_by_reference_and_the_reference_stays_typed(people, logged_in, world,
                                                                                         who):
    desk = logged_in(who)
    answer = desk.get(f"/staff/find?ref={world.foreign.reference}")
    assert answer.status_code == 302 and "/staff/queue" in answer.location
    html = desk.page(answer.location)
    assert f"Aucune demande de référence {world.foreign.reference} dans votre bureau." in html
    assert f'value="{world.foreign.reference}"' in html


def test_an_agent_cannot_finish_an_order_another_agent_took(services, people, logged_in, world):
    logged_in("agent").post(f"/staff/orders/{world.own.id}/take")
    other = logged_in("agent2")
    assert 'id="advance-ready"' not in other.page(f"/staff/orders/{world.own.id}")
    other.post(f"/staff/orders/{world.own.id}/advance", {"target": "ready"})
    assert load(services, world.own.id).status == "in_progress"
    assert logged_in("supervisor").post(f"/staff/orders/{world.own.id}/advance", {"target": "ready"}).status_code == 302
    assert load(services, world.own.id).status == "ready"


def test_a_second_agent_taking_the_same_order_is_told_it_is_taken(services, people, logged_in, world):
    logged_in("agent").post(f"/staff/orders/{world.own.id}/take")
    late_comer = logged_in("agent2")
    late_comer.post(f"/staff/orders/{world.own.id}/take")
    assert "Un autre agent a déjà pris cette demande." in late_comer.page(f"/staff/orders/{world.own.id}")
    assert load(services, world.own.id).agent_id == people["agent"].id


def test_an_unknown_stage_is_refused_before_reaching_the_order(services, people, logged_in, world):
    desk = logged_in("agent")
    desk.post(f"/staff/orders/{world.own.id}/take")
    desk.post(f"/staff/orders/{world.own.id}/advance", {"target": "delivered-yesterday"})
    assert load(services, world.own.id).status == "in_progress"


def test_a_rejection_needs_a_reason_code_and_turns_the_payment_into_credit(services, people, logged_in, world):
    desk = logged_in("agent")
    page = desk.page(f"/staff/orders/{world.own.id}")
    assert re.findall(r'<option value="([a-z_]+)">', page) == ["record_not_found", "incomplete_data", "not_entitled"]
    desk.post(f"/staff/orders/{world.own.id}/reject", {"reason": "record_not_found", "note": "Acte 1234 absent"})
    order = load(services, world.own.id)
    assert (order.status, order.rejection_reason) == ("rejected", "record_not_found")
    with services.uow() as uow:
        credit = uow.all(select(CreditEntry).where(CreditEntry.order_id == world.own.id))
    assert [(c.reason, c.amount) for c in credit] == [("refund_rejected", world.own.total)]


def test_a_supervisor_reassigns_with_a_reason_and_the_order_leaves_the_office(services, people, logged_in, world):
    desk = logged_in("supervisor")
    search = desk.page(f"/staff/orders/{world.own.id}?office_q=hassan")
    assert f'<option value="{NEIGHBOUR_OFFICE}">' in search
    response = desk.post(f"/staff/orders/{world.own.id}/reassign",
                         {"office_code": NEIGHBOUR_OFFICE, "reason": "Acte enregistré à Hassan"})
    assert response.location.endswith("/staff/queue")
    order = load(services, world.own.id)
    assert (order.office_code, order.status) == (NEIGHBOUR_OFFICE, "received")
    assert desk.get(f"/staff/orders/{world.own.id}").status_code == 404


def test_a_reassignment_without_a_reason_is_refused(services, people, logged_in, world):
    desk = logged_in("supervisor")
    desk.post(f"/staff/orders/{world.own.id}/reassign", {"office_code": NEIGHBOUR_OFFICE, "reason": " "})
    assert load(services, world.own.id).office_code == "42101"


def test_the_cover_sheet_carries_the_reference_record_and_address(people, logged_in, world):
    sheet = logged_in("agent").page(f"/staff/orders/{world.own.id}/cover")
    ref = world.own.reference
    grouped = f"{ref[:3]} {ref[3:6]} {ref[6:9]} {ref[9]}"
    for expected in (grouped, "1234 / 1990", "12 rue Oued Sebou, Agdal", "Rabat", "2 × Extrait",
                     "مكتب الحالة المدنية الرباط أكدال الرياض"):
        assert expected in sheet
    assert "data-print" in sheet


def test_the_workload_counts_what_each_agent_holds_and_dispatched(services, people, logged_in, world):
    second = paid_order(services)
    agent = logged_in("agent")
    for order in (world.own, second):
        agent.post(f"/staff/orders/{order.id}/take")
    agent.post(f"/staff/orders/{second.id}/advance", {"target": "ready"})
    agent.post(f"/staff/orders/{second.id}/dispatch", {"barcode": BARCODE})
    html = logged_in("supervisor").page("/staff/workload")
    row = re.search(r"<tr><td>Agent <span.*?</tr>", html, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "0", "1"]
    assert "<svg" in html and "pas encore prises : 0" in html


def test_a_returned_envelope_is_back_in_the_queue_and_goes_out_again(services, people, logged_in, world):
    desk = logged_in("agent")
    for action, form in (("take", {}), ("advance", {"target": "ready"}), ("dispatch", {"barcode": BARCODE})):
        desk.post(f"/staff/orders/{world.own.id}/{action}", form)
    assert queue_references(desk.page("/staff/queue")) == []
    assert queue_references(desk.page("/staff/queue?stage=dispatched")) == [world.own.reference]
    desk.post(f"/staff/orders/{world.own.id}/advance", {"target": "returned"})
    assert queue_references(desk.page("/staff/queue")) == [world.own.reference]
    assert 'id="dispatch"' in desk.page(f"/staff/orders/{world.own.id}")
    desk.post(f"/staff/orders/{world.own.id}/dispatch", {"barcode": "RR000000014MA"})
    desk.post(f"/staff/orders/{world.own.id}/advance", {"target": "delivered"})
    assert load(services, world.own.id).status == "delivered"
