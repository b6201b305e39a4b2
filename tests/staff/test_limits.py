"""Rate limits (Flask-Limiter, in Redis): staff logins per address and per account, webhook floods per phone number,
the simulator. Over a limit: 429 with a message, a polite USSD END; a stranger never locks an account out."""
import itertools
import time
from dataclasses import replace

import pytest

from app import create_app

from .conftest import PASSWORD, StaffClient

_ids = itertools.count(1)


def app_with(services, **limits):
    services.settings = replace(services.settings, **limits)
    return create_app({"services": services})


def desk_from(app, address: str) -> StaffClient:
    """A browser at this client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return StaffClient(client)


def test_a_burst_of_logins_from_one_address_is_told_to_wait(services, people):
    desk = desk_from(app_with(services, login_limit="10 per minute"), "10.0.0.7")
    answers = [desk.login("agent", "wrong").status_code for _ in range(40)]
    assert answers[:5] == [401] * 5 and answers[-1] == 429 and answers.count(429) >= 30
    assert "patientez quelques secondes" in desk.login("agent").get_data(as_text=True)


def test_a_stranger_failing_on_an_account_does_not_lock_its_owner_out(services, people):
    app = app_with(services)
    stranger, admin = desk_from(app, "203.0.113.9"), desk_from(app, "10.0.0.1")
    assert [stranger.login("admin", "guess").status_code for _ in range(6)][-1] == 429  # that pair is locked
    assert admin.login("admin").status_code == 302


def test_an_account_failing_from_many_addresses_is_slowed_down_not_locked(services, people):
    app = app_with(services, login_account_failures=6, login_slow_limit="1 per 2 seconds")
    for n in range(6):
        assert desk_from(app, f"198.51.100.{n}").login("admin", "guess").status_code == 401
    owner = desk_from(app, "10.0.0.1")
    owner.login("admin", "typo")  # one attempt goes through...
    slowed = owner.login("admin")  # ...the next, at once, is told to wait
    assert slowed.status_code == 429 and "patientez" in slowed.get_data(as_text=True)
    time.sleep(2.1)
    assert owner.login("admin", PASSWORD).status_code == 302  # slowed, never locked
    assert desk_from(app, "10.0.0.2").login("agent").status_code == 302  # other accounts go at full speed


def _sms(phone: str) -> dict:
    return {"from": phone, "to": "1919", "text": "AIDE", "date": "2026-11-23 09:00:00",
            "id": f"ATXid_flood_{next(_ids)}", "networkCode": "60400"}


def test_a_flood_of_sms_from_one_number_is_refused_with_429_and_others_pass(services):
    client = app_with(services, webhook_phone_limit="20 per minute").test_client()
    codes = [client.post("/webhooks/africastalking/sms", data=_sms("+212612345678")).status_code
             for _ in range(150)]
    assert codes[:20] == [200] * 20 and set(codes[20:]) == {429}
    refused = client.post("/webhooks/africastalking/sms", data=_sms("+212612345678"))
    assert refused.get_json()["error"] == "too_many_requests" and "wait" in refused.get_json()["message"]
    assert client.post("/webhooks/africastalking/sms", data=_sms("+212698765432")).status_code == 200


def test_delivery_reports_are_never_counted_as_a_flood(services):
    client = app_with(services, webhook_phone_limit="3 per minute").test_client()
    for n in range(10):  # Twilio's status callbacks all come "From" the service's own number
        report = {"MessageSid": f"SM{n:032x}", "MessageStatus": "delivered", "From": "+15005550006",
                  "To": "+212612345678", "AccountSid": "AC" + "0" * 32}
        assert client.post("/webhooks/twilio/status", data=report).status_code == 200


def test_a_flood_of_ussd_steps_from_one_number_gets_a_polite_end(services):
    client = app_with(services, webhook_phone_limit="5 per minute").test_client()
    answers = [client.post("/webhooks/africastalking/ussd", data={
        "sessionId": f"ATUid_flood_{next(_ids)}", "serviceCode": "*123#", "phoneNumber": "+212612345678",
        "networkCode": "60400", "text": ""}) for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 8
    assert answers[0].get_data(as_text=True).startswith("CON ")
    assert answers[-1].get_data(as_text=True).startswith("END ")


def test_one_number_s_sms_and_ussd_steps_count_against_the_same_limit(services):
    client = app_with(services, webhook_phone_limit="3 per minute").test_client()
    assert [client.post("/webhooks/africastalking/sms", data=_sms("+212612345678")).status_code
            for _ in range(2)] == [200, 200]
    answers = [client.post("/webhooks/africastalking/ussd", data={
        "sessionId": f"ATUid_flood_{next(_ids)}", "serviceCode": "*123#", "phoneNumber": "+212612345678",
        "networkCode": "60400", "text": ""}).get_data(as_text=True) for _ in range(2)]
    assert [a[:4] for a in answers] == ["CON ", "END "]
    assert client.post("/webhooks/africastalking/sms", data=_sms("+212612345678")).status_code == 429


def test_the_rate_limit_counters_hold_no_whole_phone_number(services):
    if services.settings.embedded_redis:
        pytest.skip("counted in memory on the embedded default")
    client = app_with(services, webhook_phone_limit="20 per minute").test_client()
    client.post("/webhooks/africastalking/sms", data=_sms("+212612345678"))
    keys = [k.decode() for k in services.redis.scan_iter("*shubbak:limit*")]
    assert keys and not any("612345678" in k for k in keys)


def test_the_simulator_is_rate_limited_per_address(services):
    client = app_with(services, simulator="1", simulator_limit="3 per minute").test_client()
    codes = [client.post("/simulator/sms", json={"text": "AIDE"}).status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and codes[-1] == 429
