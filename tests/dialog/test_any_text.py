"""Arbitrary text (any unicode, up to 10,000 characters) at every step of every flow, on USSD and on SMS:
never an exception, and every USSD answer starts with CON or END and fits 160 octets."""
import json

from hypothesis import HealthCheck, given, settings, strategies as st

from channels.message import Inbound
from channels.ussd import octets
from jobs.conversations import answer_sms, plain
from orders_core.services import place_order
from web.demo import draft

from .conftest import PHONE, SmsPhone, UssdPhone, drain, guarded

__all__ = ["guarded"]

# Walks that reach every step of every flow, from the main menu ("" is the dial / the first SMS).
USSD_WALKS = (
    ("", "1", "1", "5", "3", "1", "1", "rabat", "1", "12 1990", "Amrani Salma", "1", "2", "FR",
     "Paris, 1 rue de Paris"),
    ("", "2"), ("", "6"), ("", "3", "1"), ("", "3", "2"), ("", "5", "1", "1"), ("", "4"), ("", "8"),
)
SMS_WALKS = (
    ("COMMANDE", "5", "3", "1", "1", "rabat", "1", "12 1990", "Amrani Salma", "1", "2", "FR",
     "Paris, 1 rue de Paris"),
    ("REFAIRE",), ("SUIVI", "1"), ("SUIVI", "2"), ("RECLAMATION", "1", "1"), ("PAYER",), ("LANGUE",), ("MENU",),
)
EVERY_STEP = {
    ("language", "choose"), ("menu", "main"), ("order", "document"), ("order", "kind"), ("order", "copies"),
    ("order", "office"), ("order", "office_pick"), ("order", "record"), ("order", "holder"), ("order", "relation"),
    ("order", "address"), ("order", "country"), ("order", "address_abroad"), ("order", "summary"), ("repeat", "pick"),
    ("track", "how"), ("track", "reference"), ("track", "mine"), ("complain", "order"), ("complain", "category"), ("complain", "text"), ("pay", "which"),
}
NASTY = ("", "0", "00", "98", "1*2", "²", "١", "é" * 10_000, "\x00\x01\x7f", "🙂" * 500, "السلام عليكم",
         "'; DROP TABLE orders; --%_\\", "\u202e\u200f", "9" * 10_000)
# Any unicode text; long ones are a random text repeated up to 10,000 characters (Hypothesis draws short ones).
LONG_TEXT = st.text(max_size=400) | st.tuples(st.text(min_size=1, max_size=60), st.integers(1, 10_000)).map(
    lambda drawn: (drawn[0] * drawn[1])[:10_000])
FEW = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def snapshots(services, prefix: str, flow: str | None = None, paths: dict | None = None) -> dict:
    """The stored session of every conversation under `prefix` (of one flow, if given), by the step it is at, with
    the USSD path its phone had typed (`paths`: session id -> inputs joined by "*", as Africa's Talking sends)."""
    found = {}
    for key in services.redis.keys(prefix + "*"):
        raw = services.redis.get(key)
        state = json.loads(raw) if raw else {}
        if state and flow in (None, state["flow"]):
            key = key.decode()
            found[(state["flow"], state["step"])] = (key, raw, (paths or {}).get(key.rsplit(":", 1)[-1]))
    return found


def any_text_at_each_ussd_step(services, client, url: str, steps: dict, examples=FEW, phone: str = PHONE) -> None:
    """Put each stored USSD session back and answer it with every nasty text, then with Hypothesis's: a polite
    CON/END screen within USSD's length each time, never the edge's answer to an exception."""

    def answer(step, text):
        key, state, path = steps[step]
        services.redis.set(key, state)
        response = client.post(url, data={
            "sessionId": key.rsplit(":", 1)[-1], "serviceCode": "*123#", "phoneNumber": phone,
            "text": f"{path}*{text}" if path else text})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and body[:4] in ("CON ", "END ") and octets(body[4:]) <= 160, body
        assert "indisponible" not in body  # the edge's answer to an exception

    for step in sorted(steps):
        for text in NASTY:
            answer(step, text)
    given(st.sampled_from(sorted(steps)), LONG_TEXT)(examples(answer))()


def _placed_order(services) -> None:
    place_order(services.uow(), services.settings.prices, draft(phone=PHONE))


def test_any_text_at_any_ussd_step(client, services, guarded):
    _placed_order(services)
    steps, paths = {}, {}
    for walk in USSD_WALKS:
        phone = UssdPhone(client)
        phone.dial()
        for typed in walk[1:]:
            paths[phone.session] = phone.path
            steps.update(snapshots(services, "shubbak:dialog:ussd:", paths=paths))
            phone.press(typed)
        paths[phone.session] = phone.path
        steps.update(snapshots(services, "shubbak:dialog:ussd:", paths=paths))
    assert set(steps) >= EVERY_STEP, EVERY_STEP - set(steps)
    any_text_at_each_ussd_step(services, client, "/webhooks/africastalking/ussd", steps)


def test_any_text_at_any_sms_step(client, services, guarded):
    _placed_order(services)
    phone, steps = SmsPhone(client, services), {}
    phone.send("AIDE")
    for walk in SMS_WALKS:
        for typed in walk:
            phone.send(typed)
            steps.update(snapshots(services, "shubbak:dialog:sms:"))
        services.redis.delete(f"shubbak:dialog:sms:{PHONE}")
    assert set(steps) - {("menu", "main"), ("language", "choose")} >= EVERY_STEP - {("menu", "main"),
                                                                                      ("language", "choose")}
    steps[("idle", None)] = (f"shubbak:dialog:sms:{PHONE}", None, None)

    def answer(step, text):
        key, state, _ = steps[step]
        if state is None:
            services.redis.delete(key)
        else:
            services.redis.set(key, state)
        inbound = Inbound("sms", "africastalking", PHONE, text, provider_message_id=f"any-{id(text)}-{len(text)}",
                          phone=PHONE)
        assert answer_sms(plain(inbound)) in ("queued", "quiet", "answered already")

    for step in sorted(steps, key=str):
        for text in NASTY:
            answer(step, text)
    given(st.sampled_from(sorted(steps, key=str)), LONG_TEXT)(FEW(answer))()
    drain(services)
