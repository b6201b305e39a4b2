"""A whole SMS order through a real Kannel: bearerbox and smsbox started with tests/kannel/kannel.conf on free
ports, fakesmsc (kannel-extras) as the operator's side, the app served over HTTP on loopback.

Each SMS leaves fakesmsc, crosses bearerbox and smsbox, reaches the app through the sms-service's get-url; the
answer goes back through sendsms to fakesmsc, and Kannel's delivery reports come back through the dlr-url. CI
installs Debian's `kannel` and `kannel-extras` (.ci/run); without them this test is skipped, saying so.
"""
from __future__ import annotations

import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

import pytest
from werkzeug.serving import make_server

import bootstrap
from channels import records
from orders_core.model import Order
from sqlalchemy import select

FAKESMSC = next((p for p in (shutil.which("fakesmsc"), "/usr/lib/kannel/test/fakesmsc") if p and Path(p).exists()),
                None)
BEARERBOX = shutil.which("bearerbox") or ("/usr/sbin/bearerbox" if Path("/usr/sbin/bearerbox").exists() else None)
SMSBOX = shutil.which("smsbox") or ("/usr/sbin/smsbox" if Path("/usr/sbin/smsbox").exists() else None)
CONF = Path(__file__).with_name("kannel.conf")
PHONE = "+212612345678"
SHORT_CODE = "1919"
STEPS = ("COMMANDE", "2", "Rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal", "1")
# fakesmsc's line for each SMS it is given ("<from to text body>"); a body's further lines come as lines of their own.
_GOT = re.compile(r"Got message \d+: <(.*)>$")
# "<from to text body>", or a UCS-2 body (a part of a long one after its UDH) URL-encoded: "<from to [udh X] data body>".
_FIRST = re.compile(r"(\S+) (\S+) (?:udh \S+ )?(text|data) (.*)$")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (BEARERBOX and SMSBOX and FAKESMSC),
                       reason="Kannel is not installed (Debian's kannel and kannel-extras: bearerbox, smsbox, "
                              "fakesmsc); .ci/run installs them"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, timeout: float = 20.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Kannel:
    """bearerbox + smsbox on free ports, and fakesmsc started for each SMS a phone sends."""

    def __init__(self, directory: Path, app_url: str, key: str, password: str):
        self.dir, self.ports = directory, {name: free_port() for name in ("admin", "smsbox", "smsc", "sendsms")}
        conf = CONF.read_text().format(
            dir=directory, admin_port=self.ports["admin"], admin_password=secrets.token_hex(8),
            smsbox_port=self.ports["smsbox"], smsc_port=self.ports["smsc"], sendsms_port=self.ports["sendsms"],
            username="shubbak", password=password, app_url=app_url, key=key)
        self.conf = directory / "kannel.conf"
        self.conf.write_text(conf)
        self.boxes: list[subprocess.Popen] = []
        self.phone: subprocess.Popen | None = None
        self.phone_log = directory / "fakesmsc.log"

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms']}/cgi-bin/sendsms"

    def start(self) -> None:
        self.boxes.append(self._run([BEARERBOX, str(self.conf)], "bearerbox.out"))
        wait_for(lambda: listening(self.ports["smsbox"]), "bearerbox's smsbox port")
        self.boxes.append(self._run([SMSBOX, str(self.conf)], "smsbox.out"))
        wait_for(lambda: listening(self.ports["sendsms"]), "smsbox's sendsms port")

    def send(self, phone: str, text: str) -> None:
        """A phone sends one SMS to the short code: a fresh fakesmsc connects, sends it, stays to receive. Text
        outside Latin-1 goes as UCS-2, as a phone sends Arabic."""
        self.hang_up()
        self.phone_log.write_text("")
        kind, body = "text", text
        if any(ord(ch) > 0xFF for ch in text):
            kind, body = "ucs2", quote(text.encode("utf-16-be"), safe="")
        self.phone = self._run([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.ports["smsc"]), "-i", "0.1", "-m", "1",
                                f"{phone} {SHORT_CODE} {kind} {body}"], self.phone_log.name)

    def received(self) -> list[tuple[str, str, str]]:
        """The SMS fakesmsc was given: (from, to, text)."""
        got: list[list[str]] = []
        for line in self.phone_log.read_text(errors="replace").splitlines():
            shown = _GOT.search(line)
            first = _FIRST.match(shown.group(1)) if shown else None
            if first and first.group(1) == SHORT_CODE:
                sender, to, kind, body = first.groups()
                got.append([sender, to, unquote_to_bytes(body).decode("utf-16-be") if kind == "data" else body])
            elif shown and got:
                got[-1][2] += "\n" + shown.group(1)
        return [tuple(message) for message in got]

    def hang_up(self) -> None:
        if self.phone is not None:
            _stop(self.phone)
            self.phone = None

    def stop(self) -> None:
        self.hang_up()
        for box in reversed(self.boxes):
            _stop(box)

    def _run(self, command: list[str], log_name: str) -> subprocess.Popen:
        with open(self.dir / log_name, "ab") as log:
            return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def live(services, tmp_path):
    """The app on a free loopback port, wired to a running Kannel (its kannel_* settings from Kannel's ports)."""
    from app import create_app

    port, key, password = free_port(), secrets.token_hex(16), secrets.token_hex(12)
    app_url = f"http://127.0.0.1:{port}"
    kannel = Kannel(tmp_path, app_url, key, password)
    services.settings = replace(services.settings, sms_providers=("kannel",), public_base_url=app_url,
                                kannel_sendsms_url=kannel.sendsms_url, kannel_username="shubbak",
                                kannel_password=password, kannel_from=SHORT_CODE, kannel_webhook_keys=(key,))
    bootstrap.wire(services, fresh=True)  # the root builds the senders from the changed settings
    server = make_server("127.0.0.1", port, create_app({"services": services}), threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        kannel.start()
        yield kannel
    finally:
        kannel.stop()
        server.shutdown()
        serving.join(timeout=10)
        server.server_close()


def incoming(services) -> int:
    return sum(1 for m in records.conversation(services.uow(), PHONE, limit=500) if m["direction"] == "in")


def test_a_whole_sms_order_through_kannel(live, services):
    replies = []
    for number, text in enumerate(STEPS, 1):
        live.send(PHONE, text)
        wait_for(lambda: incoming(services) >= number, f"the app to get SMS {number} ({text!r}) from Kannel")
        services.drain()  # the answer is made, then sent through sendsms
        wait_for(live.received, f"fakesmsc to get the answer to {text!r}")
        time.sleep(0.3)  # the answer's further lines, and any further SMS of it
        got = live.received()
        assert {(sender, to) for sender, to, _ in got} == {(SHORT_CODE, PHONE)}
        replies.append(" ".join(body for _, _, body in got))
    assert "Quel document" in replies[0] and "Total 25 MAD" in replies[-2]
    with services.uow() as uow:
        [order] = uow.session.execute(select(Order)).scalars().all()
        assert (order.total, order.channel, order.requester_contact) == (2500, "sms", PHONE)
        assert order.reference[:3] in replies[-1]

    def all_delivered():
        services.drain()  # the delivery reports Kannel sent to the dlr-url, applied
        out = [m for m in records.conversation(services.uow(), PHONE, limit=500) if m["direction"] == "out"]
        return len(out) == len(STEPS) and all(m["provider"] == "kannel" for m in out) and \
            all(m["status"] == "delivered" for m in out)

    wait_for(all_delivered, "Kannel's delivery reports of every reply", every=0.2)


def test_an_arabic_sms_through_kannel_is_read_and_answered_in_arabic(live, services):
    live.send(PHONE, "طلب")
    wait_for(lambda: incoming(services) >= 1, "the app to get the Arabic SMS from Kannel")
    [received] = [m for m in records.conversation(services.uow(), PHONE) if m["direction"] == "in"]
    assert received["text"] == "طلب"
    services.drain()
    wait_for(live.received, "fakesmsc to get the Arabic answer")
    time.sleep(0.3)  # every part of it
    answer = "".join(text for _, _, text in live.received())
    assert "وثيقة" in answer, answer  # "which document?", sent as UCS-2 in concatenated parts
