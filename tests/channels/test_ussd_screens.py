"""USSD screens: every screen fits 160 octets in its encoding, long replies continue on `98`, nothing is lost."""
from hypothesis import given, settings, strategies as st

import texts
from channels import sms, ussd
from channels.africastalking import render_ussd
from settings import Settings
from channels.message import Reply


def test_a_short_menu_is_one_plain_gsm7_screen_with_numbered_choices():
    reply = Reply("Votre lien :", options=(("1", "Moi-même"), ("2", "Réclamation"), ("98", "Plus…")))
    assert render_ussd(reply) == "CON Votre lien :\n1 Moi-meme\n2 Réclamation\n98 Plus..."


def test_a_closing_reply_ends_the_session():
    assert render_ussd(Reply("Merci.", end_session=True)) == "END Merci."


def test_a_long_reply_is_cut_into_screens_each_but_the_last_offering_more():
    reply = Reply("\n".join(f"Ligne numero {n} du texte a afficher" for n in range(12)), end_session=True)
    screens = ussd.screens(reply, "Plus")
    assert len(screens) > 1
    assert all(s.text.endswith("98 Plus") and not s.end_session for s in screens[:-1])
    assert screens[-1].end_session and all(ussd.octets(ussd.screen(s)) <= 160 for s in screens)
    shown = "\n".join(s.text.removesuffix("\n98 Plus") for s in screens)
    assert shown == reply.text


def test_sms_rendering_lists_the_choices_in_gsm7_where_possible():
    text = sms.render(Reply("Votre lien :", options=("Moi-même", "Conjoint(e)")))
    assert text == "Votre lien :\n1 Moi-meme\n2 Conjoint(e)"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000), st.lists(st.text(max_size=300), max_size=12), st.booleans())
def test_any_reply_fits_on_screens_of_160_octets(text, options, end):
    screens = ussd.screens(Reply(text, end, tuple(options)), "Plus")
    rendered = [render_ussd(s) for s in screens]
    assert all(ussd.octets(r[4:]) <= 160 and r[:4] in ("CON ", "END ") for r in rendered)
    assert [s.text or "..." for s in screens] == [r[4:] for r in rendered]  # render never had to cut a screen
    assert [r.startswith("END ") for r in rendered] == [False] * (len(rendered) - 1) + [end]


def test_a_gsm7_screen_holds_182_characters_and_an_extension_character_counts_two():
    assert len(ussd.screens(Reply("a" * 182), "Plus")) == 1
    assert len(ussd.screens(Reply("a" * 181 + "€"), "Plus")) == 2
    assert ussd.octets("a" * 182) == 160 and ussd.octets("a" * 180 + "€") == 160


def test_one_arabic_letter_makes_the_screen_ucs2_80_characters():
    assert len(ussd.screens(Reply("ب" * 80), "Plus")) == 1
    pages = ussd.screens(Reply("a" * 80 + "ب"), "المزيد")
    assert len(pages) == 2 and all(ussd.octets(p.text) <= 160 for p in pages)


def test_french_letters_outside_gsm7_are_made_plain_so_that_the_screen_stays_gsm7():
    screen = render_ussd(Reply("Tapez le numéro : être, à, ç, ô, î, û, â " * 3))
    assert texts.count(screen[4:]).encoding == texts.GSM7 and "etre" in screen and "ç" not in screen


def test_the_limits_are_settings_for_networks_that_allow_less():
    small = ussd.ScreenSize(gsm7_chars=100, ucs2_chars=40)
    pages = ussd.screens(Reply("\n".join(f"{n} choix numero {n}" for n in range(1, 12))), "Plus", small)
    assert len(pages) > 1 and all(len(p.text) <= 100 for p in pages)
    arabic = ussd.screens(Reply("\n".join(f"{n} اختيار رقم {n}" for n in range(1, 12))), "المزيد", small)
    assert all(len(p.text) <= 40 for p in arabic)
    assert Settings.from_env({"SHUBBAK_USSD_GSM7_CHARS": "120", "SHUBBAK_USSD_UCS2_CHARS": "60"}).ussd_size == \
        ussd.ScreenSize(120, 60)
