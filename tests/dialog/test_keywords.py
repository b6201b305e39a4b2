"""The SMS keywords table: French, English, Arabic and Latin-script Darija, with what follows them."""
import pytest

from dialog.flows import registry
from dialog.keywords import KeywordTable, bare_reference

TABLE = KeywordTable.of(registry().values())


@pytest.mark.parametrize(("text", "flow", "entry", "lang", "argument"), [
    ("COMMANDE", "order", "start", "fr", ""),
    ("commande", "order", "start", "fr", ""),
    ("Order", "order", "start", "en", ""),
    ("طلب", "order", "start", "ar", ""),
    ("bghit ntleb", "order", "start", "fr", ""),
    ("SUIVI 261 148 273 5", "track", "start", "fr", "261 148 273 5"),
    ("STATUS 2611482735", "track", "start", "en", "2611482735"),
    ("حالة 2611482735", "track", "start", "ar", "2611482735"),
    ("fin wsl talab 2611482735", "track", "start", "fr", "2611482735"),
    ("Réclamation", "complain", "start", "fr", ""),
    ("شكاية", "complain", "start", "ar", ""),
    ("AIDE", "help", "start", "fr", ""),
    ("HELP", "help", "start", "en", ""),
    ("مساعدة", "help", "start", "ar", ""),
    ("3awni", "help", "start", "fr", ""),
    ("AGENT", "human", "start", "fr", ""),
    ("bghit nhder m3a chi wahed", "human", "start", "fr", "m3a chi wahed"),
    ("LANGUE", "language", "start", "fr", ""),
    ("MENU", "menu", "start", "fr", ""),
    ("PAYER 2611482735", "pay", "start", "fr", "2611482735"),
    ("CARTE 2611482735 12345678901234 5", "pay", "card", "fr", "2611482735 12345678901234 5"),
    ("ادفع ٢٦١١٤٨٢٧٣٥", "pay", "start", "ar", "2611482735"),
])
def test_a_message_starting_with_a_keyword_opens_its_flow(text, flow, entry, lang, argument):
    command = TABLE.match(text)
    assert (command.flow, command.entry, command.lang, command.argument) == (flow, entry, lang, argument)


@pytest.mark.parametrize("text", ["", "   ", "je voudrais savoir", "1", "Salmane", "suivis"])
def test_other_messages_are_no_command(text):
    assert TABLE.match(text) is None


@pytest.mark.parametrize("text", ["2611482735", "261 148 273 5", "261-148-273-5", "٢٦١١٤٨٢٧٣٥", "2611482736"])
def test_ten_digits_alone_are_a_reference_to_track(text):
    assert bare_reference(text).flow == "track"


@pytest.mark.parametrize("text", ["261148273", "26114827355", "SUIVI 2611482735", "²⁶¹¹⁴⁸²⁷³⁵", "+2611482735"])
def test_anything_else_is_not_a_bare_reference(text):
    assert bare_reference(text) is None
