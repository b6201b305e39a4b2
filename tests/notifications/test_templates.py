"""Every message kind has its text in Arabic, French and English, within its SMS budget; citizens' French and
English texts fit one segment (Arabic, at 70 characters a segment, may take two)."""
import pytest

from texts import LANGUAGES, Catalogs, count, placeholders

CATALOGS = Catalogs.load()
CITIZEN_KINDS = (
    "order_placed", "payment_complete", "payment_partial", "payment_credited", "order_received",
    "rejected_record_not_found", "rejected_incomplete_data", "rejected_not_entitled", "order_dispatched",
    "order_delivered", "complaint_filed", "complaint_resolved", "complaint_dismissed",
)
STAFF_KINDS = ("agent_digest", "late_orders", "complaint_assigned")
AGENT_REPLIES = (
    "taken", "ready", "dispatched", "rejected", "usage", "check_number", "unknown_reference", "not_your_office",
    "wrong_stage", "already_taken", "not_allowed", "bad_barcode", "bad_reason", "try_again",
)
# Long but realistic values: the longest reference list a digest shows, the longest office names there are.
VALUES = {
    "ref": "261 148 273 5", "amount": "1 240,50", "short_code": "1919", "barcode": "RR123456785MA",
    "office": "Bureau d'état civil Marrakech-Sidi Youssef Ben Ali", "count": "137",
    "refs": "261 148 273 5, 712 000 431 8, 512 334 901 2, 300 118 447 6, 845 221 090 3...",
}
OFFICE_AR = "مكتب الحالة المدنية الدار البيضاء الصخور السوداء"


def values(lang: str) -> dict:
    return {**VALUES, "office": OFFICE_AR} if lang == "ar" else VALUES
KEYS = [f"notify.{kind}" for kind in CITIZEN_KINDS + STAFF_KINDS] + [f"agent.{name}" for name in AGENT_REPLIES]


@pytest.mark.parametrize("key", KEYS)
def test_every_message_kind_has_a_budgeted_text_in_every_language(key):
    assert CATALOGS.budget(key) in (1, 2), f"{key} needs an sms-1 or sms-2 flag"
    for lang in LANGUAGES:
        assert key in CATALOGS.keys(lang), f"{key} is missing in {lang}"
        text = CATALOGS.text(lang, key, **values(lang))
        assert count(text).segments <= CATALOGS.budget(key), f"{lang} {key}: {text!r}"


@pytest.mark.parametrize("kind", CITIZEN_KINDS)
def test_a_citizen_s_french_or_english_message_is_one_segment(kind):
    for lang in ("fr", "en"):
        text = CATALOGS.text(lang, f"notify.{kind}", **VALUES)
        assert count(text).segments == 1, f"{lang} {kind} costs {count(text)}: {text!r}"


def test_a_support_reply_has_a_text_in_every_language_that_carries_the_reply():
    for lang in LANGUAGES:
        assert placeholders(CATALOGS.template(lang, "notify.support_reply")) == {"text"}
