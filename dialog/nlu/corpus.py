"""The NLU's examples as plain sentences: training data, validation and held-out splits (Rasa's YAML format).

Three sets that never share a sentence: `data/` (trained on, by Rasa and by the embedded classifier),
`validation/` (where the app's confidence thresholds are chosen) and `heldout/` (scored only). Imports nothing of the
application but dialog.nlu.calibration, which imports nothing: it runs inside the Rasa environment too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .calibration import OUT_OF_SCOPE

__all__ = ["NLU_DIR", "DATA_DIR", "VALIDATION_DIR", "HELDOUT_DIR", "SPLITS", "OUT_OF_SCOPE", "Example",
           "plain_text", "examples_in", "training_examples", "split_examples", "lookups", "patterns"]

NLU_DIR = Path(__file__).resolve().parent
DATA_DIR = NLU_DIR / "data"
VALIDATION_DIR = NLU_DIR / "validation"
HELDOUT_DIR = NLU_DIR / "heldout"
# One split per language and script, plus the messages the service must not take for one of its own.
SPLITS = ("fr", "ar_msa", "en", "darija_ar", "darija_latin", OUT_OF_SCOPE)
# "[261 148 273 5](order_ref)" and '[extrait]{"entity": ...}' both read as their bracketed text.
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")


@dataclass(frozen=True)
class Example:
    """One sentence, the intent it should get, and the split (or training file) it comes from."""

    split: str
    intent: str
    text: str


def plain_text(annotated: str) -> str:
    """The sentence a citizen would have typed, without entity annotations."""
    return ANNOTATION.sub(r"\1", annotated).strip()


def _items(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []


def _lines(item: dict) -> list[str]:
    return [line.strip()[2:] for line in item.get("examples", "").splitlines() if line.strip().startswith("- ")]


def examples_in(path: Path, split: str | None = None) -> list[Example]:
    """Every intent example of one YAML file, as plain text."""
    name = split or path.stem
    return [Example(name, item["intent"], plain_text(line)) for item in _items(path) if "intent" in item
            for line in _lines(item)]


def training_examples(directory: Path = DATA_DIR) -> list[Example]:
    """Every example the models are trained on."""
    return [example for path in sorted(directory.glob("*.yml")) for example in examples_in(path)]


def split_examples(split: str, directory: Path = HELDOUT_DIR) -> list[Example]:
    """The examples of one split (held-out by default, or validation)."""
    return examples_in(directory / f"{split}.yml", split)


def lookups(directory: Path = DATA_DIR) -> dict[str, dict[str, str]]:
    """Entity name -> {word as typed: value the dialog expects}, from the lookup tables and their synonyms."""
    items = [item for path in sorted(directory.glob("*.yml")) for item in _items(path)]
    value_of = {line.lower(): item["synonym"] for item in items if "synonym" in item for line in _lines(item)}
    return {item["lookup"]: {line.lower(): value_of.get(line.lower(), line) for line in _lines(item)}
            for item in items if "lookup" in item}


def patterns(directory: Path = DATA_DIR) -> dict[str, list[str]]:
    """Entity name -> its regular expressions."""
    items = [item for path in sorted(directory.glob("*.yml")) for item in _items(path)]
    return {item["regex"]: _lines(item) for item in items if "regex" in item}
