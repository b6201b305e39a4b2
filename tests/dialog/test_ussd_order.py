"""Ordering over USSD, from the first dial to the reference, and the navigation keys."""
from orders_core.references import is_valid

from .conftest import PHONE, guarded, orders

__all__ = ["guarded"]

# From the first dial of a new number: French, order, two extracts, Rabat Agdal-Riyad, act 1234 of 1990, the
# holder, self, the address in Morocco, then the summary.
TO_SUMMARY = ("1", "1", "2", "rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal")


def test_a_complete_ussd_order_places_the_right_order(ussd, services, guarded):
    assert "Francais" in ussd.dial()
    summary = ussd.press(*TO_SUMMARY)
    assert "Total 25 MAD : frais 10, copies 10, envoi 5" in summary and "EL AMRANI Salma" in summary
    placed = ussd.press("1")
    [order] = orders(services)
    assert placed.startswith("END ") and order.reference[:3] in placed
    assert is_valid(order.reference) and order.status == "awaiting_payment"
    assert (order.total, order.price_base, order.price_copies, order.price_postage) == (2500, 1000, 1000, 500)
    assert order.copies == {"extract": 2} and order.office_code == "42101"
    assert (order.act_number, order.record_year, order.year_calendar) == ("1234", 1990, "gregorian")
    assert (order.family_name_latin, order.first_name_latin, order.requester_relation) == ("El Amrani", "Salma",
                                                                                            "self")
    assert (order.channel, order.requester_contact, order.requester_phone) == ("ussd", PHONE, PHONE)
    assert (order.delivery_zone, order.delivery_city, order.language) == ("MA", "Rabat", "fr")


def test_a_full_copy_abroad_with_a_hijri_year_and_arabic_names(ussd, services, guarded):
    ussd.dial()
    ussd.press("3", "1", "4", "casa anfa", "1", "88 1405", "العمراني سلمى", "2", "2", "France",
               "Paris, 8 rue de la Paix, 75002")
    ussd.press("1")
    [order] = orders(services)
    assert order.copies == {"extract": 1, "full_copy": 1} and order.total == 1000 + 2 * 500 + 3000
    assert (order.year_calendar, order.record_year, order.requester_relation) == ("hijri", 1405, "parent")
    assert (order.family_name_ar, order.first_name_ar) == ("العمراني", "سلمى")
    assert (order.delivery_zone, order.delivery_country) == ("abroad", "FR") and order.language == "en"


def test_a_full_copy_is_refused_to_someone_who_is_not_family(ussd, services, guarded):
    ussd.dial()
    ussd.press("1", "1", "3", "rabat", "1", "1234 1990", "El Amrani, Salma")
    refused = ussd.press("9")
    assert "réservée au titulaire" in refused and "Votre lien" in refused
    assert "Livraison" in ussd.press("4")


def test_offices_are_searched_by_typed_name_and_shown_a_page_at_a_time(ussd, services, guarded):
    ussd.dial()
    first = ussd.press("1", "1", "1", "casablanca")
    assert "98 Plus" in first
    second = ussd.press("98")
    assert second != first and "1 " in second
    other = ussd.press("tanger")
    assert "Tanger" in other


def test_offices_are_found_by_a_name_typed_in_arabic(ussd, guarded):
    ussd.dial()
    ussd.press("2")  # Arabic
    assert "الرباط" in ussd.press("1", "1", "الرباط")


def test_an_unknown_place_is_said_and_asked_again(ussd, guarded):
    ussd.dial()
    assert "Aucun bureau" in ussd.press("1", "1", "1", "zzqqxx")


def test_zero_goes_back_a_step_and_double_zero_to_the_main_menu(ussd, guarded):
    ussd.dial()
    ussd.press("1", "1", "5", "1")
    assert "Combien d'extraits" in ussd.screens[-1]
    assert "Quel document" in ussd.press("0")
    assert "1 Commander un acte" in ussd.press("00")


def test_invalid_answers_are_said_and_the_question_asked_again(ussd, guarded):
    ussd.dial()
    ussd.press("1", "1", "5", "1")
    assert "1 à 10" in ussd.press("11")
    ussd.press("2", "rabat", "1")
    assert "1 à 8 chiffres" in ussd.press("123456789 199")  # 13 digits would be taken for a card PIN
    assert "Année non valide" in ussd.press("1234 1850")
    assert "un espace, puis l'année" in ussd.press("1234")


def test_a_returning_citizen_gets_the_menu_in_the_language_they_chose(ussd, client, services, guarded):
    ussd.dial()
    ussd.press("2")
    from .conftest import UssdPhone
    again = UssdPhone(client).dial()
    assert again.startswith("CON ") and "الحالة المدنية" in again


def test_arabic_is_not_shown_before_it_is_chosen(ussd, guarded):
    first = ussd.dial()
    assert first.isascii()


def test_the_arabic_comma_separates_names_and_the_city_from_the_address(ussd, services, guarded):
    ussd.dial()
    ussd.press("2", "1", "1", "الرباط", "1", "1234 1990", "العمراني، سلمى", "1", "الرباط، 12 زنقة واد سبو")
    ussd.press("1")
    [order] = orders(services)
    assert (order.family_name_ar, order.first_name_ar) == ("العمراني", "سلمى")
    assert (order.delivery_city, order.delivery_address) == ("الرباط", "12 زنقة واد سبو")
