"""What one message costs the dialog, and that the cheaper path answers as before: the contact's row and the
open escalations are read when a conversation starts (not at every step), an escalation opened elsewhere still
silences a conversation in flight, the office search searches once, and the session lock holds and releases."""
import pytest
from sqlalchemy import select

from dialog import Session, SessionStore
from dialog.orm import contacts
from dialog.sessions import Busy
from orders_core.model import Escalation, Office
from orders_core.services import close_escalation, find_offices
from tests.statements import statements

from .conftest import PHONE, guarded, orders
from .test_ussd_order import TO_SUMMARY

__all__ = ["guarded"]


def _last_inbound_at(services):
    with services.uow() as uow:
        at = uow.session.execute(select(contacts.c.last_inbound_at).where(contacts.c.contact == PHONE)).scalar()
    return at.replace(tzinfo=None) if at else None


def test_the_steps_of_an_order_between_the_menu_and_the_office_ask_the_database_nothing(ussd, services, guarded):
    ussd.dial()
    ussd.press("1", "1")  # French, order (which looks the last order up once, to offer its office and address)
    with statements(services) as seen:
        assert "Lieu de naissance" in ussd.press("1")
        ussd.press("rabat")
        searched = len(seen)
        ussd.press("1")
        ussd.press(*TO_SUMMARY[5:8])  # act and year, names, relation
    lookups = [s for s in seen if "offices" in s or "directory_revision" in s]
    # The search reads the directory's revision (and loads the directory the first time in a process) ...
    assert lookups and all(seen.index(s) < searched for s in lookups)
    # ... and the pick step chooses among the candidates the search kept.
    assert not [s for s in seen[searched:] if "offices" in s or "directory_revision" in s]
    assert not [s for s in seen if "contacts" in s or "escalations" in s]


def test_the_contact_is_noted_when_a_conversation_starts_and_again_after_five_minutes(ussd, services, clock,
                                                                                      guarded):
    started = clock().replace(tzinfo=None)
    ussd.dial()
    assert _last_inbound_at(services) == started
    clock.advance(minutes=4)
    ussd.press("1", "1")
    assert _last_inbound_at(services) == started
    clock.advance(minutes=2)
    ussd.press("1")
    assert _last_inbound_at(services) == clock().replace(tzinfo=None)
    clock.advance(minutes=1)
    ussd.dial()  # a new conversation
    assert _last_inbound_at(services) == clock().replace(tzinfo=None)


def test_an_escalation_opened_by_sms_leaves_a_ussd_session_in_flight_working(ussd, sms, services, guarded):
    ussd.dial()
    ussd.press("1", "1")
    assert "conseiller vous répondra par SMS" in sms.send("AGENT")
    assert "Lieu de naissance" in ussd.press("1")  # waiting for a person blocks nothing
    with services.uow() as uow:
        [escalation] = uow.all(select(Escalation))
    assert escalation.status == "open"


def test_a_citizen_waiting_for_a_person_can_leave_the_wait_from_the_ussd_menu(ussd, sms, services, guarded):
    sms.send("AGENT")
    ussd.dial()
    waiting = ussd.press("7")  # talk to an adviser: already waiting (French, as the SMS chose)
    assert waiting.startswith("CON ") and "1 Ne plus attendre" in waiting
    assert ussd.press("1").startswith("END Vous n'attendez plus")
    with services.uow() as uow:
        assert [e.status for e in uow.all(select(Escalation))] == ["closed"]
    assert sms.send("bonjour ?").startswith("Shubbak")  # the bot answers free text again


def test_a_citizen_waiting_for_a_person_can_leave_the_wait_by_sms(sms, services, guarded):
    sms.send("AGENT")
    assert sms.send("QUITTER").startswith("Vous n'attendez plus")
    assert sms.send("QUITTER").startswith("Aucune demande de conseiller")


@pytest.fixture
def store(services):
    return SessionStore(services.redis, prefix="test:sessions:")


def test_leaving_a_hold_saves_the_session_and_releases_the_lock(store, services):
    with store.hold("sms:1", "+1") as held:
        assert held.session is None and held.mark == ""
        held.keep(Session("sms:1", flow="order", step="act"), 60)
        assert services.redis.get("test:sessions:lock:sms:1") is not None
    assert services.redis.get("test:sessions:lock:sms:1") is None
    assert store.load("sms:1").step == "act"
    with store.hold("sms:1", "+1") as held:
        assert held.session.step == "act"
        held.drop()
    assert store.load("sms:1") is None and services.redis.get("test:sessions:lock:sms:1") is None


def test_a_second_message_of_a_held_conversation_waits_then_gives_up(store):
    with store.hold("sms:2", "+2"):
        with pytest.raises(Busy):
            with store.hold("sms:2", "+2", wait=0.1):
                pass


def test_a_failed_answer_writes_nothing_and_releases_the_lock(store, services):
    with pytest.raises(RuntimeError):
        with store.hold("sms:3", "+3") as held:
            held.keep(Session("sms:3", flow="order"), 60)
            raise RuntimeError("flow broke")
    assert store.load("sms:3") is None and services.redis.get("test:sessions:lock:sms:3") is None


def test_a_lock_that_expired_and_went_to_another_message_is_not_released_by_the_first(store, services):
    with store.hold("sms:4", "+4"):
        services.redis.set("test:sessions:lock:sms:4", "someone-else")
    assert services.redis.get("test:sessions:lock:sms:4") == b"someone-else"


def test_an_escalation_moves_the_mark_every_session_of_the_contact_reads(store):
    with store.hold("ussd:a", "+5") as held:
        before = held.mark
        held.note_escalation()
    with store.hold("sms:+5", "+5") as held:
        assert held.mark != before
    with store.hold("sms:+6", "+6") as held:
        assert held.mark == ""


def test_a_session_is_stored_as_plain_json_of_its_fields():
    session = Session("ussd:x", flow="order", step="act", data={"lines": {"extract": 2}}, lang="ar",
                      history=[["order", "document", {}]], touched=1.5, checked="")
    again = Session.from_json("ussd:x", session.to_json())
    assert again == session and "key" not in session.to_json() and "ended" not in session.to_json()


def test_the_summary_reads_the_directory_revision_only_and_the_confirmation_reads_the_office_once(ussd, services,
                                                                                                  guarded):
    ussd.dial()
    ussd.press(*TO_SUMMARY[:-1])
    with statements(services) as seen:
        summary = ussd.press(TO_SUMMARY[-1])
    assert "Extrait x2 - Rabat-Agdal-Riyad" in summary and "Total 25 MAD" in summary
    # The office named from the directory in memory, once its revision is known not to have moved.
    [read] = [s for s in seen if not s.startswith("BEGIN")]
    assert "FROM directory_revision" in read
    with statements(services) as seen:
        assert ussd.press("1").startswith("END ")
    assert len([s for s in seen if "FROM offices" in s]) == 1, seen


def test_an_office_closed_after_the_summary_is_refused_at_the_confirmation(ussd, services, guarded,
                                                                          fresh_directory):
    ussd.dial()
    assert "Rabat-Agdal-Riyad" in ussd.press(*TO_SUMMARY)
    _close_office(services, "42101")
    refused = ussd.press("1")
    assert refused.startswith("CON Ce bureau d'état civil ne prend plus de demandes.") and not orders(services)
    assert "1 Choisir un autre bureau" in refused and "Confirmer" not in refused and "Rabat-Agdal" not in refused


def test_an_office_closed_after_it_was_picked_is_not_offered_at_the_summary(ussd, services, guarded,
                                                                            fresh_directory):
    ussd.dial()
    ussd.press(*TO_SUMMARY[:-1])
    _close_office(services, "42101")  # in another process, say: this one's directory in memory still has it
    closed = ussd.press(TO_SUMMARY[-1])
    assert closed.startswith("CON Ce bureau d'état civil ne prend plus de demandes.")
    assert "1 Choisir un autre bureau" in closed and "Confirmer" not in closed and "Rabat-Agdal" not in closed
    assert "Lieu de naissance" in ussd.press("1")
    picked = ussd.press("rabat")
    assert "Rabat-Agdal-Riyad" not in picked
    summary = ussd.press("1")  # another office of Rabat: back to the summary, nothing else typed again
    assert "1 Confirmer" in summary and "EL AMRANI Salma" in summary and "Total 25 MAD" in summary
    assert ussd.press("1").startswith("END ")
    [order] = orders(services)
    assert order.office_code not in ("", "42101") and order.delivery_city == "Rabat"


def test_a_last_order_whose_office_closed_since_still_names_it(ussd, services, guarded, fresh_directory):
    ussd.dial()
    ussd.press(*TO_SUMMARY, "1")
    _close_office(services, "42101")
    ussd.dial()
    assert "Rabat-Agdal-Riyad" in ussd.press("1", "1")  # order, one extract: the last office offered first


def _close_office(services, code: str) -> None:
    with services.uow() as uow:
        uow.get(Office, code).active = False
        uow.commit()


def test_a_whole_ussd_order_of_a_new_number_asks_the_database_nine_statements_on_postgresql(ussd, services,
                                                                                          guarded):
    # Counted in full, but for loading the directory, which a process does once (and again after an office
    # changes), and SQLite's BEGINs (PostgreSQL's driver opens its transactions without a statement of its own).
    # What is counted: the contact's row with its open escalation (one read), its insert, the language chosen, the
    # last order looked up, the directory's revision at the search and again at the summary, the office checked
    # at the confirmation, the reference's check with the credit balance (one read), and the order's inserts: on
    # PostgreSQL the order, its lines and its announcement are one statement, on SQLite three.
    find_offices(services.uow(), "rabat")  # this process has loaded the directory before
    with statements(services) as seen:
        ussd.dial()
        ussd.press(*TO_SUMMARY)
        placed = ussd.press("1")
    assert placed.startswith("END ") and len(orders(services)) == 1
    counted = [s for s in seen if not s.startswith("BEGIN")]
    assert len([s for s in counted if "directory_revision" in s]) == 2
    assert len([s for s in counted if "offices" in s]) == 1, "\n".join(counted)  # the office's check
    assert len(counted) == (9 if services.engine.dialect.name == "postgresql" else 11), "\n".join(counted)
