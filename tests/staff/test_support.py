"""Support and inspectors: conversations and replies that reach the citizen, order lookup, complaints."""
import bootstrap
import pytest
from sqlalchemy import select

from channels.senders import ConsoleSender
from jobs import notifications as notification_jobs
from orders_core.model import Complaint, Escalation, EscalationMessage, OutboxMessage
from orders_core.references import format_reference

from .conftest import CITIZEN


def outbox(services, topic):
    with services.uow() as uow:
        return [m.payload for m in uow.all(select(OutboxMessage).where(OutboxMessage.topic == topic)
                                           .order_by(OutboxMessage.id))]


def test_the_inbox_lists_open_conversations_with_their_reason(people, logged_in, world):
    html = logged_in("support").page("/staff/escalations")
    assert CITIZEN in html and "Demande à parler à quelqu&#39;un" in html


def test_a_conversation_shows_the_transcript_the_orders_and_the_credit(people, logged_in, world):
    html = logged_in("support").page(f"/staff/escalations/{world.escalation.id}")
    assert "Je veux parler à quelqu&#39;un" in html
    assert format_reference(world.own.reference) in html and "0,00 MAD" in html


def test_a_support_reply_is_recorded_and_published_for_the_citizen_s_channel(services, people, logged_in, world):
    desk = logged_in("support")
    desk.post(f"/staff/escalations/{world.escalation.id}/reply", {"text": "Votre acte est en cours, 2 jours."})
    with services.uow() as uow:
        [reply] = uow.all(select(EscalationMessage).where(EscalationMessage.direction == "out"))
    assert (reply.author, reply.text) == ("support", "Votre acte est en cours, 2 jours.")
    assert outbox(services, "escalation.reply") == [{"escalation_id": world.escalation.id, "message_id": reply.id}]
    assert "Votre acte est en cours, 2 jours." in desk.page(f"/staff/escalations/{world.escalation.id}")


def test_a_support_reply_reaches_the_citizen_s_phone(services, people, logged_in, world):
    phone = ConsoleSender()
    bootstrap.wire(services, sms_senders={"console": phone})
    logged_in("support").post(f"/staff/escalations/{world.escalation.id}/reply", {"text": "Nous avons relancé."})
    for _ in range(3):  # what the periodic tick does: dispatch the outbox, then run the queued jobs
        services.enqueue(notification_jobs.dispatch_outbox)
        services.drain()
    replies = [m for m in phone.sent if "Nous avons relancé." in m["text"]]
    assert [m["to"] for m in replies] == [CITIZEN]


def test_an_empty_reply_is_refused(services, people, logged_in, world):
    desk = logged_in("support")
    desk.post(f"/staff/escalations/{world.escalation.id}/reply", {"text": "   "})
    assert outbox(services, "escalation.reply") == []
    assert "Vérifiez ces champs : text." in desk.page(f"/staff/escalations/{world.escalation.id}")


def test_closing_a_conversation_hands_the_citizen_back_to_the_bot(services, people, logged_in, world):
    desk = logged_in("support")
    assert desk.post(f"/staff/escalations/{world.escalation.id}/close").location.endswith("/staff/escalations")
    with services.uow() as uow:
        assert uow.get(Escalation, world.escalation.id).status == "closed"
    assert outbox(services, "escalation.closed")[0]["author"] == "support"
    assert CITIZEN not in desk.page("/staff/escalations")
    assert desk.post(f"/staff/escalations/{world.escalation.id}/reply", {"text": "trop tard"}).status_code == 404


@pytest.mark.parametrize("typed", ["{ref}", "{grouped}", "{eastern}"])
def test_lookup_finds_an_order_by_its_reference_typed_any_way(people, logged_in, world, typed):
    reference = world.own.reference
    eastern = reference.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    query = typed.format(ref=reference, grouped=format_reference(reference), eastern=eastern)
    html = logged_in("support").page(f"/staff/lookup?q={query}")
    assert f"/staff/orders/{world.own.id}" in html


def test_lookup_by_phone_lists_the_citizen_s_orders_and_credit(people, logged_in, world):
    html = logged_in("support").page("/staff/lookup?q=06 12 34 56 78")
    assert f"/staff/orders/{world.own.id}" in html and f"/staff/orders/{world.foreign.id}" in html
    assert "Crédit disponible" in html


def test_lookup_says_check_the_number_on_a_mistyped_reference(people, logged_in, world):
    reference = world.own.reference
    typo = reference[:-1] + str((int(reference[-1]) + 1) % 10)
    html = logged_in("support").page(f"/staff/lookup?q={typo}")
    assert "Ce numéro est incorrect" in html and "/staff/orders/" not in html


def test_the_inspector_sees_only_the_production_complaints_of_the_province(people, logged_in, world):
    html = logged_in("inspector").page("/staff/complaints")
    assert f'id="complaint-{world.production_complaint.reference}"' in html
    assert world.foreign_complaint.reference not in html and world.support_complaint.reference not in html


def test_support_sees_only_support_complaints(people, logged_in, world):
    html = logged_in("support").page("/staff/complaints")
    assert f'id="complaint-{world.support_complaint.reference}"' in html
    assert world.production_complaint.reference not in html


def test_an_inspector_resolves_a_complaint_with_a_note(services, people, logged_in, world):
    desk = logged_in("inspector")
    reference = world.production_complaint.reference
    desk.post(f"/staff/complaints/{reference}/move", {"target": "resolved", "note": ""})
    assert "Vérifiez ces champs : note." in desk.page("/staff/complaints")
    desk.post(f"/staff/complaints/{reference}/move", {"target": "resolved", "note": "Bureau relancé, envoi demain"})
    with services.uow() as uow:
        complaint = uow.one(select(Complaint).where(Complaint.reference == reference))
    assert (complaint.status, complaint.resolution_note) == ("resolved", "Bureau relancé, envoi demain")
    assert reference not in desk.page("/staff/complaints")
    assert "Bureau relancé, envoi demain" in desk.page("/staff/complaints?closed=1")


def test_lookup_by_phone_posts_so_the_number_never_sits_in_a_url(people, logged_in, world):
    desk = logged_in("support")
    form = desk.page("/staff/lookup")
    assert '<form method="post"' in form and 'name="csrf_token"' in form
    html = desk.post("/staff/lookup", {"q": "06 12 34 56 78"}).get_data(as_text=True)
    assert f"/staff/orders/{world.own.id}" in html and "Crédit disponible" in html
    assert desk.client.post("/staff/lookup", data={"q": "0612345678"}).status_code == 400  # no CSRF token
def test_closed_complaints_are_listed_for_the_last_ninety_days_only(services, people, logged_in, world, clock):
    desk = logged_in("inspector")
    reference = world.production_complaint.reference
    desk.post(f"/staff/complaints/{reference}/move", {"target": "resolved", "note": "Bureau relancé"})
    clock.advance(days=89)
    assert "Bureau relancé" in logged_in("inspector").page("/staff/complaints?closed=1")
    clock.advance(days=2)  # filed 91 days ago
    assert "Bureau relancé" not in logged_in("inspector").page("/staff/complaints?closed=1")
