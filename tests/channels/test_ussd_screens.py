"""USSD screens: every screen fits 182 characters, long replies continue on `98`, nothing is lost."""
from hypothesis import given, settings, strategies as st

from channels import sms, ussd
from channels.message import Reply


def test_a_short_menu_is_one_plain_gsm7_screen_with_numbered_choices():
    reply = Reply("Votre lien :", options=(("1", "Moi-même"), ("2", "Réclamation"), ("98", "Plus…")))
    assert ussd.render(reply) == "CON Votre lien :\n1 Moi-meme\n2 Réclamation\n98 Plus..."


def test_a_closing_reply_ends_the_session():
    assert ussd.render(Reply("Merci.", end_session=True)) == "END Merci."


def test_a_long_reply_is_cut_into_screens_each_but_the_last_offering_more():
    reply = Reply("\n".join(f"Ligne numero {n} du texte a afficher" for n in range(12)), end_session=True)
    screens = ussd.screens(reply, "Plus")
    assert len(screens) > 1
    assert all(s.text.endswith("98 Plus") and not s.end_session for s in screens[:-1])
    assert screens[-1].end_session and all(len(ussd.render(s)) <= 182 for s in screens)
    shown = "\n".join(s.text.removesuffix("\n98 Plus") for s in screens)
    assert shown == reply.text


def test_sms_rendering_lists_the_choices_in_gsm7_where_possible():
    text = sms.render(Reply("Votre lien :", options=("Moi-même", "Conjoint(e)")))
    assert text == "Votre lien :\n1 Moi-meme\n2 Conjoint(e)"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000), st.lists(st.text(max_size=300), max_size=12), st.booleans())
def test_any_reply_fits_on_screens_of_182_characters(text, options, end):
    screens = ussd.screens(Reply(text, end, tuple(options)), "Plus")
    rendered = [ussd.render(s) for s in screens]
    assert all(len(r) <= 182 and r[:4] in ("CON ", "END ") for r in rendered)
    assert [r.startswith("END ") for r in rendered] == [False] * (len(rendered) - 1) + [end]
