"""STOP and START on WhatsApp: the WhatsApp contact is opted out of WhatsApp (not of SMS), confirmed once, and
still answered when it writes."""
from notifications.optouts import opt_outs_of

from .conftest import guarded  # noqa: F401 (fixture)


def standing(services, contact="+212612345678"):
    with services.uow() as uow:
        return {o.channel: o.opted_out for o in opt_outs_of(uow, [contact])}


def test_stop_on_whatsapp_opts_out_of_whatsapp_only_and_is_confirmed_once(phone, services, guarded):  # noqa: F811
    assert "START" in phone.send("STOP")
    assert standing(services) == {"whatsapp": True}
    assert phone.send("Stop") == ""  # confirmed once
    assert phone.send("AIDE") != ""  # what they write is still answered


def test_arabic_stop_and_start_on_whatsapp(phone, services, guarded):  # noqa: F811
    assert "ابدأ" in phone.send("توقف")
    assert "ستصلك" in phone.send("ابدأ")
    assert standing(services) == {"whatsapp": False}
