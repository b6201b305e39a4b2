"""The shared webhook harness: every provider endpoint runs the same table of cases through it.

Each endpoint declares its path, how it is authenticated (URL key or signature), a valid form, its required
fields, its phone field and how to see its effect. The harness adds, for every endpoint: valid, duplicate, each
required field missing, bad/missing/old key or signature, odd phone formats, unknown parameters. Around every
test it fails any real network call (`responses` with nothing registered, and a socket guard) and any log line
holding a secret or a whole phone number.
"""
from __future__ import annotations

import itertools
import logging
import socket
import uuid
from dataclasses import dataclass, replace
from typing import Callable

import pytest
import responses
from twilio.request_validator import RequestValidator

__all__ = [
    "KEY", "OLD_KEY", "TOKEN", "BASE_URL", "PHONE", "Endpoint", "Case", "ENDPOINTS", "cases", "post", "secured",
    "guarded", "queued", "odd_phones",
]

KEY = "k3y-Pq7vR2xW9zL4mN8bT6cY1dF5gH0jK"  # 2 keys during a rotation: the new one and the old one
OLD_KEY = "0ld-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj"
TOKEN = "twilio-auth-token-for-tests-0123456789"
BASE_URL = "https://shubbak.example.ma"
PHONE = "+212612345678"
# Pieces of the test number that must never appear in a log line (a masked number keeps 5 + 4 characters).
_PHONE_PIECES = ("212612345678", "612345678", "0612345678")
_SECRETS = (KEY, OLD_KEY, TOKEN)
_run = uuid.uuid4().hex[:8]  # message ids unique across test sessions sharing one Redis
_ids = itertools.count(1)


@dataclass(frozen=True)
class Endpoint:
    name: str
    provider: str
    path: str
    scheme: str  # "key" (Africa's Talking) or "signature" (Twilio)
    form: Callable[[], dict]  # a valid form, with fresh ids
    required: tuple[str, ...]
    phone_field: str | None = None
    dedup: bool = True
    effect: Callable = lambda services, form: None  # what the request changed, to compare before and after
    prepare: Callable = lambda client, form: None  # what must exist before the request (a USSD session)


def _ussd_form() -> dict:
    return {"sessionId": f"ATUid_{_run}_{next(_ids)}", "serviceCode": "*123#", "phoneNumber": PHONE,
            "networkCode": "60400", "text": ""}


def _ussd_end_form() -> dict:
    return {"sessionId": f"ATUid_{_run}_{next(_ids)}", "serviceCode": "*123#", "networkCode": "60400",
            "phoneNumber": PHONE, "status": "Success", "cost": "KES 0.0000", "durationInMillis": "4300",
            "hopsCount": "2", "input": "1*1", "lastAppResponse": "END Merci", "errorMessage": "",
            "date": "2026-11-23 09:00:00"}


def _at_sms_form() -> dict:
    return {"from": PHONE, "to": "1919", "text": "AIDE", "date": "2026-11-23 09:00:00",
            "id": f"ATXid_{_run}_{next(_ids)}", "linkId": "SampleLinkId123", "networkCode": "60400"}


def _at_report_form() -> dict:
    return {"id": f"ATXid_{_run}_{next(_ids)}", "status": "Success", "phoneNumber": PHONE, "networkCode": "60400",
            "failureReason": "", "retryCount": "0"}


def _twilio_sms_form() -> dict:
    return {"MessageSid": f"SM{_run}{next(_ids):024x}", "AccountSid": "AC" + "0" * 32, "MessagingServiceSid": "",
            "From": PHONE, "To": "+15005550006", "Body": "HELP", "NumMedia": "0", "NumSegments": "1",
            "FromCountry": "MA", "ToCountry": "US", "SmsStatus": "received", "ApiVersion": "2010-04-01"}


def _twilio_status_form() -> dict:
    return {"MessageSid": f"SM{_run}{next(_ids):024x}", "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32,
            "From": "+15005550006", "To": PHONE, "ApiVersion": "2010-04-01", "SmsStatus": "delivered"}


def queued(services, form=None) -> int:
    """How many jobs wait in the queues (what an asynchronous callback leaves behind)."""
    return sum(len(services.queue(name)) for name in ("high", "default", "low"))


def _ussd_sessions(services, form=None) -> dict:
    """Every USSD session stored, with its state."""
    return {key: services.redis.get(key) for key in services.redis.keys("shubbak:dialog:ussd:*")}


def _dial(client, form) -> None:
    post(client, USSD, {**_ussd_form(), "sessionId": form.get("sessionId", "ATUid_dialled")})


USSD = Endpoint("at-ussd", "africastalking", "/webhooks/africastalking/ussd", "key", _ussd_form,
                ("sessionId", "serviceCode", "phoneNumber", "text"), "phoneNumber", effect=_ussd_sessions)
ENDPOINTS = (
    USSD,
    Endpoint("at-ussd-end", "africastalking", "/webhooks/africastalking/ussd/events", "key", _ussd_end_form,
             ("sessionId",), dedup=False, effect=_ussd_sessions, prepare=_dial),
    Endpoint("at-sms", "africastalking", "/webhooks/africastalking/sms", "key", _at_sms_form,
             ("from", "to", "text", "id"), "from", effect=queued),
    Endpoint("at-delivery", "africastalking", "/webhooks/africastalking/sms/delivery", "key", _at_report_form,
             ("id", "status"), effect=queued),
    Endpoint("twilio-sms", "twilio", "/webhooks/twilio/sms", "signature", _twilio_sms_form,
             ("MessageSid", "From", "To", "Body"), "From", effect=queued),
    Endpoint("twilio-status", "twilio", "/webhooks/twilio/status", "signature", _twilio_status_form,
             ("MessageSid", "MessageStatus"), effect=queued),
)


def post(client, endpoint: Endpoint, form: dict, auth: str = "good"):
    """Post a form the way the endpoint's provider does; `auth`: good, old, bad, none, tampered."""
    path, headers = endpoint.path, {}
    if endpoint.scheme == "key":
        key = {"good": KEY, "old": OLD_KEY, "bad": KEY[:-4] + "XXXX", "tampered": KEY + "x"}.get(auth)
        path += f"?key={key}" if key else ""
    else:
        signed = {**form, "Body": "changed after signing"} if auth == "tampered" else form
        token = TOKEN if auth in ("good", "old", "tampered") else "not-the-token"
        if auth != "none":
            headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(BASE_URL + path, signed)
    return client.post(path, data=form, headers=headers)


@dataclass(frozen=True)
class Case:
    """One row of the table: what to post, and the status it must get."""

    name: str
    form: Callable[[dict], dict] = lambda form: form
    auth: str = "good"
    status: int = 200
    changes: bool = True  # does the request have an effect
    missing: str | None = None  # the field the 400 must name


def odd_phones() -> tuple[str, ...]:
    """The test number written as people and providers write it."""
    return ("0612345678", "00212612345678", "212612345678", "+212 6 12 34 56 78", "+212-612-345-678")


def cases(endpoint: Endpoint) -> list[Case]:
    table = [Case("valid"), Case("unknown parameters", lambda f: {**f, "Foo": "bar", "ProfileName": "Salma"})]
    table += [Case("bad credential", auth="bad", status=403, changes=False),
              Case("no credential", auth="none", status=403, changes=False),
              Case("tampered", auth="tampered", status=403, changes=False)]
    if endpoint.scheme == "key":
        table.append(Case("old key during a rotation", auth="old"))
    for name in endpoint.required:
        table.append(Case(f"missing {name}", lambda f, n=name: {k: v for k, v in f.items() if k != n}, status=400,
                          changes=False, missing=name))
    if endpoint.phone_field:
        table += [Case(f"phone written {p!r}", lambda f, p=p, n=endpoint.phone_field: {**f, n: p})
                  for p in odd_phones()]
        table.append(Case("phone not a number", lambda f, n=endpoint.phone_field: {**f, n: "hello"}, status=400,
                          changes=False, missing=endpoint.phone_field))
    return table


def secured(services):
    """Configure both providers' secrets (two AT keys, as during a rotation) and the public URL."""
    services.settings = replace(services.settings, at_webhook_keys=(KEY, OLD_KEY), twilio_auth_token=TOKEN,
                                public_base_url=BASE_URL)
    return services


class _NetworkGuard:
    """Refuses any connection that leaves the machine (PostgreSQL and Redis on loopback stay allowed)."""

    def __init__(self):
        self.attempts: list = []
        self._connect = socket.socket.connect

    def connect(self, sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if sock.family != socket.AF_UNIX and host not in ("127.0.0.1", "::1", "localhost"):
            self.attempts.append(address)
            raise OSError(f"network call refused by the test harness: {address!r}")
        return self._connect(sock, address)


@pytest.fixture
def guarded(monkeypatch, caplog):
    """No real network call and no leaking log line during the test (checked at its end)."""
    guard = _NetworkGuard()
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: guard.connect(sock, address))
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        yield http
    assert not guard.attempts, f"real network calls: {guard.attempts}"
    unmatched = [call.request.url for call in http.calls if isinstance(call.response, Exception)]
    assert not unmatched, f"HTTP calls nothing stubbed: {unmatched}"
    _no_leak(caplog)


def _no_leak(caplog) -> None:
    lines = [caplog.text] + [record.getMessage() for record in caplog.records]
    for line in lines:
        for secret in _SECRETS:
            assert secret not in line, f"a secret reached the log: {line[:200]!r}"
        for piece in _PHONE_PIECES:
            assert piece not in line.replace(" ", ""), f"a whole phone number reached the log: {line[:200]!r}"
