"""The staff view's texts: every key it shows exists in Arabic, French and English; Arabic pages read right to left."""
import re
from inspect import isfunction
from pathlib import Path

import pytest

from orders_core.lifecycle import Role, Status
from orders_core.services import CATEGORIES, REJECTION_REASONS
from orders_core.services.complaints import COMPLAINT_TRANSITIONS
from orders_core.services.support import REASONS
from orders_core.validation import CALENDARS, CHANNELS, RELATIONS
from payments_sms.model import CardStatus, ChargeStatus
from staff import access, admin, agent_code, auth, cards, complaints, finance, inspection, office, presentation, support
from texts import Catalogs

STAFF = Path(__file__).resolve().parents[2] / "staff"
CATALOGS = Catalogs.load()
LANGUAGES = ("ar", "fr", "en")
# Keys written whole in templates and code ("staff.x.y"); view endpoints ("staff.office.queue") look alike.
ENDPOINTS = {f"staff.{module.bp.name}.{name}" for module in (admin, agent_code, auth, cards, complaints, finance,
                                                             inspection, office, support)
             for name, view in vars(module).items()
             if isfunction(view) and (hasattr(view, "staff_roles") or hasattr(view, "staff_public"))}
LITERAL_KEYS = sorted({key for path in [*STAFF.glob("*.py"), *STAFF.glob("templates/staff/*.html")]
                       for key in re.findall(r"""["'](staff\.[a-z_]+\.[a-z_]*[a-z])["']""", path.read_text("utf-8"))
                       } - ENDPOINTS)
DOMAIN_TERMS = {
    "status": list(Status), "role": list(Role), "channel": [*CHANNELS, "system"], "document": ["extract", "full_copy"],
    "relation": RELATIONS, "calendar": CALENDARS, "rejection": REJECTION_REASONS, "category": CATEGORIES,
    "complaint": [*COMPLAINT_TRANSITIONS, "resolved", "dismissed", "closed"], "escalation": REASONS,
    "means": ["card", "premium_sms", "credit"], "card": list(CardStatus), "charge": list(ChargeStatus),
    "problem": ["csrf", "not_found", "forbidden", "invalid_input"],
    "action": ["to_ready", "to_delivered", "to_returned", "complaint_in_progress", "complaint_resolved",
               "complaint_dismissed"],
    "finance": ["by_means", "by_channel", "by_commune", "by_day", "means", "channel", "commune", "day"],
    "done": ["take", "advance", "reject", "dispatch", "reassign"],
    "error": sorted({*presentation._KNOWN_ERRORS, "error"}),  # a named service error flashed as its own sentence
}
NAV_KEYS = sorted({key for links in access.NAVIGATION.values() for _, key in links})


def in_every_language(key):
    return [lang for lang in LANGUAGES if key not in CATALOGS.keys(lang)]


def test_the_templates_and_views_use_keys_of_the_staff_catalog():
    assert len(LITERAL_KEYS) > 150  # the scan found the keys (a broken pattern would find none)


@pytest.mark.parametrize("key", LITERAL_KEYS + NAV_KEYS)
def test_every_key_the_staff_view_shows_is_in_arabic_french_and_english(key):
    assert in_every_language(key) == []


@pytest.mark.parametrize("area", sorted(DOMAIN_TERMS))
def test_every_value_of_the_domain_has_a_name_in_each_language(area):
    missing = {value: in_every_language(f"staff.{area}.{value}") for value in DOMAIN_TERMS[area]}
    assert {value: langs for value, langs in missing.items() if langs} == {}


def test_the_login_page_reads_right_to_left_in_arabic_only(desk):
    assert '<html lang="fr" dir="ltr">' in desk.page("/staff/login")
    desk.post("/staff/language", {"lang": "ar", "next": "/staff/login"})
    html = desk.page("/staff/login")
    assert '<html lang="ar" dir="rtl">' in html and "دخول الموظفين" in html
    desk.post("/staff/language", {"lang": "en", "next": "/staff/login"})
    assert '<html lang="en" dir="ltr">' in desk.page("/staff/login")


def test_an_unknown_language_is_ignored(desk):
    desk.post("/staff/language", {"lang": "de", "next": "/staff/login"})
    assert '<html lang="fr" dir="ltr">' in desk.page("/staff/login")


@pytest.mark.parametrize("username", ["agent", "supervisor", "inspector", "support", "finance", "admin"])
def test_every_first_page_renders_in_arabic_without_a_missing_text(people, world, logged_in, username, caplog):
    desk = logged_in(username)
    desk.post("/staff/language", {"lang": "ar", "next": "/staff/"})
    response = desk.get("/staff/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert "missing" not in caplog.text  # the catalog logs a text missing in the language asked
