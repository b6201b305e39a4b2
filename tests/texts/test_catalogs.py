"""The shipped catalogs are complete and within budget; lookups fall back as promised."""

import logging
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from texts import LANGUAGES, Catalogs, count, placeholders
from texts.catalog import LOCALES

# Long but realistic values for every placeholder a catalog uses: add one when you add a placeholder.
SAMPLE = {
    "ref": "261 148 273 5",
    "amount": "1 240,00",
    "name": "Abdelouahed El Khattabi",
    "barcode": "RR123456789MA",
    "date": "21/11/2026",
    "count": "12",
    "phone": "+2126****5678",
    "serial": "PC-2026-0012345",
    "office": "Bureau d'état civil de Casablanca Anfa",
    "time": "14:30",
    "days": "5",
    "short_code": "1919",
    "refs": "261 148 273 5, 712 000 431 8, 512 334 901 2, 300 118 447 6, 845 221 090 3...",
    "due": "1 240,00",
    "paid": "1 240,00",
    "price": "12,50",
    "balance": "1 240,00",
    "credit": "7,50",
    "step": "12",
}


def _entries(lang):
    """Every entry of one language's shipped PO files (one per package), translated or not, by key."""
    entries = {}
    for path in sorted((LOCALES / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            entries.update({m.id: m for m in read_po(po, ignore_obsolete=True) if m.id})
    return entries


ENTRIES = {lang: _entries(lang) for lang in LANGUAGES}
KEYS = sorted(set().union(*ENTRIES.values()))
CATALOGS = Catalogs.load()
BUDGETED = [(lang, key) for key in KEYS if CATALOGS.budget(key) for lang in LANGUAGES]


def test_the_shipped_catalogs_are_the_three_languages():
    assert CATALOGS.languages == LANGUAGES == ("ar", "fr", "en")


@pytest.mark.parametrize("key", KEYS)
def test_every_key_is_translated_in_every_language(key):
    for lang in LANGUAGES:
        entry = ENTRIES[lang].get(key)
        assert entry is not None, f"{key!r} is missing from the {lang!r} catalog"
        assert entry.string.strip(), f"{key!r} has an empty msgstr in {lang!r}"
        assert not entry.fuzzy, f"{key!r} is marked fuzzy in {lang!r}: review it and remove the flag"


@pytest.mark.parametrize("key", KEYS)
def test_a_key_is_named_area_dot_name(key):
    assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", key), f"key {key!r} is not like 'order.placed'"


@pytest.mark.parametrize("key", KEYS)
def test_every_language_of_a_key_has_the_same_named_placeholders(key):
    found = {lang: placeholders(ENTRIES[lang][key].string) for lang in LANGUAGES if key in ENTRIES[lang]}
    assert len(set(found.values())) == 1, f"{key!r} placeholders differ between languages: {found}"
    for name in set().union(*found.values()):
        assert name.isidentifier(), f"{key!r} has a positional or odd placeholder {{{name}}}: name it"


@pytest.mark.parametrize("key", [key for key in KEYS if CATALOGS.budget(key)])
def test_a_key_has_the_same_sms_budget_in_every_language_that_flags_it(key):
    entries = {lang: ENTRIES[lang][key] for lang in LANGUAGES if key in ENTRIES[lang]}
    flags = {lang: sorted(f for f in entry.flags if f.startswith("sms-")) for lang, entry in entries.items()}
    assert len({tuple(flag) for flag in flags.values() if flag}) == 1, f"{key!r} budgets differ: {flags}"


@pytest.mark.parametrize(("lang", "key"), BUDGETED)
def test_a_budgeted_text_fits_its_sms_budget_once_filled(lang, key):
    names = placeholders(CATALOGS.template(lang, key))
    unknown = sorted(names - set(SAMPLE))
    if unknown:
        pytest.fail(f"{key!r} uses {unknown}: add a realistic sample value to SAMPLE in {__file__}")
    text = CATALOGS.text(lang, key, **SAMPLE)
    result = count(text)
    assert result.segments <= CATALOGS.budget(key), f"{lang} {key!r} is {result} over budget: {text!r}"


def test_each_catalog_names_its_own_language():
    names = {lang: CATALOGS.text(lang, "common.language_name") for lang in LANGUAGES}
    assert names == {"ar": "العربية", "fr": "Français", "en": "English"}


# Lookups and fallbacks, on small catalogs written for each test.

def _write(directory: Path, lang: str, entries: str) -> None:
    """Write a PO catalog for `lang` under `directory`."""
    path = directory / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    path.write_text(header + entries, encoding="utf-8")


def _entry(key: str, text: str, flags: str = "") -> str:
    return (f"#, {flags}\n" if flags else "") + f'msgid "{key}"\nmsgstr "{text}"\n\n'


@pytest.fixture
def catalogs(tmp_path):
    _write(tmp_path, "ar", _entry("order.placed", "تم تسجيل طلبكم {ref}.", "sms-1"))
    _write(
        tmp_path,
        "fr",
        _entry("order.placed", "Demande {ref} enregistrée.", "sms-1")
        + _entry("order.paid", "Demande {ref} payée : {amount} MAD.", "sms-2")
        + _entry("order.draft", "Brouillon", "fuzzy"),
    )
    _write(
        tmp_path,
        "en",
        _entry("order.placed", "Order {ref} recorded.", "sms-1")
        + _entry("order.paid", "Order {ref} paid: {amount} MAD.")
        + _entry("order.draft", "Draft")
        + _entry("order.english_only", "Only in English."),
    )
    return Catalogs.load(tmp_path)


def test_a_text_is_filled_in_the_language_asked(catalogs):
    # In Arabic a grouped number is isolated left to right (texts.bidi), so that it is not shown reversed.
    assert catalogs.text("ar", "order.placed", ref="261 148 273 5") == "تم تسجيل طلبكم \u2066261 148 273 5\u2069."
    assert catalogs.text("fr", "order.placed", ref="261 148 273 5") == "Demande 261 148 273 5 enregistrée."


def test_an_unknown_language_gets_french(catalogs):
    assert catalogs.text("de", "order.placed", ref="1") == "Demande 1 enregistrée."


def test_a_regional_language_tag_gets_its_language(catalogs):
    assert catalogs.text("en-GB", "order.placed", ref="1") == "Order 1 recorded."


def test_a_key_missing_in_a_language_falls_back_to_french_with_a_warning(catalogs, caplog):
    with caplog.at_level(logging.WARNING, logger="texts.catalog"):
        text = catalogs.text("ar", "order.paid", ref="1", amount="20,00")
    assert text == "Demande 1 payée : 20,00 MAD."
    assert "order.paid" in caplog.text and "'ar'" in caplog.text


def test_a_key_missing_in_french_too_falls_back_to_english(catalogs, caplog):
    with caplog.at_level(logging.WARNING, logger="texts.catalog"):
        assert catalogs.text("ar", "order.english_only") == "Only in English."
    assert "order.english_only" in caplog.text


def test_a_fuzzy_translation_is_not_shown(catalogs):
    assert catalogs.text("fr", "order.draft") == "Draft"


def test_a_key_missing_everywhere_is_a_key_error_naming_it(catalogs):
    with pytest.raises(KeyError) as raised:
        catalogs.text("fr", "order.nowhere")
    assert raised.value.args == ("order.nowhere",)


def test_a_missing_placeholder_value_is_a_key_error_naming_it(catalogs):
    with pytest.raises(KeyError) as raised:
        catalogs.text("fr", "order.paid", ref="1")
    assert raised.value.args == ("amount",)


def test_placeholders_may_be_called_lang_or_key(tmp_path):
    _write(tmp_path, "fr", _entry("common.switched", "Langue : {lang}, touche {key}."))
    assert Catalogs.load(tmp_path).text("fr", "common.switched", lang="ar", key="1") == "Langue : ar, touche 1."


def test_keys_and_languages_list_what_each_catalog_holds(catalogs):
    assert catalogs.languages == ("ar", "fr", "en")
    assert catalogs.keys("ar") == {"order.placed"}
    assert catalogs.keys("fr") == {"order.placed", "order.paid"}


def test_the_budget_is_the_sms_flag_of_the_entry(catalogs):
    assert (catalogs.budget("order.placed"), catalogs.budget("order.paid")) == (1, 2)
    assert catalogs.budget("order.english_only") is None


def test_a_malformed_budget_flag_is_refused_at_load(tmp_path):
    _write(tmp_path, "fr", _entry("order.placed", "Enregistrée.", "sms-one"))
    with pytest.raises(ValueError, match="sms-one"):
        Catalogs.load(tmp_path)


def test_catalogs_are_read_once_per_directory(catalogs, tmp_path):
    assert Catalogs.load(str(tmp_path)) is catalogs
    assert Catalogs.load() is Catalogs.load(LOCALES)


# The packages whose code shows the dialog's texts (what the staff view, the simulator or a journey reads from
# dialog.po counts too).
_SHOWING = ("dialog", "payments_sms", "conversations", "notifications", "channels", "staff", "web", "jobs",
            "bootstrap", "orders_core")
_ROOT = LOCALES.parents[1]
# A key built from a template (f"dialog.track.{status}") is used by every key its prefix starts.
_TEMPLATE = re.compile(r"f[\"']([a-z_]+\.[a-z_.]*)\{")


def _source_text() -> str:
    files = [p for package in _SHOWING for p in (_ROOT / package).rglob("*") if p.suffix in (".py", ".html", ".js")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_dialog_text_is_shown_by_some_code():
    source = _source_text()
    prefixes = tuple(_TEMPLATE.findall(source))
    with (LOCALES / "fr" / "LC_MESSAGES" / "dialog.po").open("rb") as po:
        keys = [m.id for m in read_po(po, ignore_obsolete=True) if m.id]
    unused = [key for key in keys if f'"{key}"' not in source and f"'{key}'" not in source
              and not key.startswith(prefixes)]
    assert unused == []
