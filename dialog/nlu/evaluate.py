"""Score the NLU model on the held-out examples: accuracy and macro-F1, per language and overall."""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from dialog.nlu_client import NluClient

__all__ = ["LANGUAGES", "Example", "Score", "heldout_examples", "predict", "score"]

HELDOUT_DIR = Path(__file__).resolve().parent / "heldout"
LANGUAGES = ("fr", "ar", "en", "darija")
NO_INTENT = "<none>"
# "[261 148 273 5](order_ref)" and '[extrait]{"entity": ...}' both read as their bracketed text.
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")

Pair = tuple[str, str]  # (expected intent, predicted intent)


@dataclass(frozen=True)
class Example:
    """One held-out sentence and the intent it should get."""

    language: str
    intent: str
    text: str


@dataclass(frozen=True)
class Score:
    """How well a set of predictions matched."""

    examples: int
    accuracy: float
    macro_f1: float


def plain_text(annotated: str) -> str:
    """The sentence a citizen would have typed, without entity annotations."""
    return ANNOTATION.sub(r"\1", annotated).strip()


def heldout_examples(language: str, directory: Path = HELDOUT_DIR) -> list[Example]:
    """Every example of one language's held-out file."""
    document = yaml.safe_load((directory / f"{language}.yml").read_text(encoding="utf-8"))
    return [
        Example(language, item["intent"], plain_text(line.strip()[2:]))
        for item in document["nlu"]
        if "intent" in item
        for line in item["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def predict(client: NluClient, examples: list[Example]) -> list[Pair]:
    """Ask the server about each example; an unanswered one counts as predicting no intent."""
    pairs = []
    for example in examples:
        understanding = client.parse(example.text)
        pairs.append((example.intent, understanding.intent if understanding else NO_INTENT))
    return pairs


def f1(pairs: list[Pair], label: str) -> float:
    """F1 of one label, treating it as the positive class."""
    true_pos = sum(1 for expected, got in pairs if expected == label and got == label)
    predicted = sum(1 for _, got in pairs if got == label)
    actual = sum(1 for expected, _ in pairs if expected == label)
    if true_pos == 0:
        return 0.0
    precision, recall = true_pos / predicted, true_pos / actual
    return 2 * precision * recall / (precision + recall)


def score(pairs: list[Pair]) -> Score:
    """Accuracy and macro-F1 over every label expected or predicted (as scikit-learn does)."""
    if not pairs:
        return Score(0, 0.0, 0.0)
    labels = {label for pair in pairs for label in pair}
    correct = sum(1 for expected, got in pairs if expected == got)
    macro = sum(f1(pairs, label) for label in labels) / len(labels)
    return Score(len(pairs), correct / len(pairs), macro)


def misses(examples: list[Example], pairs: list[Pair]) -> list[str]:
    """One line per wrongly classified example, for whoever improves the training data."""
    return [
        f"  [{example.language}] {expected} -> {got}: {example.text}"
        for example, (expected, got) in zip(examples, pairs)
        if expected != got
    ]


def report(results: dict[str, list[Pair]]) -> list[str]:
    """The table printed for people: one row per language, then the overall line."""
    lines = [f"{'language':<10}{'examples':>9}{'accuracy':>10}{'macro_f1':>10}"]
    for language, pairs in results.items():
        row = score(pairs)
        lines.append(f"{language:<10}{row.examples:>9}{row.accuracy:>10.2f}{row.macro_f1:>10.2f}")
    overall = score([pair for pairs in results.values() for pair in pairs])
    lines.append(f"overall accuracy={overall.accuracy:.2f} macro_f1={overall.macro_f1:.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Evaluate against a running server and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:5005", help="base URL of the Rasa server")
    parser.add_argument("--errors", action="store_true", help="also list the misclassified examples")
    args = parser.parse_args(argv)
    # Generous timeout and no breaker: a slow first parse must not be scored as a wrong answer.
    client = NluClient(args.url, timeout=10, failure_threshold=10**6)
    examples = {language: heldout_examples(language) for language in LANGUAGES}
    results = {language: predict(client, examples[language]) for language in LANGUAGES}
    print("\n".join(report(results)))
    if args.errors:
        for language in LANGUAGES:
            print("\n".join(misses(examples[language], results[language])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
