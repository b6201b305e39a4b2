"""Complaints over USSD and SMS: about one of my orders or none, a category, free text -> a reference."""
from orders_core.references import format_reference, is_valid
from orders_core.services import place_order
from web.demo import draft

from .conftest import PHONE, complaints, guarded

__all__ = ["guarded"]


def test_a_ussd_complaint_about_my_order(ussd, services, guarded):
    order = place_order(services.uow(), services.settings.prices, draft(phone=PHONE))
    ussd.dial()
    listed = ussd.press("1", "5")
    assert format_reference(order.reference) in listed and "Aucune demande" in listed
    ussd.press("1", "1")
    filed = ussd.press("Trop long, rien recu")
    [complaint] = complaints(services)
    assert filed.startswith("END ") and format_reference(complaint.reference) in filed
    assert (complaint.order_id, complaint.category, complaint.text) == (order.id, "late", "Trop long, rien recu")
    assert complaint.reference.startswith("9") and is_valid(complaint.reference)
    assert (complaint.channel, complaint.contact, complaint.language) == ("ussd", PHONE, "fr")


def test_an_sms_complaint_about_no_order(sms, services, guarded):
    assert "Motif" in sms.send("RECLAMATION")
    assert "Décrivez" in sms.send("6")
    assert "Merci de décrire" in sms.send("   ")
    filed = sms.send("Le guichet ne répond jamais")
    [complaint] = complaints(services)
    assert complaint.order_id is None and complaint.category == "other" and complaint.channel == "sms"
    assert format_reference(complaint.reference) in filed
