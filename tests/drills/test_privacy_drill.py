"""The privacy drill: orders paid by card over USSD, SMS and WhatsApp in every language, through a real HTTP server
(so that its access log is real), the jobs run; then the whole PostgreSQL dump (pg_dump), every Redis key and value
(RQ jobs decoded) and every log and access-log line are read. No card PIN may be anywhere, a whole phone number
in the database only in the columns the README lists as needing one, and in no log line. (Redis keys the short-lived
conversation sessions by contact, as the README says.)"""
from __future__ import annotations

import itertools
import logging
import pickle
import re
import subprocess
import threading
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from app import create_app
from orders_core.references import format_reference
from orders_core.services import order_for_reference, place_order
from payments_sms import activate_cards, generate_batch
from payments_sms.pins import format_pin
from tests.channels.harness import BASE_URL, KEY, TOKEN, secured
from web.demo import draft

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

README = Path(__file__).resolve().parents[2] / "README.md"
_ids = itertools.count(1)
# (language, USSD menu choice, card word, phone) for each language a citizen pays in.
LANGUAGES = [("fr", "1", "CARTE", "+212611000001"), ("ar", "2", "بطاقة", "+212611000002"),
             ("en", "3", "CARD", "+212611000003"), ("darija", "1", "karta", "+212611000004")]
SUPPORT_PASSWORD = "a long support password for the drill"


def phone_columns() -> set[tuple[str, str]]:
    """The columns the README lists as holding whole phone numbers (the line that starts so)."""
    line = next(line for line in README.read_text(encoding="utf-8").splitlines()
                if line.startswith("Whole phone numbers are stored only in"))
    return set(re.findall(r"`([a-z_]+)\.([a-z_]+)`", line))


class Server:
    """The app behind werkzeug's HTTP server in a thread: requests really go over a socket and are access-logged."""

    def __init__(self, app):
        self.http = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.http.server_port}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()
        self.session = requests.Session()

    def post(self, path: str, data: dict, **headers) -> requests.Response:
        return self.session.post(self.base + path, data=data, headers=headers, timeout=30)

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=30)

    def stop(self) -> None:
        self.http.shutdown()
        self.thread.join(5)


class Citizen:
    """One citizen's phone: SMS to the short code, a USSD session, WhatsApp."""

    def __init__(self, server: Server, phone: str):
        self.server, self.phone = server, phone
        self.session = f"ATUid_privacy_{next(_ids)}"

    def sms(self, text: str) -> None:
        form = {"from": self.phone, "to": "1919", "text": text, "date": "2026-12-03 10:00:00",
                "id": f"ATXid_privacy_{next(_ids)}", "networkCode": "60400"}
        assert self.server.post(f"/webhooks/africastalking/sms?key={KEY}", form).status_code == 200

    def ussd(self, *inputs: str) -> str:
        form = {"sessionId": self.session, "serviceCode": "*123#", "phoneNumber": self.phone,
                "networkCode": "60400", "text": "*".join(inputs)}
        answer = self.server.post(f"/webhooks/africastalking/ussd?key={KEY}", form)
        assert answer.status_code == 200
        return answer.text

    def whatsapp(self, text: str) -> None:
        sid = f"SM{next(_ids):032x}"
        form = {"MessageSid": sid, "AccountSid": "AC" + "1" * 32, "From": f"whatsapp:{self.phone}",
                "To": "whatsapp:+14155238886", "Body": text, "NumMedia": "0", "WaId": self.phone[1:],
                "ProfileName": "Salma"}
        path = "/webhooks/twilio/whatsapp"
        signature = RequestValidator(TOKEN).compute_signature(BASE_URL + path, form)
        assert self.server.post(path, form, **{"X-Twilio-Signature": signature}).status_code == 200


def redis_dump(redis) -> str:
    """Every key and value of the Redis db, RQ job payloads unpacked (zlib + pickle), as one text."""
    out = []
    for key in redis.scan_iter(count=1000):
        kind = redis.type(key).decode()
        if kind == "string":
            values = [redis.get(key)]
        elif kind == "hash":
            values = [f"{k!r}={_unpacked(v)}" for k, v in redis.hgetall(key).items()]
        elif kind == "list":
            values = redis.lrange(key, 0, -1)
        elif kind == "set":
            values = list(redis.smembers(key))
        elif kind == "zset":
            values = [m for m, _ in redis.zrange(key, 0, -1, withscores=True)]
        else:
            values = [f"<{kind}>"]
        out.append(f"{key!r}: " + " ".join(v if isinstance(v, str) else v.decode("utf-8", "replace")
                                           for v in values))
    return "\n".join(out)


def _unpacked(value: bytes) -> str:
    """An RQ job's `data` (compressed pickle of the call) in readable form; any other value as text."""
    try:
        return repr(pickle.loads(zlib.decompress(value)))
    except Exception:  # not a job payload: the bytes themselves
        return value.decode("utf-8", "replace")


def pg_dump(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(["pg_dump", "--data-only", "--no-owner", url], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout


def columns_of(dump: str) -> dict[tuple[str, str], str]:
    """The dump's COPY blocks read back: every column of every table, its values joined."""
    found, current = {}, None
    for line in dump.splitlines():
        start = re.match(r"COPY public\.(\w+) \((.*)\) FROM stdin;", line)
        if start:
            current = (start.group(1), [c.strip().strip('"') for c in start.group(2).split(",")])
        elif line == "\\.":
            current = None
        elif current:
            for column, value in zip(current[1], line.split("\t")):
                found[(current[0], column)] = found.get((current[0], column), "") + "|" + value
    return found


def phone_forms(phone: str) -> list[str]:
    return [phone, phone[1:], "0" + phone[4:], phone[4:]]


def pin_forms(pin: str) -> list[str]:
    return [pin, pin[:14], format_pin(pin), pin[-9:]]


@pytest.fixture
def drill(services, caplog):
    caplog.set_level(logging.DEBUG)
    client_log = logging.getLogger("urllib3")  # the drill's own HTTP client (its URLs): not the service's logs
    before = client_log.level
    client_log.setLevel(logging.WARNING)
    secured(services)
    services.settings = replace(services.settings, webhook_phone_limit="1000 per minute")
    server = Server(create_app({"services": services}))
    yield server
    server.stop()
    client_log.setLevel(before)


def cards(services, count: int) -> list:
    printed = []
    summary = generate_batch(services.uow(), services.settings.card_pin_secret, 5000, count, "finance", 730,
                             printed.extend)
    activate_cards(services.uow(), batch_id=summary.batch_id)
    return printed


def test_no_pin_anywhere_and_phone_numbers_only_where_the_readme_says(services, drill, caplog):
    printed = iter(cards(services, 4 * len(LANGUAGES) + 2))
    pins, paid, redis_seen = [], [], []

    def pay(reference_of, how):
        card = next(printed)
        pins.append(card.pin)
        how(card.pin)
        paid.append(reference_of)

    for lang, menu, word, phone in LANGUAGES:
        citizen = Citizen(drill, phone)
        # USSD first (a number new to the service is asked its language there), its order the only one unpaid.
        ussd_order = place_order(services.uow(), services.settings.prices, draft(phone=phone))
        def ussd(pin):
            steps = [(), (menu,), (menu, "4"), (menu, "4", "1"), (menu, "4", "1", "1"), (menu, "4", "1", "1", pin)]
            screens = [citizen.ussd(*inputs) for inputs in steps]
            assert screens[-1].startswith("END "), screens
            redis_seen.append(redis_dump(services.redis))  # the session's dedup marks and answers
        pay(ussd_order.reference, ussd)
        sms_order, split_order, wa_order = (place_order(services.uow(), services.settings.prices, draft(phone=phone))
                                            for _ in range(3))
        pay(sms_order.reference, lambda pin: citizen.sms(f"{word} {sms_order.reference} {format_pin(pin)}"))
        redis_seen.append(redis_dump(services.redis))  # the answer jobs queued, not yet run
        services.drain()

        def split(pin, ref=split_order.reference):
            citizen.sms(f"{word} {format_reference(ref)}")
            services.drain()
            citizen.sms(pin)
        pay(split_order.reference, split)

        pay(wa_order.reference, lambda pin: citizen.whatsapp(f"{word} {wa_order.reference} {pin}"))
        redis_seen.append(redis_dump(services.redis))
        services.drain()

    mistyped, wrong = next(printed).pin, next(printed).pin
    late = place_order(services.uow(), services.settings.prices, draft(phone="+212611000009"))
    Citizen(drill, "+212611000009").sms(f"CARTE {late.reference} {mistyped[:-1]}{(int(mistyped[-1]) + 1) % 10}")
    Citizen(drill, "+212611000009").ussd("1", "4", "1", "1", wrong[:6] + "00000" + wrong[11:])
    pins += [mistyped, wrong]
    redis_seen.append(redis_dump(services.redis))
    services.drain()
    _support_looks_a_citizen_up(services, drill)

    with services.uow() as uow:
        unpaid = [ref for ref in paid if order_for_reference(uow, ref).status != "received"]
    assert not unpaid, f"orders the drill did not pay: {[paid.index(ref) for ref in unpaid]} of {len(paid)}"
    dump = pg_dump(services.settings.database_url)
    columns = columns_of(dump)
    redis_seen.append(redis_dump(services.redis))
    redis_text = "\n".join(redis_seen)
    logs = "\n".join([caplog.text] + [r.getMessage() for r in caplog.records])
    _check_the_drill_saw_everything(dump, columns, redis_text, logs)

    for pin in pins:
        for written in pin_forms(pin):
            assert written not in dump, f"a card PIN is in the database dump: {_around(dump, written)}"
            assert written not in redis_text, f"a card PIN is in Redis: {_around(redis_text, written)}"
            assert written not in logs, f"a card PIN is in the logs: {_around(logs, written)}"
    assert "[PIN]" in columns[("sms_messages", "text")]  # the texts are kept, their PINs marked
    allowed = phone_columns()
    for *_, phone in LANGUAGES:
        for written in phone_forms(phone):
            holders = {place for place, text in columns.items() if written in text}
            assert holders <= allowed, f"{written} stored outside the README's columns: {holders - allowed}"
            assert written not in logs.replace(" ", ""), f"a whole phone number is logged: {_around(logs, written)}"


def _support_looks_a_citizen_up(services, server: Server) -> None:
    """Support searches a citizen by phone (the form posts), and someone tries the old GET with the number."""
    from orders_core.services import create_user
    from staff.passwords import hash_password
    create_user(services.uow(), "support-drill", "Support", hash_password(SUPPORT_PASSWORD), "support")
    token = re.search(r'name="csrf_token" value="([^"]+)"', server.get("/staff/login").text).group(1)
    server.post("/staff/login", {"username": "support-drill", "password": SUPPORT_PASSWORD, "csrf_token": token})
    page = server.get("/staff/lookup").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    found = server.post("/staff/lookup", {"q": LANGUAGES[0][3], "csrf_token": token})
    assert found.status_code == 200 and "/staff/orders/" in found.text
    assert server.get(f"/staff/lookup?q=%2B{LANGUAGES[1][3][1:]}").status_code == 200


def _check_the_drill_saw_everything(dump, columns, redis_text, logs) -> None:
    """The stores and logs read are the real ones, full of the drill's traffic (else the checks prove nothing)."""
    assert len(columns) > 100 and "COPY public.sms_messages" in dump
    assert "answer_sms" in redis_text and "answer_whatsapp" in redis_text and "ussd" in redis_text
    assert "POST /webhooks/africastalking/sms?key=[redacted]" in logs, "no access log was captured"
    assert "/staff/lookup?q=[redacted]" in logs and KEY not in logs


def _around(text: str, found: str) -> str:
    at = text.find(found)
    return repr(text[max(0, at - 120):at + 60])
