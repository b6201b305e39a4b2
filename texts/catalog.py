"""Every text a citizen or agent sees, read from one gettext PO catalog per language."""

from __future__ import annotations

import functools
import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from babel.messages.pofile import read_po

from texts.bidi import is_rtl, isolate_numbers

log = logging.getLogger(__name__)

LANGUAGES = ("ar", "fr", "en")
FALLBACK = ("fr", "en")
LOCALES = Path(__file__).parent / "locales"
_BUDGET_FLAG = re.compile(r"sms-(.*)")


@dataclass(frozen=True)
class Catalogs:
    """The texts of every language, and the SMS segment budget of each key."""

    messages: Mapping[str, Mapping[str, str]]
    budgets: Mapping[str, int]

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Catalogs:
        """The catalogs found under `directory` (default: the package's own), read once per directory."""
        return _load(Path(directory or LOCALES).resolve())

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages that have a catalog."""
        return tuple(self.messages)

    def keys(self, lang: str) -> frozenset[str]:
        """The keys translated in `lang`."""
        return frozenset(self.messages.get(lang, {}))

    def budget(self, key: str) -> int | None:
        """The most SMS segments the text of `key` may take, when its entry is flagged `sms-N`."""
        return self.budgets.get(key)

    def text(self, lang: str, key: str, /, **values: object) -> str:
        """The text of `key` in `lang` (or a fallback language), its `{placeholders}` filled from `values`.

        In a right-to-left language, a grouped number, a phone number or an agent's `#code`, written in the text or
        given as a value, is isolated left to right (texts.bidi): a reference copied from an Arabic message must not
        come out reversed."""
        template = self.template(lang, key)
        if is_rtl(self.language(lang)):  # numbers written in the text itself (examples: `1234 1990`) and its values
            template = isolate_numbers(template)
            values = {name: isolate_numbers(v) if isinstance(v, str) else v for name, v in values.items()}
        return template.format(**values)

    def template(self, lang: str, key: str) -> str:
        """The unfilled text of `key` in `lang`, or in the first fallback language that has it."""
        wanted = self.language(lang)
        for candidate in self._fallbacks(wanted):
            found = self.messages[candidate].get(key)
            if found is not None:
                if candidate != wanted:
                    log.warning("text %r missing in %r: shown in %r", key, wanted, candidate)
                return found
        raise KeyError(key)

    def language(self, lang: str | None) -> str:
        """The catalog language for a requested one (`fr-MA` → `fr`); unknown ones get French."""
        primary = (lang or "").replace("_", "-").split("-")[0].lower()
        return primary if primary in self.messages else FALLBACK[0]

    def _fallbacks(self, lang: str) -> list[str]:
        """Languages to look a key up in, in order: the one asked, French, English, then the rest."""
        order = [lang, *FALLBACK, *self.messages]
        return [code for code in dict.fromkeys(order) if code in self.messages]


@functools.lru_cache(maxsize=None)
def _load(directory: Path) -> Catalogs:
    """Read every `<lang>/LC_MESSAGES/*.po` under `directory`: one PO file per package (domain), merged."""
    found: dict[str, list[Path]] = {}
    for path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        found.setdefault(path.parent.parent.name, []).append(path)
    if not found:
        raise FileNotFoundError(f"no <lang>/LC_MESSAGES/*.po under {str(directory)!r}")
    ordered = [*(lang for lang in LANGUAGES if lang in found), *sorted(set(found) - set(LANGUAGES))]
    messages, budgets = {}, {}
    for lang in ordered:
        merged: dict[str, str] = {}
        for path in found[lang]:
            texts = _read(path, budgets)
            clash = set(texts) & set(merged)
            if clash:
                raise ValueError(f"keys defined twice for {lang!r}: {sorted(clash)} (last in {str(path)!r})")
            merged.update(texts)
        messages[lang] = MappingProxyType(merged)
    return Catalogs(MappingProxyType(messages), MappingProxyType(budgets))


def _read(path: Path, budgets: dict[str, int]) -> dict[str, str]:
    """The translated texts of one PO file; records each entry's `sms-N` budget, keeping the strictest."""
    with path.open("rb") as po:
        catalog = read_po(po, ignore_obsolete=True, abort_invalid=True)
    texts = {}
    for message in catalog:
        # Fuzzy and empty translations are unreviewed: gettext does not show them either.
        if not message.id or message.fuzzy or not message.string:
            continue
        texts[message.id] = message.string
        budget = _budget(message.id, message.flags, path)
        if budget is not None:
            budgets[message.id] = min(budget, budgets.get(message.id, budget))
    return texts


def _budget(key: str, flags: set[str], path: Path) -> int | None:
    """The N of an `sms-N` flag, if the entry has one."""
    for flag in flags:
        match = _BUDGET_FLAG.fullmatch(flag)
        if match:
            if not re.fullmatch(r"[1-9][0-9]*", match.group(1)):
                raise ValueError(f"bad SMS budget flag {flag!r} on {key!r} in {str(path)!r}")
            return int(match.group(1))
    return None


def placeholders(template: str) -> frozenset[str]:
    """The names of the `{placeholders}` in a template (`{order.ref}` counts as `order`)."""
    names = (field for _, field, _, _ in string.Formatter().parse(template) if field is not None)
    return frozenset(re.split(r"[.\[]", name, maxsplit=1)[0] for name in names)
