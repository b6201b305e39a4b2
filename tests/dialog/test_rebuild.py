"""A USSD session whose stored state is gone (Redis flushed or expired) is rebuilt from the resent path or ends
politely: never a half-made order, and an order only at the explicit confirm step."""
from .conftest import guarded, orders
from .test_ussd_order import TO_SUMMARY

__all__ = ["guarded"]


def test_a_flush_in_the_middle_of_an_order_goes_on_where_the_citizen_was(ussd, services, guarded):
    ussd.dial()
    ussd.press(*TO_SUMMARY[:5])  # up to the act number and year
    services.redis.flushdb()
    assert "Nom de famille" in ussd.press("1234 1990")
    ussd.press(*TO_SUMMARY[6:])
    assert orders(services) == []


def test_a_flush_before_the_confirmation_places_one_whole_order_or_none(ussd, services, guarded):
    ussd.dial()
    summary = ussd.press(*TO_SUMMARY)
    services.redis.flushdb()
    assert orders(services) == []
    answer = ussd.press("1")
    placed = orders(services)
    assert answer.startswith("END ")
    assert len(placed) == 1 and placed[0].reference[:3] in answer and "Total 25 MAD" in summary
    assert (placed[0].total, placed[0].copies, placed[0].delivery_address) == (2500, {"extract": 2},
                                                                               "12 rue Oued Sebou, Agdal")


def test_a_session_that_began_with_the_language_menu_is_rebuilt_as_it_began(ussd, services, guarded):
    ussd.dial()  # a new number: the language menu first
    ussd.press("3", "1")  # English, order
    services.redis.flushdb()
    assert "Which document" in ussd.press("5")  # other numbers of copies
    assert "How many extracts" in ussd.press("1")


def test_a_next_page_of_offices_is_rebuilt_too(ussd, services, guarded):
    ussd.dial()
    second_page = ussd.press("1", "1", "1", "casablanca", "98")
    services.redis.flushdb()
    ussd.press("0")  # back, from the rebuilt second page, to the place question
    assert "Lieu de naissance" in ussd.screens[-1] and "Casablanca" in second_page


def test_a_screen_continued_with_98_is_rebuilt_too(ussd, services, guarded):
    ussd.dial()
    first = ussd.press("1")  # French: "language saved" and the menu do not fit one screen
    assert first.endswith("98 Plus") and "8 Langue" in ussd.press("98")
    services.redis.flushdb()
    assert "Quel document" in ussd.press("1")


def test_a_path_that_cannot_be_rebuilt_ends_politely_and_changes_nothing(client, services, guarded):
    # "2" (repeat, with no earlier order) ended the session: no input can follow it, so this path is not one a live
    # session can have.
    response = client.post("/webhooks/africastalking/ussd", data={
        "sessionId": "ATUid_lost", "serviceCode": "*123#", "phoneNumber": "+212612345678", "text": "1*2*1"})
    assert response.get_data(as_text=True).startswith("END Votre session a expiré")
    assert services.redis.get("shubbak:dialog:ussd:ATUid_lost") is None and orders(services) == []


def test_any_ussd_gateway_is_rebuilt_from_the_neutral_inputs_not_a_providers_path(client, services, guarded):
    """The dialog reads the neutral message (its state and inputs), not Africa's Talking's `*`-joined path: a
    gateway that gives the inputs its own way is answered, and rebuilt after a flush, the same way."""
    from channels.message import Inbound, SessionState

    dialog, surface = services.dialog, services.surfaces["ussd"]

    def step(phone, session, state, *inputs):
        return dialog.handle(Inbound("ussd", "gateway", phone, inputs[-1] if inputs else "", session_id=session,
                                     phone=phone, state=state, inputs=inputs), surface)

    first = step("+212612345670", "g1", SessionState.NEW)
    kept = step("+212612345670", "g1", SessionState.RESUME, "1")
    step("+212612345671", "g2", SessionState.NEW)
    services.redis.flushdb()
    rebuilt = step("+212612345671", "g2", SessionState.RESUME, "1")
    assert rebuilt.text == kept.text != first.text
