"""Sessions stored by an earlier release still load: a field no longer kept (USSD's `path`, which the gateway's
inputs replaced) is ignored, not a crash of the citizen's next message."""
import json

from dialog.sessions import Session, SessionStore


def test_a_session_stored_with_a_field_no_longer_kept_still_loads(redis_conn):
    store = SessionStore(redis_conn, prefix="test:old-sessions:")
    old = {"flow": "order", "step": "office", "data": {"kind": "summary"}, "history": [], "pages": [],
           "path": "1*2", "lang": "fr", "touched": None, "checked": None, "waiting": None}
    redis_conn.set("test:old-sessions:ussd:x", json.dumps(old))
    loaded = store.load("ussd:x")
    assert (loaded.flow, loaded.step, loaded.data, loaded.lang) == ("order", "office", {"kind": "summary"}, "fr")
    assert "path" not in json.loads(loaded.to_json())


def test_a_session_survives_its_own_round_trip():
    session = Session("sms:+212612345678", flow="track", step="ref", data={"ref": "R1"}, lang="ar")
    again = Session.from_json(session.key, session.to_json())
    assert (again.flow, again.step, again.data, again.lang) == ("track", "ref", {"ref": "R1"}, "ar")
