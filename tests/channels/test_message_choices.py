"""Choices are numbered in one place, whatever renders them."""
from channels import sms, ussd, whatsapp
from channels.message import Reply, choices
from dialog.steps import numbered


def test_choices_are_numbered_from_one_unless_they_bring_their_key():
    assert choices(["Suivre", ("0", "Menu"), "Aide"]) == [("1", "Suivre"), ("0", "Menu"), ("3", "Aide")]
    assert numbered(["a", "b"]) == (("1", "a"), ("2", "b"))


def test_every_channel_writes_the_same_keys():
    reply = Reply("Choisissez :", options=("Suivre", ("0", "Menu")))
    assert sms.render(reply) == "Choisissez :\n1 Suivre\n0 Menu"
    assert whatsapp.render(reply) == "Choisissez :\n*1* Suivre\n*0* Menu"
    assert ussd.lines_of(reply) == ["Choisissez :", "1 Suivre", "0 Menu"]
